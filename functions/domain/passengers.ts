/**
 * The passengers of an order as the lifecycle after booking sees them: a stable id each
 * (`pas_…`, derived from the order id and the passenger's place, so it needs no storage and
 * carries nothing personal), a status, and the rules of cancelling some of them.
 */
import { createHash } from "node:crypto";
import { validationError } from "./errors";

export const PASSENGER_STATUSES = ["ACTIVE", "CANCELLED"] as const;

export type PassengerStatus = (typeof PASSENGER_STATUSES)[number];

/** Money returned for one cancelled passenger, in minor units of `currency`. */
export interface Refund {
  readonly passengerId: string;
  readonly amount: number;
  readonly currency: string;
  readonly reference: string;
}

/** The order fields these rules read. */
export interface PassengerList {
  readonly id: string;
  readonly passengers: readonly { readonly type: "adult" | "child" | "infant" }[];
  /** By passenger index; absent (or shorter) means ACTIVE. */
  readonly passengerStatuses?: readonly PassengerStatus[];
}

export const passengerIdFor = (orderId: string, index: number): string =>
  `pas_${createHash("sha256").update(`${orderId}\u0000passenger\u0000${index}`).digest("base64url").slice(0, 20)}`;

export const passengerStatusOf = (order: PassengerList, index: number): PassengerStatus =>
  order.passengerStatuses?.[index] ?? "ACTIVE";

/** Indexes of the passengers still travelling. */
export const activePassengers = (order: PassengerList): number[] =>
  order.passengers.flatMap((_, index) => (passengerStatusOf(order, index) === "ACTIVE" ? [index] : []));

/**
 * Infants travel on an adult's lap: the k-th infant on the k-th adult's (an order has no more
 * infants than adults). Answers the infant's index on adult `adultIndex`'s lap, if any.
 */
export const lapInfantOf = (order: PassengerList, adultIndex: number): number | undefined => {
  const adults = order.passengers.flatMap((passenger, index) => (passenger.type === "adult" ? [index] : []));
  const infants = order.passengers.flatMap((passenger, index) => (passenger.type === "infant" ? [index] : []));
  const position = adults.indexOf(adultIndex);
  return position === -1 ? undefined : infants[position];
};

/**
 * The passengers a cancellation of `passengerIds` takes, by index, ascending: the named ones
 * still ACTIVE, and the infant on each named adult's lap. Unknown ids are AVF_400_VALIDATION.
 * Throws `reason` (via `refuse`) when the travellers left would be children without an adult.
 */
export const passengersToCancel = (
  order: PassengerList,
  passengerIds: readonly string[],
  refuse: (reason: string) => Error,
): number[] => {
  const indexById = new Map(order.passengers.map((_, index) => [passengerIdFor(order.id, index), index]));
  const unknown = passengerIds.flatMap((id, position) =>
    indexById.has(id) ? [] : [{ path: `passenger_ids.${position}`, message: "is not a passenger of this order" }],
  );
  if (unknown.length > 0) throw validationError(unknown);
  const chosen = new Set<number>();
  for (const id of passengerIds) {
    const index = indexById.get(id) as number;
    if (passengerStatusOf(order, index) !== "ACTIVE") continue;
    chosen.add(index);
    const infant = lapInfantOf(order, index);
    if (infant !== undefined && passengerStatusOf(order, infant) === "ACTIVE") chosen.add(infant);
  }
  const left = activePassengers(order).filter((index) => !chosen.has(index));
  if (left.length > 0 && !left.some((index) => order.passengers[index]?.type === "adult")) {
    throw refuse("children and infants cannot travel without an adult");
  }
  return [...chosen].sort((a, b) => a - b);
};

/** Passenger `index`'s share of `total` when it is split evenly over `count`: the shares sum to total exactly. */
export const passengerShare = (total: number, count: number, index: number): number =>
  Math.floor((total * (index + 1)) / count) - Math.floor((total * index) / count);

/** The statuses after `cancelled` (indexes) are CANCELLED. */
export const withCancelled = (order: PassengerList, cancelled: readonly number[]): PassengerStatus[] =>
  order.passengers.map((_, index) => (cancelled.includes(index) ? "CANCELLED" : passengerStatusOf(order, index)));
