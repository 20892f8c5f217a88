import type { Order, OrderStatus } from "../domain/order";
import { ticketsOf } from "./issue-order";
import { flushOrderEvents, moveOrder, type TransitionDeps } from "./order-transitions";
import type { BookingWorkflow, CallContext, OrderSupplier, TicketingQueue } from "./ports";

export interface ReconcileDeps extends TransitionDeps {
  readonly supplier: OrderSupplier;
  readonly ticketing: TicketingQueue;
  readonly booking: BookingWorkflow;
  /** How long an order may stay unconfirmed by DRCT before it is given up as FAILED. */
  readonly graceMs: number;
}

export const ACTOR_RECONCILIATION = "reconciliation";

/**
 * Settles an order whose outcome only DRCT knows, by asking DRCT for the booking made under
 * the order's own Idempotency-Key (never by booking again):
 * - PENDING / PENDING_RECONCILE: found → BOOKED (and `order.reconciled`); not found after the
 *   grace period → FAILED; else left for the next run. A PENDING order DRCT has not seen lost
 *   its booking workflow (a crash before the call): the workflow is started again (under a
 *   resume name: the first one is taken), and books under the order's own DRCT key, so
 *   still at most once.
 * - ISSUING: DRCT issued → ISSUED; DRCT still only booked → the ticketing job is queued again
 *   (issuing is idempotent at DRCT); past the grace period → FAILED.
 * Also publishes any events of the order still in its outbox.
 */
export const reconcileOrder = async (deps: ReconcileDeps, order: Order, call: CallContext): Promise<OrderStatus> => {
  await flushOrderEvents(deps, order.tenantId, order.id);
  const age = deps.now().getTime() - Date.parse(order.updatedAt);
  if (order.status === "PENDING" || order.status === "PENDING_RECONCILE") {
    const found = await deps.supplier.findOrder(order.supplierBookingKey, call);
    if (found !== undefined) {
      const booked = await moveOrder(deps, order, "BOOKED", ACTOR_RECONCILIATION, {
        change: { drctOrderId: found.order_id },
        reason: "DRCT confirmed the booking",
        extraEvents: ["order.reconciled"],
      });
      return booked.status;
    }
    if (age < deps.graceMs) {
      if (order.status === "PENDING") await deps.booking.start(order, "resume");
      return order.status;
    }
    const failed = await moveOrder(deps, order, "FAILED", ACTOR_RECONCILIATION, {
      change: { failure: { code: "BOOKING_NOT_CONFIRMED", message: "DRCT has no booking for this order" } },
      extraEvents: ["order.reconciled"],
    });
    return failed.status;
  }
  if (order.status === "ISSUING") {
    const found = await deps.supplier.findOrder(order.supplierBookingKey, call);
    if (found?.status === "ISSUED") {
      const issued = await moveOrder(deps, order, "ISSUED", ACTOR_RECONCILIATION, {
        change: { tickets: ticketsOf(found) },
        extraEvents: ["order.reconciled"],
      });
      return issued.status;
    }
    if (found?.status === "BOOKED" && age < deps.graceMs) {
      await deps.ticketing.enqueue({ tenantId: order.tenantId, orderId: order.id, correlationId: order.correlationId });
      return order.status;
    }
    if (age >= deps.graceMs) {
      const failed = await moveOrder(deps, order, "FAILED", ACTOR_RECONCILIATION, {
        change: { failure: { code: "TICKETING_NOT_CONFIRMED", message: "DRCT did not issue the tickets" } },
        extraEvents: ["order.reconciled"],
      });
      return failed.status;
    }
  }
  return order.status;
};
