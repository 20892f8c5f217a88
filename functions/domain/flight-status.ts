/** Live flight status (CONTRACT.md §3 "Flight status") and what counts as a disruption. */
import type { Segment } from "./offer";

export type FlightStatusValue = "scheduled" | "delayed" | "departed" | "landed" | "cancelled";

export interface FlightPoint {
  readonly airport: string;
  readonly scheduled: string;
  readonly estimated?: string;
  readonly actual?: string;
}

export interface FlightStatus {
  readonly carrier: string;
  readonly flight_number: string;
  readonly date: string;
  readonly status: FlightStatusValue;
  readonly delay_minutes?: number;
  readonly operating_carrier?: string;
  readonly departure: FlightPoint;
  readonly arrival: FlightPoint;
}

export interface FlightQuery {
  readonly carrier: string;
  readonly flightNumber: string;
  /** YYYY-MM-DD, the scheduled departure day. */
  readonly date: string;
}

/** A delay from this many minutes on is a disruption for the traveller (CONTRACT.md, issue #12). */
export const DISRUPTIVE_DELAY_MINUTES = 60;

/** `LH1234` and `1234` of carrier LH are one flight: the key never depends on how it was asked. */
export const flightNumberDigits = (carrier: string, flightNumber: string): string =>
  flightNumber.toUpperCase().startsWith(carrier.toUpperCase()) ? flightNumber.slice(carrier.length) : flightNumber;

/** One key per flight and day, whoever asks (shared across tenants: flight status is public). */
export const flightKey = (query: FlightQuery): string =>
  `${query.carrier.toUpperCase()}|${flightNumberDigits(query.carrier, query.flightNumber)}|${query.date}`;

/** Minutes late: DRCT's figure, else the estimated or actual departure against the scheduled one. */
export const delayMinutesOf = (status: FlightStatus): number => {
  if (status.delay_minutes !== undefined) return status.delay_minutes;
  const later = status.departure.actual ?? status.departure.estimated;
  if (later === undefined) return 0;
  return Math.max(0, Math.round((Date.parse(later) - Date.parse(status.departure.scheduled)) / 60_000));
};

/** What disrupts a booked traveller: a cancellation, or a delay of an hour or more. */
export const disruptionOf = (
  status: FlightStatus,
): { readonly kind: "cancelled" | "delayed"; readonly delayMinutes: number } | undefined => {
  if (status.status === "cancelled") return { kind: "cancelled", delayMinutes: 0 };
  const delay = delayMinutesOf(status);
  return delay >= DISRUPTIVE_DELAY_MINUTES ? { kind: "delayed", delayMinutes: delay } : undefined;
};

/** Whether a booked segment is this flight. */
export const segmentIsFlight = (segment: Segment, query: FlightQuery): boolean =>
  segment.carrier.toUpperCase() === query.carrier.toUpperCase() &&
  flightNumberDigits(segment.carrier, segment.flight_number) ===
    flightNumberDigits(query.carrier, query.flightNumber) &&
  segment.departs_at.slice(0, 10) === query.date;

/** A booked flight's disruption as the order records it (one per flight and kind). */
export interface FlightDisruption {
  readonly carrier: string;
  readonly flight_number: string;
  readonly date: string;
  readonly kind: "delayed" | "cancelled";
  readonly delay_minutes?: number;
  readonly detected_at: string;
}

/** Flights departing within this long are watched for delays and cancellations by the sweep. */
export const DISRUPTION_WATCH_MS = 48 * 3_600_000;

/** The order's flights worth asking about now: not yet landed, departing within the watch window. */
export const flightsToWatch = (segments: readonly Segment[], now: Date): FlightQuery[] =>
  segments
    .filter(
      (segment) =>
        Date.parse(segment.arrives_at) > now.getTime() &&
        Date.parse(segment.departs_at) - now.getTime() <= DISRUPTION_WATCH_MS,
    )
    .map((segment) => ({
      carrier: segment.carrier,
      flightNumber: segment.flight_number,
      date: segment.departs_at.slice(0, 10),
    }));

/**
 * The disruption to record for an order from a flight's status, or undefined: not
 * disruptive, not one of its flights, or already recorded (same flight, same kind).
 */
export const newDisruption = (
  segments: readonly Segment[],
  known: readonly FlightDisruption[],
  status: FlightStatus,
  at: Date,
): FlightDisruption | undefined => {
  const disruption = disruptionOf(status);
  if (disruption === undefined) return undefined;
  const query = { carrier: status.carrier, flightNumber: status.flight_number, date: status.date };
  if (!segments.some((segment) => segmentIsFlight(segment, query))) return undefined;
  const key = flightKey(query);
  const seen = known.some(
    (entry) =>
      flightKey({ carrier: entry.carrier, flightNumber: entry.flight_number, date: entry.date }) === key &&
      entry.kind === disruption.kind,
  );
  if (seen) return undefined;
  return {
    carrier: status.carrier,
    flight_number: status.flight_number,
    date: status.date,
    kind: disruption.kind,
    ...(disruption.kind === "delayed" ? { delay_minutes: disruption.delayMinutes } : {}),
    detected_at: at.toISOString(),
  };
};
