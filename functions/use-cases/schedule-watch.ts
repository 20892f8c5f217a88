/**
 * The sweep's half of learning of schedule changes (the other half is DRCT's notification):
 * booked and issued orders whose flights are still ahead are re-read at DRCT, each again a
 * jittered interval after its last check, so the reads spread over time; they go through
 * DRCT's `order_read` budget, which no search, booking or reconciliation uses.
 */
import {
  type FlightDisruption,
  type FlightQuery,
  type FlightStatus,
  flightsToWatch,
  newDisruption,
} from "../domain/flight-status";
import { amend, type Order } from "../domain/order";
import { SCHEDULE_WATCHED } from "../domain/schedule-change";
import { saveOrder } from "./order-transitions";
import type { CallContext } from "./ports";
import { ACTOR_SCHEDULE, observeSchedule, type ScheduleChangeDeps } from "./schedule-changes";

export interface OrderRef {
  readonly tenantId: string;
  readonly orderId: string;
}

export interface ScheduleWatch {
  /** Watched orders due for a check at `now` (ISO), the longest-waiting first. */
  due(now: string, limit: number): Promise<OrderRef[]>;
  /** Next check at `nextDue` (ISO); undefined takes the order off the watch (its flights are behind it). */
  checked(tenantId: string, orderId: string, nextDue: string | undefined): Promise<void>;
  /** Our order behind DRCT's booking reference. */
  findByDrctOrderId(drctOrderId: string): Promise<OrderRef | undefined>;
}

/** Checks per sweep: at DRCT's order_read budget (4/s) about 25 s of reads; 25 rounds of the Map within the sweep's budget. */
export const SCHEDULE_CHECKS_PER_SWEEP = 100;

export interface ScheduleWatchDeps extends ScheduleChangeDeps {
  readonly watch: ScheduleWatch;
  /** About how often one order is re-read (RECONCILE_INTERVAL_S): each next check falls in [½, 1] of it. */
  readonly periodMs: number;
  readonly random: () => number;
  /** A flight's live status, shared with the flight status route (cached briefly, one DRCT call per flight). */
  readonly flightStatus: (query: FlightQuery, call: CallContext) => Promise<FlightStatus>;
}

export const FLIGHT_DISRUPTED = "order.flight_disrupted";

/** The sweep's schedule checks due now, as the workflow's Map items. */
export const scheduleChecksDue = async (
  watch: Pick<ScheduleWatch, "due">,
  now: Date,
  limit = SCHEDULE_CHECKS_PER_SWEEP,
): Promise<{ order_id: string; tenant_id: string }[]> =>
  (await watch.due(now.toISOString(), limit)).map((ref) => ({ order_id: ref.orderId, tenant_id: ref.tenantId }));

/** Whether any of the order's flights is still ahead of `now`. */
export const flightsAhead = (order: Pick<Order, "segments">, now: Date): boolean =>
  (order.segments ?? []).some((segment) => Date.parse(segment.arrives_at) > now.getTime());

export type ScheduleCheckOutcome = "changed" | "unchanged" | "unwatched";

/**
 * Re-reads one watched order at DRCT and records a schedule change, if any; then sets its
 * next check. An order no longer BOOKED/ISSUED, or whose flights are all behind it, leaves
 * the watch. A failure (DRCT busy) leaves the order due: the next sweep takes it first.
 */
export const checkSchedule = async (
  deps: ScheduleWatchDeps,
  order: Order,
  call: CallContext,
): Promise<ScheduleCheckOutcome> => {
  const now = deps.now();
  if (!SCHEDULE_WATCHED.includes(order.status) || !flightsAhead(order, now)) {
    await deps.watch.checked(order.tenantId, order.id, undefined);
    return "unwatched";
  }
  const { order: observed, recorded } = await observeSchedule(deps, order, call);
  await watchFlights(deps, observed, call);
  const next = new Date(now.getTime() + Math.round(deps.periodMs * (0.5 + 0.5 * deps.random())));
  await deps.watch.checked(order.tenantId, order.id, next.toISOString());
  return recorded ? "changed" : "unchanged";
};

/**
 * Asks the live status of the order's flights departing soon (DISRUPTION_WATCH_MS) and
 * records a delay of an hour or more, or a cancellation, once per flight and kind, with an
 * `order.flight_disrupted` event each. A status DRCT cannot give now is asked again next time.
 */
export const watchFlights = async (deps: ScheduleWatchDeps, order: Order, call: CallContext): Promise<Order> => {
  const now = deps.now();
  const found: FlightDisruption[] = [];
  for (const query of flightsToWatch(order.segments ?? [], now)) {
    try {
      const status = await deps.flightStatus(query, call);
      const disruption = newDisruption(order.segments ?? [], [...(order.disruptions ?? []), ...found], status, now);
      if (disruption !== undefined) found.push(disruption);
    } catch (error) {
      deps.warn("flight status not available; asked again at the next check", error);
    }
  }
  if (found.length === 0) return order;
  const reason = "DRCT reported a flight disrupted";
  const events = found.map(() => FLIGHT_DISRUPTED);
  const next = amend(order, { disruptions: [...(order.disruptions ?? []), ...found] }, now, reason, events);
  return saveOrder(deps, order, next, events, { actor: ACTOR_SCHEDULE, reason });
};
