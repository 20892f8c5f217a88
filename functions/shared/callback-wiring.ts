/** The composition root of the partner callback functions. */
import { httpCallbackSender } from "../adapters/callbacks/callback-sender";
import { checkCallbackUrl, resolveCallbackHost } from "../adapters/callbacks/url-policy";
import { webhookSecrets } from "../adapters/callbacks/webhook-secrets";
import { dynamoDeliveryStore } from "../adapters/dynamodb/delivery-store";
import { sqsCallbackQueue } from "../adapters/sqs/job-queues";
import type { CallbackDeps, DeliverDeps } from "../use-cases/callbacks";
import type { TestCallbackDeps } from "../use-cases/test-callback";
import { config } from "./config";
import { countCallbackAttempt } from "./ops-metrics";
import { once } from "./wiring";

export const deliveryStore = /* @__PURE__ */ once(dynamoDeliveryStore);

export const callbackDeps = /* @__PURE__ */ once(
  (): CallbackDeps => ({ deliveries: deliveryStore(), queue: sqsCallbackQueue(), now: () => new Date() }),
);

export const deliverDeps = /* @__PURE__ */ once(
  (): DeliverDeps => ({
    deliveries: deliveryStore(),
    sender: httpCallbackSender({ allowPrivate: config().callbackAllowPrivate, timeoutMs: config().callbackTimeoutMs }),
    secrets: webhookSecrets(),
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
    sender: deliverDeps().sender,
    secrets: deliverDeps().secrets,
    checkCallbackUrl: checkCallbackUrlNow,
    now: () => new Date(),
  }),
);
