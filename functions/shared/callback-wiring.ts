/** The composition root of the partner callback functions. */
import { httpCallbackSender } from "../adapters/callbacks/callback-sender";
import { webhookSecrets } from "../adapters/callbacks/webhook-secrets";
import { dynamoDeliveryStore } from "../adapters/dynamodb/delivery-store";
import { sqsCallbackQueue } from "../adapters/sqs/job-queues";
import type { CallbackDeps, DeliverDeps } from "../use-cases/callbacks";
import { config } from "./config";
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
  }),
);
