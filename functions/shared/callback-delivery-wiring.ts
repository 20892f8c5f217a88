/**
 * The composition root of sending callbacks (the callback queue's consumer, the test
 * callback): the HTTP sender, the signing secrets, and the passenger-data cipher an
 * attempt's body is decrypted with.
 */
import { httpCallbackSender } from "../adapters/callbacks/callback-sender";
import { webhookSecrets } from "../adapters/callbacks/webhook-secrets";
import { DynamoOrderRepository } from "../adapters/dynamodb/order-repository";
import { fieldCipherFromEnv } from "../adapters/pii/field-cipher";
import type { DeliverDeps } from "../use-cases/callbacks";
import type { TestCallbackDeps } from "../use-cases/test-callback";
import { checkCallbackUrlNow, deliveryStore } from "./callback-wiring";
import { config } from "./config";
import { once } from "./once";
import { countCallbackAttempt } from "./ops-metrics";
import { logger } from "./powertools";

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

export const testCallbackDeps = /* @__PURE__ */ once(
  (): TestCallbackDeps => ({
    sender: callbackSender(),
    secrets: signingSecrets(),
    checkCallbackUrl: checkCallbackUrlNow,
    now: () => new Date(),
  }),
);
