/**
 * DRCT's flights: the airline's schedule changes of booked flights and live flight status
 * (docs/DRCT-API.md §5.8–5.10, controls §9). A schedule change moves a booking's segments
 * and is announced to the gateway (notifier.ts); flight status is what the control set,
 * else `scheduled`, for any flight DRCT knows (in an offer or a booking).
 */
import { randomInt } from "node:crypto";
import { HttpError, type Reply } from "./http";
import type { DrctNotifier } from "./notifier";
import type { SimSegment } from "./offers";
import type { SimOrder, SimScheduleChange, SimState } from "./state";

export const FLIGHT_STATUSES = ["scheduled", "delayed", "departed", "landed", "cancelled"] as const;
export type FlightStatusValue = (typeof FLIGHT_STATUSES)[number];

interface LiveStatus {
  status: FlightStatusValue;
  delayMinutes: number;
}

const shift = (iso: string, minutes: number): string =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString().replace(".000Z", "Z");

/** `LH1234` and `1234` both name LH's flight 1234. */
const sameFlight = (segment: SimSegment, carrier: string, flightNumber: string): boolean =>
  segment.carrier === carrier &&
  (segment.flight_number === flightNumber || segment.flight_number === `${carrier}${flightNumber}`);

const flightKey = (carrier: string, flightNumber: string, date: string): string =>
  `${carrier}|${flightNumber.startsWith(carrier) ? flightNumber.slice(carrier.length) : flightNumber}|${date}`;

export class FlightResource {
  private readonly live = new Map<string, LiveStatus>();

  constructor(
    private readonly state: SimState,
    private readonly notifier: DrctNotifier,
  ) {}

  reset(): void {
    this.live.clear();
  }

  /** `POST /__sim/schedule-change {drct_order_id?, minutes}`: the airline moves the flights of one booking or of all. */
  scheduleChange(body: Record<string, unknown>): Reply {
    const minutes = body.minutes;
    if (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes === 0 || Math.abs(minutes) > 7 * 1440) {
      throw new HttpError(400, "INVALID_REQUEST", "minutes must be a non-zero integer within a week");
    }
    const orderId = body.drct_order_id;
    if (orderId !== undefined && typeof orderId !== "string") {
      throw new HttpError(400, "INVALID_REQUEST", "drct_order_id must be a string");
    }
    const targets = [...this.state.orders.values()].filter(
      (order) =>
        (orderId === undefined || order.order_id === orderId) &&
        order.status !== "CANCELLED" &&
        (order.segments?.length ?? 0) > 0,
    );
    if (orderId !== undefined && targets.length === 0) {
      throw new HttpError(404, "ORDER_NOT_FOUND", "no live booking with this id");
    }
    const changed = targets.map((order) => this.move(order, minutes));
    this.state.save();
    for (const change of changed) this.notifier.notify(change);
    return { status: 200, body: { changed } };
  }

  private move(order: SimOrder, minutes: number): { order_id: string; change_id: string } {
    const old = order.segments ?? [];
    const moved = old.map((segment) => ({
      ...segment,
      departs_at: shift(segment.departs_at, minutes),
      arrives_at: shift(segment.arrives_at, minutes),
    }));
    const change: SimScheduleChange = {
      change_id: `SC${randomInt(10 ** 9, 10 ** 10 - 1)}`,
      minutes,
      detected_at: new Date().toISOString(),
      old_segments: old,
      new_segments: moved,
      status: "pending",
    };
    order.segments = moved;
    order.schedule_changes = [...(order.schedule_changes ?? []), change];
    order.updated_at = change.detected_at;
    return { order_id: order.order_id, change_id: change.change_id };
  }

  /** `POST /v1/orders/{id}/schedule-changes/{change_id}/acknowledge`: the traveller keeps the new times. Idempotent. */
  acknowledge(order: SimOrder, changeId: string): Reply {
    const change = order.schedule_changes?.find((candidate) => candidate.change_id === changeId);
    if (change === undefined) throw new HttpError(404, "SCHEDULE_CHANGE_NOT_FOUND", "unknown schedule change");
    if (order.status === "CANCELLED") throw new HttpError(409, "INVALID_STATE", "the order is CANCELLED");
    change.status = "acknowledged";
    this.state.save();
    return { status: 200, body: { order_id: order.order_id, change_id: changeId, status: change.status } };
  }

