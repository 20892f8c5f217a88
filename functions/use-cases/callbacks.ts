import { createHash } from "node:crypto";
import { CALLBACK_EVENT_TYPES, callbackBody, type Delivery, nextAttemptDelayMs, nextRound } from "../domain/delivery";
import { AvfError } from "../domain/errors";
import { EVENT_OF_STATUS, type OrderStatus } from "../domain/order";
import { toPublicOrder } from "../domain/order-view";
import type {
  CallbackAttemptResult,
  CallbackQueue,
  CallbackSender,
  DeliveryStore,
  OrderEvent,
  OrderRepository,
  OrderSummary,
  WebhookSecrets,
} from "./ports";

export interface CallbackDeps {
  readonly deliveries: DeliveryStore;
  readonly queue: CallbackQueue;
  /** The stored order the event claims to be about: the only source of URL and status trusted. */
  readonly orders: Pick<OrderRepository, "summary">;
  readonly now: () => Date;
}

/** A delivery's id and webhook-id follow from the event's id: a redelivered event makes no second delivery. */
export const deliveryIdFor = (eventId: string): string =>
  `dlv_${createHash("sha256").update(eventId).digest("base64url").slice(0, 24)}`;

/** What the dispatcher made of an event. */
export type DispatchOutcome =
  | { readonly kind: "queued"; readonly delivery: Delivery }
  | { readonly kind: "skipped" }
  | { readonly kind: "refused"; readonly reason: string };

/** The status each callback event announces (the inverse of EVENT_OF_STATUS). */
const STATUS_OF_EVENT: ReadonlyMap<string, OrderStatus> = new Map(
  Object.entries(EVENT_OF_STATUS).map(([status, type]) => [type, status as OrderStatus]),
);

/**
 * Why an event does not match the stored order it names, or undefined when it does: the
 * order exists under the event's tenant, and the move the event announces is the order's
 * move at the event's version. Anyone able to put events on the bus could forge the rest.
 */
export const eventMismatch = (event: OrderEvent, order: OrderSummary | undefined): string | undefined => {
  if (order === undefined) return "no such order for this tenant";
  const move =
    Number.isSafeInteger(event.sequence) && event.sequence <= order.version
      ? order.history[event.sequence - 1]
      : undefined;
  // Entries written before they named their events announced their status's own event.
  const announced =
    move?.events?.includes(event.detail_type) ??
    (move !== undefined && STATUS_OF_EVENT.get(event.detail_type) === move.status);
  return announced ? undefined : `the order announced no ${event.detail_type} at version ${event.sequence}`;
};

/**
 * Turns an order event into a Delivery, when the order has a callback URL and the event is
 * one partners get, and queues its first attempt (one message group per order, so a
 * partner sees an order's events in order). The event is trusted for nothing but its ids:
 * the order is re-read by (tenant, order id) and the URL taken from it; an event the
 * stored order does not bear out is refused and sends nothing.
 */
export const dispatchCallback = async (deps: CallbackDeps, event: OrderEvent): Promise<DispatchOutcome> => {
  if (!CALLBACK_EVENT_TYPES.has(event.detail_type)) return { kind: "skipped" };
  const order = await deps.orders.summary(event.tenant_id, event.order_id);
  const mismatch = eventMismatch(event, order);
  if (mismatch !== undefined) return { kind: "refused", reason: mismatch };
  const url = order?.callbackUrl;
  if (url === undefined) return { kind: "skipped" };
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
    occurredAt: event.occurred_at,
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
  return { kind: "queued", delivery };
};

export interface DeliverDeps {
  readonly deliveries: DeliveryStore;
  /** Read at every attempt: the body is the stored order as it is then, documents masked. */
  readonly orders: Pick<OrderRepository, "get">;
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
export const deliverCallback = async (
  deps: DeliverDeps,
  deliveryId: string,
  /** Whether one more attempt fits in the time the caller has left (the consumer's deadline). */
  canAttempt: () => boolean = () => true,
): Promise<DeliverOutcome> => {
  const found = await deps.deliveries.find(deliveryId);
  // Its job was dead-lettered and is back: an operator redrove the dead-letter queue. Like a
  // replay, a new round of the schedule under the same webhook-id.
  const delivery = found?.status === "dead_lettered" ? await startNextRound(deps, found) : found;
  if (delivery === undefined || delivery.status !== "pending") return { done: true };
  for (let step = 0; step < MAX_STEPS_PER_JOB; step += 1) {
    // Out of time: the job comes back at once, to a consumer with time for it.
    if (!canAttempt()) return { done: false, retryInMs: 0 };
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

/** A dead-lettered delivery redriven: a new round, or undefined when another writer changed it first. */
const startNextRound = async (deps: DeliverDeps, delivery: Delivery): Promise<Delivery | undefined> => {
  const next = nextRound(delivery, deps.now().toISOString());
  return (await deps.deliveries.save(delivery, next)) ? next : undefined;
};

/** Attempts one job may make on its order's earlier deliveries before yielding the queue. */
const MAX_STEPS_PER_JOB = 10;

/** The body of an attempt, built from the stored order now; undefined when the order is gone. */
const bodyOf = async (deps: Pick<DeliverDeps, "orders">, delivery: Delivery): Promise<string | undefined> => {
  const order = await deps.orders.get(delivery.tenantId, delivery.orderId);
  return order === undefined ? undefined : callbackBody(delivery.eventType, delivery.occurredAt, toPublicOrder(order));
};

/** One attempt of one delivery, recorded. */
const attemptOnce = async (deps: DeliverDeps, delivery: Delivery): Promise<DeliverOutcome> => {
  const at = deps.now();
  const body = await bodyOf(deps, delivery);
  const result: CallbackAttemptResult =
    body === undefined
      ? { outcome: "blocked", error: "the order no longer exists", latencyMs: 0 }
      : await deps.sender.send(delivery, body, await deps.secrets.secretsOf(delivery.tenantId), at);
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
export const replayCallback = async (
  deps: Pick<CallbackDeps, "deliveries" | "queue" | "now">,
  tenantId: string,
  deliveryId: string,
): Promise<Delivery> => {
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
  orders: Pick<OrderRepository, "summary">,
  deliveries: Pick<DeliveryStore, "listForOrder">,
  tenantId: string,
  orderId: string,
): Promise<Delivery[]> => {
  const order = await orders.summary(tenantId, orderId);
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
