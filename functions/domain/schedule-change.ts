/**
 * Airline schedule changes of a booked order (CONTRACT.md §3 "Schedule change"): what DRCT
 * says the flights are now, compared with what the order knows, recorded once however many
 * times (and by whichever path: DRCT's notification or the sweep) it is seen.
 */
import { AvfError } from "./errors";
import type { Segment } from "./offer";
import { amend, invalidState, type Order, type OrderStatus, transition } from "./order";
import { activePassengers, passengerIdFor, passengerShare, type Refund } from "./passengers";

export type ScheduleChangeStatus = "pending" | "accepted" | "rejected";

export interface ScheduleChange {
  /** `sch_…` */
  readonly id: string;
  /** DRCT's id of the change, when it gave one: the same change seen twice is recorded once. */
  readonly supplierChangeId?: string;
  readonly detectedAt: string;
  readonly oldSegments: readonly Segment[];
  readonly newSegments: readonly Segment[];
  readonly status: ScheduleChangeStatus;
  readonly decidedAt?: string;
}

/** What DRCT reports of a booking's flights now. */
export interface ObservedSchedule {
  readonly supplierChangeId?: string;
  readonly segments: readonly Segment[];
}

/** Statuses in which an airline schedule change is recorded (CONTRACT.md §3). */
export const SCHEDULE_WATCHED: readonly OrderStatus[] = ["BOOKED", "ISSUED"];

const segmentKey = (segment: Segment): string =>
  [segment.carrier, segment.flight_number, segment.origin, segment.destination, segment.departs_at, segment.arrives_at]
    .map((part) => part.replace(/\.000Z$/, "Z"))
    .join("|");

/** Whether two itineraries fly the same flights at the same times. */
export const sameSchedule = (a: readonly Segment[], b: readonly Segment[]): boolean =>
  a.length === b.length && a.every((segment, index) => segmentKey(segment) === segmentKey(b[index] as Segment));

/**
 * The order with the change recorded (its segments now the airline's), or undefined when
 * there is nothing new: the order is not BOOKED/ISSUED, DRCT's change is already recorded, or
 * the flights are those the order already shows.
 */
export const recordScheduleChange = (
  order: Order,
  observed: ObservedSchedule,
  id: string,
  at: Date,
): Order | undefined => {
  const current = order.segments;
  if (!SCHEDULE_WATCHED.includes(order.status) || current === undefined || observed.segments.length === 0) {
    return undefined;
  }
  const known = order.scheduleChanges ?? [];
  if (observed.supplierChangeId !== undefined && known.some((c) => c.supplierChangeId === observed.supplierChangeId)) {
    return undefined;
  }
  if (sameSchedule(current, observed.segments)) return undefined;
  const when = at.toISOString();
  const change: ScheduleChange = {
    id,
    ...(observed.supplierChangeId === undefined ? {} : { supplierChangeId: observed.supplierChangeId }),
    detectedAt: when,
    oldSegments: current,
    newSegments: observed.segments,
    status: "pending",
  };
  return amend(
    order,
    { segments: observed.segments, scheduleChanges: [...known, change] },
    at,
    "the airline changed the schedule",
    ["order.schedule_changed"],
  );
};

export const findScheduleChange = (order: Order, changeId: string): ScheduleChange => {
  const change = order.scheduleChanges?.find((candidate) => candidate.id === changeId);
  if (change === undefined) {
    throw new AvfError("AVF_404_SCHEDULE_CHANGE_NOT_FOUND", "the order has no schedule change with this id", {
      details: { order_id: order.id, schedule_change_id: changeId },
    });
  }
  return change;
};

const decide = (order: Order, changeId: string, status: ScheduleChangeStatus, at: string) =>
  (order.scheduleChanges ?? []).map((change) =>
    change.id === changeId ? { ...change, status, decidedAt: at } : change,
  );

/**
 * The order with the change accepted (the new times kept), or undefined when it already was
 * (idempotent). A rejected change, or an order no longer BOOKED/ISSUED, cannot be accepted.
 */
export const acceptScheduleChange = (order: Order, changeId: string, at: Date): Order | undefined => {
  const change = findScheduleChange(order, changeId);
  if (change.status === "accepted") return undefined;
  if (change.status === "rejected") throw invalidState(order, "accept a rejected schedule change");
  if (!SCHEDULE_WATCHED.includes(order.status)) throw invalidState(order, "accept a schedule change");
  return amend(
    order,
    { scheduleChanges: decide(order, changeId, "accepted", at.toISOString()) },
    at,
    "the traveller accepted the airline's schedule change",
    [],
  );
};

/** Whether `changeId` may be rejected now: pending, on a BOOKED/ISSUED order. Throws otherwise. */
export const checkRejectable = (order: Order, changeId: string): "reject" | "already_rejected" => {
  const change = findScheduleChange(order, changeId);
  if (change.status === "rejected") return "already_rejected";
  if (change.status === "accepted") throw invalidState(order, "reject an accepted schedule change");
  if (!SCHEDULE_WATCHED.includes(order.status)) throw invalidState(order, "reject a schedule change");
  return "reject";
};

/**
 * Each travelling passenger's whole share of the price back, whatever the fare rules (the
 * airline broke the contract); passengers cancelled before keep the refund they got then.
 */
export const involuntaryRefunds = (order: Order, reference: string): Refund[] => [
  ...(order.refunds ?? []),
  ...activePassengers(order).map((index) => ({
    passengerId: passengerIdFor(order.id, index),
    amount: passengerShare(order.price.total, order.passengers.length, index),
    currency: order.price.currency,
    reference,
  })),
];

/** The order CANCELLED after its traveller refused the change: full refund, no penalty. */
export const rejectScheduleChange = (order: Order, changeId: string, refundReference: string, at: Date): Order => {
  const when = at.toISOString();
  const withDecision: Order = { ...order, scheduleChanges: decide(order, changeId, "rejected", when) };
  return transition(
    withDecision,
    "CANCELLED",
    at,
    {
      cancellation: { penalty: 0, refund_reference: refundReference, cancelled_at: when },
      refunds: involuntaryRefunds(order, refundReference),
      passengerStatuses: order.passengers.map(() => "CANCELLED" as const),
      scheduleChanges: withDecision.scheduleChanges,
    },
    "the traveller rejected the airline's schedule change",
  );
};

/** The ScheduleChange of the public API. */
export const toPublicScheduleChange = (change: ScheduleChange) => ({
  id: change.id,
  detected_at: change.detectedAt,
  old_segments: change.oldSegments,
  new_segments: change.newSegments,
  status: change.status,
});
