/** The composition root of queueing callbacks: order events become deliveries on the callback queue, and replays. */
import { readOrderSummary } from "../adapters/dynamodb/order-repository";
import { sqsCallbackQueue } from "../adapters/sqs/job-queues";
import type { CallbackDeps } from "../use-cases/callbacks";
import { deliveryStore } from "./callback-wiring";
import { once } from "./once";

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
