/**
 * `GET /public/flights/status` (CONTRACT.md §3 "Flight status"): DRCT's live status of one
 * flight, one DRCT call per flight and short window whoever asks (every tenant shares it:
 * a flight's status is public), counted against the DRCT budgets by the guarded supplier.
 */
import { AvfError } from "../domain/errors";
import { type FlightQuery, type FlightStatus, flightKey } from "../domain/flight-status";
import { SupplierError } from "../domain/supplier";
import type { CallContext } from "./ports";
import type { DisruptionSupplier } from "./schedule-changes";

/** Shares one DRCT call per key among every caller while it runs and for a short window after. */
export interface FlightStatusCoalescer {
  run(
    key: string,
    deadlineAt: number,
    lead: () => Promise<FlightStatus>,
  ): Promise<{ readonly value: FlightStatus; readonly role: "leader" | "joined" }>;
}

export interface FlightStatusDeps {
  readonly supplier: Pick<DisruptionSupplier, "flightStatus">;
  readonly coalescer: FlightStatusCoalescer;
}

export const flightNotFound = (query: FlightQuery): AvfError =>
  new AvfError("AVF_404_FLIGHT_NOT_FOUND", "DRCT knows no such flight on this date", {
    details: { carrier: query.carrier, flight_number: query.flightNumber, date: query.date },
  });

export const getFlightStatus = async (
  deps: FlightStatusDeps,
  query: FlightQuery,
  call: CallContext,
): Promise<{ readonly status: FlightStatus; readonly role: "leader" | "joined" }> => {
  try {
    const { value, role } = await deps.coalescer.run(`status#${flightKey(query)}`, call.deadlineAt, () =>
      deps.supplier.flightStatus(query, call),
    );
    return { status: value, role };
  } catch (error) {
    if (error instanceof SupplierError && error.kind === "not_found") throw flightNotFound(query);
    throw error;
  }
};
