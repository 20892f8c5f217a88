import type { CallbackQueue, TicketingQueue } from "../../use-cases/ports";
import { sendFifo } from "./fifo-queue";

/**
 * Ticketing jobs: one message group per order (its jobs run in order, one at a time); the
 * deduplication id makes a job sent twice within five minutes one job.
 */
export const sqsTicketingQueue = (now: () => number = Date.now): TicketingQueue => ({
  enqueue: (job) => sendFifo("ticketing", job, job.orderId, `${job.orderId}-${Math.floor(now() / 300_000)}`),
});

/** Callback jobs: one message group per order, so a partner sees an order's events in order. */
export const sqsCallbackQueue = (): CallbackQueue => ({
  enqueue: (job) => sendFifo("callbacks", { deliveryId: job.deliveryId }, job.orderId, job.dedupId),
});
