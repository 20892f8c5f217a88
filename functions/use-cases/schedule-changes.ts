/**
 * Airline schedule changes (CONTRACT.md §3 "Schedule change"): learnt from DRCT's
 * notification or from the sweep's re-reading of booked orders, both through
 * `observeSchedule`, which records a change once however often it is seen; then accepted
 * (acknowledged at DRCT) or rejected (an involuntary cancellation, fully refunded).
 */
import type { FlightQuery, FlightStatus } from "../domain/flight-status";
import type { Order } from "../domain/order";
import {
  acceptScheduleChange,
  checkRejectable,
  findScheduleChange,
  type ObservedSchedule,
  recordScheduleChange,
  rejectScheduleChange,
  SCHEDULE_WATCHED,
} from "../domain/schedule-change";
import { SupplierError } from "../domain/supplier";
import { orderNotFound } from "./issue-order";
import { saveOrder, type TransitionDeps } from "./order-transitions";
import type { CallContext, SupplierOrder } from "./ports";

/** DRCT's calls about disruptions, guarded like every other (budgets, breaker, retries). */
export interface DisruptionSupplier {
  /** DRCT's order by its id, with its flights as the airline runs them now. */
  readOrder(drctOrderId: string, call: CallContext): Promise<SupplierOrder>;
  /** An involuntary cancellation: the traveller refused the airline's change; a full refund. */
  cancelInvoluntarily(drctOrderId: string, call: CallContext): Promise<SupplierOrder>;
  acknowledgeScheduleChange(drctOrderId: string, supplierChangeId: string, call: CallContext): Promise<void>;
  flightStatus(query: FlightQuery, call: CallContext): Promise<FlightStatus>;
}

export interface ScheduleChangeDeps extends TransitionDeps {
  readonly supplier: DisruptionSupplier;
  readonly newScheduleChangeId: () => string;
}

export const ACTOR_SCHEDULE = "schedule-watch";
export const SCHEDULE_CHANGED = "order.schedule_changed";

/** What DRCT's order says of its flights: the segments and its latest schedule change. */
export const observedOf = (drct: SupplierOrder): ObservedSchedule | undefined => {
  if (drct.segments === undefined || drct.segments.length === 0) return undefined;
  const latest = drct.schedule_changes?.at(-1)?.change_id;
  return { segments: drct.segments, ...(latest === undefined ? {} : { supplierChangeId: latest }) };
};

/**
 * Records what DRCT reports of the order's flights, once: a second sighting of the same
 * change (by DRCT's change id or by identical flights) changes nothing. A change is written
 * with `order.schedule_changed` in the order's outbox in one conditional write; a writer that
 * got there first makes it throw (OrderConflict), and the queue or the next sweep decides
 * again on a fresh read.
 */
export const recordObservedSchedule = async (
  deps: ScheduleChangeDeps,
  order: Order,
  observed: ObservedSchedule,
): Promise<{ readonly order: Order; readonly recorded: boolean }> => {
  const next = recordScheduleChange(order, observed, deps.newScheduleChangeId(), deps.now());
  if (next === undefined) return { order, recorded: false };
  await saveOrder(deps, order, next, [SCHEDULE_CHANGED], {
    actor: ACTOR_SCHEDULE,
    reason: "the airline changed the schedule",
  });
  return { order: next, recorded: true };
};

/**
 * Asks DRCT for the order's flights and records a change, if any. Orders that are not
 * BOOKED/ISSUED, or not at DRCT yet, are left alone.
 */
export const observeSchedule = async (
  deps: ScheduleChangeDeps,
  order: Order,
  call: CallContext,
): Promise<{ readonly order: Order; readonly recorded: boolean }> => {
  if (!SCHEDULE_WATCHED.includes(order.status) || order.drctOrderId === undefined) {
    return { order, recorded: false };
  }
  const observed = observedOf(await deps.supplier.readOrder(order.drctOrderId, call));
  if (observed === undefined) return { order, recorded: false };
  return recordObservedSchedule(deps, order, observed);
};

const loadOrder = async (deps: ScheduleChangeDeps, tenantId: string, orderId: string): Promise<Order> => {
  const order = await deps.orders.get(tenantId, orderId);
  if (order === undefined) throw orderNotFound();
  return order;
};

/**
 * The traveller keeps the new times: acknowledged at DRCT (when DRCT named the change), then
 * recorded `accepted`. Accepting again answers the order as it is.
 */
export const acceptScheduleChangeOf = async (
  deps: ScheduleChangeDeps,
  tenantId: string,
  orderId: string,
  changeId: string,
  call: CallContext,
): Promise<Order> => {
  const order = await loadOrder(deps, tenantId, orderId);
  const next = acceptScheduleChange(order, changeId, deps.now());
  if (next === undefined) return order;
  const change = findScheduleChange(order, changeId);
  if (change.supplierChangeId !== undefined && order.drctOrderId !== undefined) {
    // Idempotent at DRCT: a retry after a lost answer acknowledges the same change again.
    await deps.supplier.acknowledgeScheduleChange(order.drctOrderId, change.supplierChangeId, call);
  }
  return saveOrder(deps, order, next, [], {
    actor: `tenant:${tenantId}`,
    reason: "schedule change accepted",
    correlationId: call.correlationId,
  });
};

/**
 * The traveller refuses the change: DRCT cancels involuntarily (a full refund whatever the
 * fare rules), the order becomes CANCELLED with refunds summing to its total. Rejecting
 * again answers the cancelled order.
 */
export const rejectScheduleChangeOf = async (
  deps: ScheduleChangeDeps,
  tenantId: string,
  orderId: string,
  changeId: string,
  call: CallContext,
): Promise<Order> => {
  const order = await loadOrder(deps, tenantId, orderId);
  if (checkRejectable(order, changeId) === "already_rejected") return order;
  if (order.drctOrderId === undefined) throw new Error(`order ${order.id} is BOOKED without a DRCT order id`);
  const cancelled = await deps.supplier.cancelInvoluntarily(order.drctOrderId, call).catch((error: unknown) => {
    if (error instanceof SupplierError && error.kind === "not_found") {
      throw new SupplierError("rejected", "DRCT does not know this order's booking", { cause: error });
    }
    throw error;
  });
  const next = rejectScheduleChange(order, changeId, cancelled.refund_reference ?? `RF-${order.id}`, deps.now());
  return saveOrder(deps, order, next, ["order.cancelled"], {
    actor: `tenant:${tenantId}`,
    reason: "schedule change rejected: involuntary",
    correlationId: call.correlationId,
  });
};
