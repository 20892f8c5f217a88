/** The composition root of the partner callback functions. */
import { httpCallbackSender } from "../adapters/callbacks/callback-sender";
import { checkCallbackUrl, resolveCallbackHost } from "../adapters/callbacks/url-policy";
import { webhookSecrets } from "../adapters/callbacks/webhook-secrets";
import { dynamoDeliveryStore } from "../adapters/dynamodb/delivery-store";
import { DynamoOrderRepository, readOrderSummary } from "../adapters/dynamodb/order-repository";
import { fieldCipherFromEnv } from "../adapters/pii/field-cipher";
import { sqsCallbackQueue } from "../adapters/sqs/job-queues";
import type { CallbackDeps, DeliverDeps } from "../use-cases/callbacks";
import type { TestCallbackDeps } from "../use-cases/test-callback";
import { config } from "./config";
import { countCallbackAttempt } from "./ops-metrics";
import { logger } from "./powertools";
import { once } from "./wiring";

export const deliveryStore = /* @__PURE__ */ once(dynamoDeliveryStore);

export const callbackDeps = /* @__PURE__ */ once(
  (): CallbackDeps => ({
    deliveries: deliveryStore(),
    queue: sqsCallbackQueue(),
    orders: { summary: readOrderSummary },
    now: () => new Date(),
  }),
);

/** Replays need no order: the next attempt reads it. */
export const replayDeps = /* @__PURE__ */ once(() => ({
  deliveries: deliveryStore(),
  queue: sqsCallbackQueue(),
  now: () => new Date(),
}));

const callbackSender = /* @__PURE__ */ once(() =>
  httpCallbackSender({
    allowPrivate: config().callbackAllowPrivate,
    timeoutMs: config().callbackTimeoutMs,
    // The tenant's attempt says only "destination refused"; where the name led is for operators.
    onRefused: (detail, target) =>
      logger.warn("callback destination refused", { detail, delivery_id: target.id, webhook_id: target.webhookId }),
  }),
);
const signingSecrets = /* @__PURE__ */ once(webhookSecrets);

export const deliverDeps = /* @__PURE__ */ once(
  (): DeliverDeps => ({
    deliveries: deliveryStore(),
    // Each attempt's body is the stored order, decrypted at the last moment (names only; documents masked).
    orders: new DynamoOrderRepository(fieldCipherFromEnv()),
    sender: callbackSender(),
    secrets: signingSecrets(),
    schedule: config().callbackRetryScheduleS,
    now: () => new Date(),
    observe: countCallbackAttempt,
  }),
);

/** The callback URL rules before any send: syntax, then where the host resolves (CONTRACT.md §4). */
export const checkCallbackUrlNow = async (raw: string): Promise<string | undefined> => {
  const allowPrivate = config().callbackAllowPrivate;
  const syntax = checkCallbackUrl(raw, { allowPrivate });
  if (!syntax.ok) return syntax.reason;
  const resolved = await resolveCallbackHost(syntax.url, { allowPrivate });
  return resolved.ok ? undefined : resolved.reason;
};

export const testCallbackDeps = /* @__PURE__ */ once(
  (): TestCallbackDeps => ({
    sender: callbackSender(),
    secrets: signingSecrets(),
    checkCallbackUrl: checkCallbackUrlNow,
    now: () => new Date(),
  }),
);
