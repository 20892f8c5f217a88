import type { Order, OrderStatus } from "../domain/order";
import { SupplierError } from "../domain/supplier";
import { bookedChange, bookingFailure, bookingOf, isSupplierBusy } from "./book-order";
import { settleChange } from "./change-order";
import { expireOrder, holdToGiveBack } from "./expire-order";
import { issueKeyOf, ticketsOf } from "./issue-order";
import { flushOrderEvents, moveOrder, type TransitionDeps } from "./order-transitions";
import type { BookingWorkflow, CallContext, OfferSupplier, OrderSupplier, SupplierOrder, UsageMeter } from "./ports";

export interface ReconcileDeps extends TransitionDeps {
  readonly supplier: OrderSupplier & Pick<OfferSupplier, "price">;
  /** Meters a change the reconciliation completes. */
  readonly usage: UsageMeter;
  readonly booking: BookingWorkflow;
  /** How long an order may stay unconfirmed by DRCT before it is given up as FAILED. */
  readonly graceMs: number;
}

export const ACTOR_RECONCILIATION = "reconciliation";

/**
 * Settles an order whose outcome only DRCT knows, by asking DRCT for the booking made under
 * the order's own Idempotency-Key (never by booking again):
 * - PENDING / PENDING_RECONCILE: found → BOOKED (and `order.reconciled`); not found after the
 *   grace period → FAILED. A PENDING order DRCT has not seen lost its booking workflow (a crash
 *   before the call): the workflow is started again (unless it still runs). A PENDING_RECONCILE order DRCT has not seen never reached it (or its answer was lost before it committed): the booking is
 *   resumed — sent again under the order's own DRCT key, so still at most once — while its
 *   offer is on sale at no more than the price the agency accepted.
 * - ISSUING: DRCT issued → ISSUED; DRCT still only booked → issued here, under the order's own
 *   DRCT key (idempotent at DRCT), not queued again: a ticketing job in flight at a crash holds
 *   the order's FIFO group for the queue's visibility timeout; past the grace period → FAILED.
 * - BOOKED past its ticketing deadline, or EXPIRED with its hold not yet given back (the hold
 *   workflow did not get to it): expired and released at DRCT, as the workflow would have.
 * - CHANGING: DRCT applied the change → ISSUED with it; else applied now under the same key
 *   within the grace period; past it → ISSUED as it was (settleChange).
 * Also publishes any events of the order still in its outbox.
 */
export const reconcileOrder = async (deps: ReconcileDeps, order: Order, call: CallContext): Promise<OrderStatus> => {
  await flushOrderEvents(deps, order.tenantId, order.id);
  if (holdToGiveBack(order, deps.now())) return (await expireOrder(deps, order, call, ACTOR_RECONCILIATION)).status;
  if (order.status === "CHANGING") return (await settleChange(deps, order, call, deps.graceMs)).status;
  const age = deps.now().getTime() - Date.parse(order.updatedAt);
  if (order.status === "PENDING" || order.status === "PENDING_RECONCILE") {
    const found = await deps.supplier.findOrder(order.supplierBookingKey, call);
    if (found !== undefined) {
      const booked = await moveOrder(deps, order, "BOOKED", ACTOR_RECONCILIATION, {
        change: bookedChange(found),
        reason: "DRCT confirmed the booking",
        extraEvents: ["order.reconciled"],
      });
      return booked.status;
    }
    if (age < deps.graceMs) {
      if (order.status === "PENDING") await deps.booking.start(order);
      else return resumeBooking(deps, order, call);
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
    if (found?.status === "BOOKED" && age < deps.graceMs) return issueAgain(deps, order, found, call);
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

/** The part of an order's price that is DRCT's (before our markups), in minor units. */
const supplierTotal = (price: { readonly base: number; readonly taxes: number }, fees: number): number =>
  price.base + price.taxes + fees;

/**
 * Books again, under the same key, an order DRCT never confirmed: first its offer's current
 * price (gone → FAILED OFFER_EXPIRED; higher than the agency accepted → FAILED PRICE_CHANGED),
 * then the same booking. Booked → BOOKED; no answer again, or DRCT busy → left for the next
 * run (the grace period still bounds it); refused → FAILED with DRCT's reason.
 */
const resumeBooking = async (deps: ReconcileDeps, order: Order, call: CallContext): Promise<OrderStatus> => {
  const fail = async (failure: { code: string; message: string }) =>
    (
      await moveOrder(deps, order, "FAILED", ACTOR_RECONCILIATION, {
        change: { failure },
        extraEvents: ["order.reconciled"],
      })
    ).status;
  try {
    const offer = await deps.supplier.price(order.supplierOfferId, call);
    const accepted = supplierTotal(order.price, order.price.provider_fees);
    const current = supplierTotal(offer.price, offer.price.fees);
    if (offer.price.currency !== order.price.currency || current > accepted) {
      return await fail({
        code: "PRICE_CHANGED",
        message: `DRCT's price moved from ${accepted} to ${current} ${offer.price.currency} before the booking could be completed`,
      });
    }
    const booked = await deps.supplier.createOrder(bookingOf(order), call);
    const moved = await moveOrder(deps, order, "BOOKED", ACTOR_RECONCILIATION, {
      change: bookedChange(booked),
      reason: "booking resumed under the same key",
      extraEvents: ["order.reconciled"],
    });
    return moved.status;
  } catch (error) {
    if (!(error instanceof SupplierError)) throw error;
    if (error.outcomeUncertain || isSupplierBusy(error)) return order.status;
    return fail(bookingFailure(error));
  }
};

/**
 * Issues a booked order whose ticketing never finished, under the order's own issue key, so
 * whatever try DRCT already saw is this one. No answer or DRCT busy → left for the next run;
 * refused → FAILED with DRCT's reason.
 */
const issueAgain = async (
  deps: ReconcileDeps,
  order: Order,
  booked: SupplierOrder,
  call: CallContext,
): Promise<OrderStatus> => {
  try {
    const issued = await deps.supplier.issue(order.drctOrderId ?? booked.order_id, issueKeyOf(order), call);
    const moved = await moveOrder(deps, order, "ISSUED", ACTOR_RECONCILIATION, {
      change: { tickets: ticketsOf(issued) },
      reason: "ticketing resumed under the same key",
      extraEvents: ["order.reconciled"],
    });
    return moved.status;
  } catch (error) {
    if (!(error instanceof SupplierError)) throw error;
    if (error.kind !== "rejected" && error.kind !== "not_found") return order.status;
    const failed = await moveOrder(deps, order, "FAILED", ACTOR_RECONCILIATION, {
      change: { failure: { code: "TICKETING_REJECTED", message: `DRCT refused to issue (${error.kind})` } },
      extraEvents: ["order.reconciled"],
    });
    return failed.status;
  }
};
