import type { Order, OrderStatus } from "../domain/order";
import { SupplierError } from "../domain/supplier";
import { moveOrder, type TransitionDeps } from "./order-transitions";
import type { CallContext, OrderSupplier, SupplierBooking, SupplierOrder } from "./ports";

export interface BookOrderDeps extends TransitionDeps {
  readonly supplier: OrderSupplier;
}

/** DRCT was not called, or refused for now: the workflow retries the booking later. */
export class SupplierBusy extends Error {
  override readonly name = "SupplierBusy";
}

export const ACTOR_BOOKING = "workflow:booking";

/**
 * What DRCT is asked to book for an order: always built from the stored order, so a resumed
 * booking sends exactly the body of the first one under the same key (DRCT replays it, or
 * books it now, never twice).
 */
export const bookingOf = (order: Order): SupplierBooking => ({
  supplierOfferId: order.supplierOfferId,
  idempotencyKey: order.supplierBookingKey,
  passengers: order.passengers,
  contact: order.contact,
  externalRef: order.externalRef,
});

/** What a DRCT booking tells the order: DRCT's reference and until when it holds the booking unissued. */
export const bookedChange = (booked: SupplierOrder) => ({
  drctOrderId: booked.order_id,
  ...(booked.ticketing_deadline === undefined ? {} : { ticketingDeadline: booked.ticketing_deadline }),
});

/** A refusal that DRCT may lift later: not the booking's fault, so it is tried again, not failed. */
export const isSupplierBusy = (error: SupplierError): boolean =>
  error.kind === "circuit_open" || error.kind === "rate_limited" || error.kind === "unauthorized";

/** Why DRCT's definite refusal of a booking failed the order. */
export const bookingFailure = (error: SupplierError) => ({
  code: error.kind === "not_found" ? "OFFER_EXPIRED" : "BOOKING_REJECTED",
  message:
    error.kind === "not_found"
      ? "DRCT no longer sells this offer; search again"
      : `DRCT refused the booking${error.supplierCode === undefined ? "" : ` (${error.supplierCode})`}`,
});

/**
 * The booking step of the order workflow. Booked → BOOKED; an answer we did not get (a
 * timeout, a 5xx) → PENDING_RECONCILE, because DRCT may have booked; a definite refusal →
 * FAILED with its reason; DRCT not reachable right now (breaker open, budget, our token) →
 * SupplierBusy, so the workflow retries. Re-running it for a settled order changes nothing.
 */
export const bookOrder = async (deps: BookOrderDeps, order: Order, call: CallContext): Promise<OrderStatus> => {
  if (order.status !== "PENDING") return order.status;
  try {
    const booked = await deps.supplier.createOrder(bookingOf(order), call);
    return (await moveOrder(deps, order, "BOOKED", ACTOR_BOOKING, { change: bookedChange(booked) })).status;
  } catch (error) {
    if (!(error instanceof SupplierError)) throw error;
    if (error.outcomeUncertain) {
      const next = await moveOrder(deps, order, "PENDING_RECONCILE", ACTOR_BOOKING, {
        reason: `no answer from DRCT (${error.kind}); asking it again later`,
      });
      return next.status;
    }
    if (isSupplierBusy(error)) throw new SupplierBusy(`DRCT cannot take the booking now (${error.kind})`);
    const failed = await moveOrder(deps, order, "FAILED", ACTOR_BOOKING, {
      change: { failure: bookingFailure(error) },
    });
    return failed.status;
  }
};