  /** `POST /__sim/flight-status {carrier, flight_number, date, status, delay_minutes?}`. */
  setStatus(body: Record<string, unknown>): Reply {
    const { carrier, flight_number: flightNumber, date, status, delay_minutes: delay } = body;
    if (typeof carrier !== "string" || typeof flightNumber !== "string" || typeof date !== "string") {
      throw new HttpError(400, "INVALID_REQUEST", "carrier, flight_number and date (YYYY-MM-DD) are required");
    }
    if (!FLIGHT_STATUSES.includes(status as FlightStatusValue)) {
      throw new HttpError(400, "INVALID_REQUEST", `status ∈ ${FLIGHT_STATUSES.join("|")}`);
    }
    if (delay !== undefined && (typeof delay !== "number" || !Number.isInteger(delay) || delay < 0)) {
      throw new HttpError(400, "INVALID_REQUEST", "delay_minutes must be a non-negative integer");
    }
    this.segmentOf(carrier, flightNumber, date);
    this.live.set(flightKey(carrier, flightNumber, date), {
      status: status as FlightStatusValue,
      delayMinutes: typeof delay === "number" ? delay : 0,
    });
    return { status: 200, body: this.view(carrier, flightNumber, date) };
  }

  /** `GET /v1/flights/status?carrier=&flight_number=&date=`. */
  status(url: URL): Reply {
    const carrier = url.searchParams.get("carrier");
    const flightNumber = url.searchParams.get("flight_number");
    const date = url.searchParams.get("date");
    if (carrier === null || flightNumber === null || date === null || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new HttpError(400, "INVALID_REQUEST", "carrier, flight_number and date (YYYY-MM-DD) are required");
    }
    return { status: 200, body: this.view(carrier, flightNumber, date) };
  }

  private view(carrier: string, flightNumber: string, date: string) {
    const segment = this.segmentOf(carrier, flightNumber, date);
    const live = this.live.get(flightKey(carrier, flightNumber, date)) ?? { status: "scheduled", delayMinutes: 0 };
    const delay = live.status === "cancelled" ? 0 : live.delayMinutes;
    const estimated = delay > 0 || live.status === "delayed";
    const departed = live.status === "departed" || live.status === "landed";
    return {
      carrier,
      flight_number: segment.flight_number,
      date,
      status: live.status,
      ...(delay > 0 ? { delay_minutes: delay } : {}),
      ...(segment.operating_carrier === undefined ? {} : { operating_carrier: segment.operating_carrier }),
      departure: {
        airport: segment.origin,
        scheduled: segment.departs_at,
        ...(estimated && !departed ? { estimated: shift(segment.departs_at, delay) } : {}),
        ...(departed ? { actual: shift(segment.departs_at, delay) } : {}),
      },
      arrival: {
        airport: segment.destination,
        scheduled: segment.arrives_at,
        ...(live.status !== "cancelled" && live.status !== "landed" && delay > 0
          ? { estimated: shift(segment.arrives_at, delay) }
          : {}),
        ...(live.status === "landed" ? { actual: shift(segment.arrives_at, delay) } : {}),
      },
    };
  }

  /** The flight as DRCT knows it, from a booking (current times) or else an offer; 404 otherwise. */
  private segmentOf(carrier: string, flightNumber: string, date: string): SimSegment {
    const matches = (segment: SimSegment) =>
      sameFlight(segment, carrier, flightNumber) && segment.departs_at.slice(0, 10) === date;
    for (const order of this.state.orders.values()) {
      const found = order.segments?.find(matches);
      if (found !== undefined) return found;
    }
    for (const offer of this.state.offers.values()) {
      const found = offer.flight.segments.find(matches);
      if (found !== undefined) return found;
    }
    throw new HttpError(404, "FLIGHT_NOT_FOUND", "no such flight on this date");
  }
}
