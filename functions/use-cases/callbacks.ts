import { createHash } from "node:crypto";
import { CALLBACK_EVENT_TYPES, callbackBody, type Delivery, nextAttemptDelayMs, nextRound } from "../domain/delivery";
import { AvfError } from "../domain/errors";
import type {
  CallbackQueue,
  CallbackSender,
  DeliveryStore,
  OrderEvent,
  OrderRepository,
  WebhookSecrets,
} from "./ports";

export interface CallbackDeps {
  readonly deliveries: DeliveryStore;
  readonly queue: CallbackQueue;
  readonly now: () => Date;
}

/** A delivery's id and webhook-id follow from the event's id: a redelivered event makes no second delivery. */
export const deliveryIdFor = (eventId: string): string =>
  `dlv_${createHash("sha256").update(eventId).digest("base64url").slice(0, 24)}`;

/**
 * Turns an order event into a Delivery, when the order has a callback URL and the event is
 * one partners get, and queues its first attempt (one message group per order, so a
 * partner sees an order's events in order).
 */
export const dispatchCallback = async (deps: CallbackDeps, event: OrderEvent): Promise<Delivery | undefined> => {
  const url = event.order.callback_url;
  if (url === undefined || !CALLBACK_EVENT_TYPES.has(event.detail_type)) return undefined;
  const now = deps.now().toISOString();
  const id = deliveryIdFor(event.id);
  const delivery: Delivery = {
    id,
    tenantId: event.tenant_id,
    orderId: event.order_id,
    eventType: event.detail_type,
    sequence: event.sequence,
    webhookId: `msg_${id.slice(4)}`,
    url,
    body: callbackBody(event.detail_type, event.occurred_at, event.order),
    correlationId: event.correlation_id,
    status: "pending",
    attempts: [],
    roundStartedAt: now,
    roundFirstAttempt: 0,
    replays: 0,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await deps.deliveries.create(delivery);
  await deps.queue.enqueue({ deliveryId: id, orderId: event.order_id, dedupId: id });
  return delivery;
};

export interface DeliverDeps {
  readonly deliveries: DeliveryStore;
  readonly sender: CallbackSender;
  readonly secrets: WebhookSecrets;
  readonly schedule: readonly number[];
  readonly now: () => Date;
  /** Told each attempt's outcome (metrics). */
  readonly observe?: (outcome: "delivered" | "retry" | "blocked" | "dead_lettered") => void;
}

/**
 * What the queue should do with the job: it is done (`deadLettered`: its delivery's schedule
 * ran out, so the job belongs in the dead-letter queue, where operators see and redrive it),
 * or to be tried again after a delay.
 */
export type DeliverOutcome =
  | { readonly done: true; readonly deadLettered?: boolean }
  | { readonly done: false; readonly retryInMs: number };

/**
 * Works through the order's pending deliveries up to this one, oldest event first, one
 * attempt each: signs with the tenant's secret(s), sends through the SSRF-safe sender,
 * records the attempt, and decides by the retry schedule what follows. A job can find an
 * earlier event of its order still pending (its dispatch raced this one's into the queue):
 * that one goes first, so a partner never sees an order's events out of order.
 */
export const deliverCallback = async (deps: DeliverDeps, deliveryId: string): Promise<DeliverOutcome> => {
  let delivery = await deps.deliveries.find(deliveryId);
  // Its job was dead-lettered and is back: an operator redrove the dead-letter queue. Like a
  // replay, a new round of the schedule under the same webhook-id.
  if (delivery?.status === "dead_lettered") {
    const next = nextRound(delivery, deps.now().toISOString());
    delivery = (await deps.deliveries.save(delivery, next)) ? next : undefined;
  }
  if (delivery === undefined || delivery.status !== "pending") return { done: true };
  for (let step = 0; step < MAX_STEPS_PER_JOB; step += 1) {
    const earlier = (await deps.deliveries.listForOrder(delivery.tenantId, delivery.orderId))
      .filter((other) => other.status === "pending" && other.sequence < delivery.sequence)
      .sort((a, b) => a.sequence - b.sequence);
    const target = earlier[0] ?? (await deps.deliveries.find(deliveryId));
    if (target === undefined || target.status !== "pending") return { done: true };
    const outcome = await attemptOnce(deps, target);
    if (!outcome.done || target.id === delivery.id) return outcome;
  }
  // Unusually many earlier events still settling: come back to this job shortly.
  return { done: false, retryInMs: 1_000 };
};

/** Attempts one job may make on its order's earlier deliveries before yielding the queue. */
const MAX_STEPS_PER_JOB = 10;

/** One attempt of one delivery, recorded. */
const attemptOnce = async (deps: DeliverDeps, delivery: Delivery): Promise<DeliverOutcome> => {
  const at = deps.now();
  const result = await deps.sender.send(delivery, await deps.secrets.secretsOf(delivery.tenantId), at);
  const attempts = [
    ...delivery.attempts,
    {
      number: delivery.attempts.length + 1,
      at: at.toISOString(),
      outcome: result.outcome,
      ...(result.status === undefined ? {} : { status_code: result.status }),
      ...(result.error === undefined ? {} : { error: result.error }),
      latency_ms: Math.round(result.latencyMs),
    },
  ];
  const attemptsInRound = attempts.length - delivery.roundFirstAttempt;
  const retryInMs =
    result.outcome === "retry"
      ? nextAttemptDelayMs(
          deps.schedule,
          attemptsInRound,
          Date.parse(delivery.roundStartedAt),
          deps.now().getTime(),
          result.retryAfterSeconds,
        )
      : undefined;
  const status: Delivery["status"] =
    result.outcome === "delivered"
      ? "delivered"
      : result.outcome === "blocked"
        ? "blocked"
        : retryInMs === undefined
          ? "dead_lettered"
          : "pending";
  const saved = await deps.deliveries.save(delivery, {
    ...delivery,
    attempts,
    status,
    updatedAt: deps.now().toISOString(),
    version: delivery.version + 1,
  });
  // A concurrent writer (a replay) owns the delivery now; its own job carries on.
  if (!saved) return { done: true };
  deps.observe?.(status === "pending" ? "retry" : status);
  if (retryInMs !== undefined) return { done: false, retryInMs };
  return status === "dead_lettered" ? { done: true, deadLettered: true } : { done: true };
};

/**
 * The delivery's queue message is leaving for the dead-letter queue (its receives are used
 * up, e.g. waiting behind an earlier callback of the order): a still-pending delivery is
 * recorded as dead-lettered, so it shows what happened and can be replayed.
 */
export const recordDeadLettered = async (
  deps: Pick<DeliverDeps, "deliveries" | "now">,
  deliveryId: string,
): Promise<boolean> => {
  const delivery = await deps.deliveries.find(deliveryId);
  if (delivery === undefined || delivery.status !== "pending") return false;
  return deps.deliveries.save(delivery, {
    ...delivery,
    status: "dead_lettered",
    updatedAt: deps.now().toISOString(),
    version: delivery.version + 1,
  });
};

export const deliveryNotFound = () => new AvfError("AVF_404_NOT_FOUND", "no such callback delivery");

/**
 * Sends a delivery again under the same webhook-id, starting a new round of the schedule;
 * only the tenant's own deliveries. A pending delivery is already being sent: 409.
 */
export const replayCallback = async (deps: CallbackDeps, tenantId: string, deliveryId: string): Promise<Delivery> => {
  const delivery = await deps.deliveries.find(deliveryId);
  if (delivery === undefined || delivery.tenantId !== tenantId) throw deliveryNotFound();
  if (delivery.status === "pending") {
    throw new AvfError("AVF_409_INVALID_STATE", "the delivery is still being sent; replay it once it has settled", {
      details: { delivery_id: delivery.id, status: delivery.status },
    });
  }
  const next = nextRound(delivery, deps.now().toISOString());
  if (!(await deps.deliveries.save(delivery, next))) {
    throw new AvfError("AVF_409_REQUEST_IN_PROGRESS", "the delivery changed meanwhile; try again", {
      retryAfterSeconds: 1,
    });
  }
  await deps.queue.enqueue({
    deliveryId: delivery.id,
    orderId: delivery.orderId,
    dedupId: `${delivery.id}-r${next.replays}`,
  });
  return next;
};

/** The tenant's deliveries for one of its orders (404 for another tenant's order). */
export const listOrderCallbacks = async (
  orders: Pick<OrderRepository, "get">,
  deliveries: Pick<DeliveryStore, "listForOrder">,
  tenantId: string,
  orderId: string,
): Promise<Delivery[]> => {
  const order = await orders.get(tenantId, orderId);
  if (order === undefined) throw new AvfError("AVF_404_ORDER_NOT_FOUND", "no such order");
  return deliveries.listForOrder(tenantId, orderId);
};

export const toPublicDelivery = (delivery: Delivery) => ({
  id: delivery.id,
  order_id: delivery.orderId,
  event_type: delivery.eventType,
  webhook_id: delivery.webhookId,
  url: delivery.url,
  status: delivery.status,
  attempts: delivery.attempts,
  replays: delivery.replays,
  created_at: delivery.createdAt,
  updated_at: delivery.updatedAt,
});
