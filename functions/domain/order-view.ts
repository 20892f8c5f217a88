import { maskDocumentNumber, type Order } from "./order";
import { passengerIdFor, passengerStatusOf } from "./passengers";
import { toPublicScheduleChange } from "./schedule-change";

/** The Order of the public API (CONTRACT.md §3): document numbers masked, contact left out. */
export const toPublicOrder = (order: Order) => ({
  id: order.id,
  status: order.status,
  offer_id: order.offerId,
  price: order.price,
  passengers: order.passengers.map((passenger, index) => ({
    id: passengerIdFor(order.id, index),
    status: passengerStatusOf(order, index),
    type: passenger.type,
    given_name: passenger.given_name,
    family_name: passenger.family_name,
    birth_date: passenger.birth_date,
    gender: passenger.gender,
    ...(passenger.document === undefined
      ? {}
      : { document: { ...passenger.document, number: maskDocumentNumber(passenger.document.number) } }),
  })),
  ...(order.tickets === undefined ? {} : { tickets: order.tickets }),
  ...(order.drctOrderId === undefined ? {} : { drct_order_id: order.drctOrderId }),
  // Only while it matters: once issued, cancelled or expired, the deadline is history.
  ...(order.status === "BOOKED" && order.ticketingDeadline !== undefined
    ? { ticketing_deadline: order.ticketingDeadline }
    : {}),
  ...(order.externalRef === undefined ? {} : { external_ref: order.externalRef }),
  ...(order.callbackUrl === undefined ? {} : { callback_url: order.callbackUrl }),
  ...(order.failure === undefined ? {} : { failure: order.failure }),
  ...(order.cancellation === undefined ? {} : { cancellation: order.cancellation }),
  ...(order.segments === undefined ? {} : { segments: order.segments }),
  ...(order.changes === undefined
    ? {}
    : {
        changes: order.changes.map((change) => ({
          change_offer_id: change.changeOfferId,
          total_due: change.totalDue,
          currency: change.currency,
          applied_at: change.appliedAt,
        })),
      }),
  ...(order.refunds === undefined
    ? {}
    : {
        refunds: order.refunds.map((refund) => ({
          passenger_id: refund.passengerId,
          amount: refund.amount,
          currency: refund.currency,
          reference: refund.reference,
        })),
      }),
  ...(order.disruptions === undefined ? {} : { disruptions: order.disruptions }),
  ...(order.scheduleChanges === undefined
    ? {}
    : { schedule_changes: order.scheduleChanges.map(toPublicScheduleChange) }),
  created_at: order.createdAt,
  updated_at: order.updatedAt,
  // The status moves: writes that kept the status (a release, a schedule change…) keep an
  // entry of their own for the event check, but the order's history shows moves.
  history: order.history
    .filter((entry, index) => index === 0 || entry.status !== order.history[index - 1]?.status)
    .map(({ status, at, reason }) => ({ status, at, ...(reason === undefined ? {} : { reason }) })),
  ...(order.personalDataErased === true ? { personal_data_erased: true as const } : {}),
});

export type PublicOrder = ReturnType<typeof toPublicOrder>;
