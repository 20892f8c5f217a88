import { amend, EVENT_OF_STATUS, type Order, type OrderChange, type OrderStatus, transition } from "../domain/order";
import type { AuditTrail, EventSink, OrderEvent, OrderRepository } from "./ports";

export interface TransitionDeps {
  readonly orders: OrderRepository;
  readonly events: EventSink;
  readonly audit: AuditTrail;
  readonly now: () => Date;
  readonly newEventId: () => string;
  /** Where a failure to announce goes: it is retried by the reconciliation sweep, never lost. */
  readonly warn: (message: string, error: unknown) => void;
  /**
   * Where work goes that the answer does not wait for (an audit entry, a queued job): it runs
   * beside the rest of the request, and the handler settles it before it returns. Without
   * one, such work is awaited where it starts.
   */
  readonly alongside?: (what: string, work: () => Promise<unknown>) => void;
}

/** Work the answer does not wait for, handed to `deps.alongside` (else awaited here). */
export const besideTheAnswer = async (
  deps: Pick<TransitionDeps, "alongside">,
  what: string,
  work: () => Promise<unknown>,
): Promise<void> => {
  if (deps.alongside === undefined) await work();
  else deps.alongside(what, work);
};

export const orderEvent = (
  deps: Pick<TransitionDeps, "newEventId">,
  order: Order,
  detailType: string,
  position = 0,
): OrderEvent => ({
  id: deps.newEventId(),
  sequence: order.version,
  position,
  detail_type: detailType,
  occurred_at: order.updatedAt,
  tenant_id: order.tenantId,
  order_id: order.id,
  correlation_id: order.correlationId,
  order_status: order.status,
});

/**
 * Publishes what is in the order's outbox, oldest first, and clears it: the outbox a write just
 * answered when there is one (nothing to read back), else as stored.
 */
export const flushOrderEvents = async (
  deps: TransitionDeps,
  tenantId: string,
  orderId: string,
  outbox?: readonly OrderEvent[],
): Promise<void> => {
  try {
    const pending = outbox ?? (await deps.orders.pendingEvents(tenantId, orderId));
    if (pending.length === 0) return;
    await deps.events.publish(pending);
    await deps.orders.markPublished(
      tenantId,
      orderId,
      pending.map((event) => event.id),
    );
  } catch (error) {
    deps.warn("order events not published yet; the reconciliation sweep will retry", error);
  }
};

/**
 * Moves an order, in one conditional write that also puts the move's events in the order's
 * outbox; then audits it and publishes the events (together). Throws AVF_409_INVALID_STATE for an
 * illegal move and OrderConflict when another writer got there first.
 */
export const moveOrder = async (
  deps: TransitionDeps,
  order: Order,
  to: OrderStatus,
  actor: string,
  options: {
    change?: OrderChange;
    reason?: string;
    extraEvents?: readonly string[];
    /** The events of this move instead of its status's own (a change made ISSUED again is `order.changed`). */
    events?: readonly string[];
  } = {},
): Promise<Order> => {
  const detailTypes = (options.events ?? [EVENT_OF_STATUS[to], ...(options.extraEvents ?? [])]).filter(
    (type): type is string => type !== undefined,
  );
  const next = transition(order, to, deps.now(), options.change, options.reason, detailTypes);
  return saveOrder(deps, order, next, detailTypes, { actor, reason: options.reason });
};

/**
 * Writes `next` over `order` in one conditional write that also puts `events` in its outbox,
 * then publishes the events, its audit entry beside them (and beside the answer, which does
 * not wait for it).
 * Throws OrderConflict when another writer got there first. Every order write goes through here.
 */
export const saveOrder = async (
  deps: TransitionDeps,
  order: Order,
  next: Order,
  events: readonly string[],
  by: { readonly actor: string; readonly reason?: string; readonly correlationId?: string },
): Promise<Order> => {
  const outbox = await deps.orders.save(
    order,
    next,
    events.map((type, position) => orderEvent(deps, next, type, position)),
  );
  await Promise.all([
    besideTheAnswer(deps, "audit entry", () =>
      deps.audit
        .record({
          tenantId: next.tenantId,
          orderId: next.id,
          from: order.status,
          to: next.status,
          version: next.version,
          actor: by.actor,
          correlationId: by.correlationId ?? next.correlationId,
          at: next.updatedAt,
          reason: by.reason,
        })
        .catch((error: unknown) => deps.warn("audit entry not written", error)),
    ),
    flushOrderEvents(deps, next.tenantId, next.id, outbox),
  ]);
  return next;
};

/**
 * Changes an order without moving its status (a release at DRCT recorded, some passengers
 * cancelled): one conditional write on the version read, with the change's events in the
 * outbox; then an AuditLog entry (from and to the same status, with the reason) and the events.
 * Throws when another writer got there first, as moveOrder does.
 */
export const changeOrder = async (
  deps: TransitionDeps,
  order: Order,
  actor: string,
  options: { change: OrderChange; reason: string; events?: readonly string[] },
): Promise<Order> => {
  const events = options.events ?? [];
  const next = amend(order, options.change, deps.now(), options.reason, events);
  return saveOrder(deps, order, next, events, { actor, reason: options.reason });
};
