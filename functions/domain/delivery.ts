/**
 * A partner callback Delivery: one order event, one webhook-id, sent until the partner takes
 * it (2xx), refuses it for good (a 4xx but 408/429), or the retry schedule runs out
 * (dead-lettered, still replayable).
 */
export type DeliveryStatus = "pending" | "delivered" | "blocked" | "dead_lettered";

export interface DeliveryAttempt {
  readonly number: number;
  readonly at: string;
  readonly outcome: "delivered" | "retry" | "blocked";
  readonly status_code?: number;
  readonly error?: string;
  readonly latency_ms: number;
}

export interface Delivery {
  readonly id: string;
  readonly tenantId: string;
  readonly orderId: string;
  readonly eventType: string;
  /** The order version the event came from: an order's deliveries go out in this order. */
  readonly sequence: number;
  /** Standard Webhooks' webhook-id: the same for every attempt and every replay. */
  readonly webhookId: string;
  readonly url: string;
  /**
   * When the event happened: the body's `timestamp`. The body itself is never stored (it
   * carries passenger names): each attempt builds it from the stored order.
   */
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly status: DeliveryStatus;
  readonly attempts: readonly DeliveryAttempt[];
  /** When the current round of attempts began (creation, or the last replay). */
  readonly roundStartedAt: string;
  /** Attempts made before the current round (earlier rounds). */
  readonly roundFirstAttempt: number;
  readonly replays: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** The longest one attempt may take (DNS, connect, TLS, answer): a slow partner costs others at most this. */
export const CALLBACK_ATTEMPT_MAX_MS = 5_000;

/** How long a delivery and its attempts are kept after its last change. */
export const DELIVERY_RETENTION_DAYS = 30;

/** Epoch seconds at which a delivery last changed at `updatedAt` expires. */
export const deliveryExpiresAt = (updatedAt: string): number =>
  Math.floor(Date.parse(updatedAt) / 1000) + DELIVERY_RETENTION_DAYS * 86_400;
/**
 * A settled delivery sent again (a replay, or its dead-lettered job redriven): pending, a new
 * round of the schedule from `now`, the same webhook-id.
 */
export const nextRound = (delivery: Delivery, now: string): Delivery => ({
  ...delivery,
  status: "pending",
  roundStartedAt: now,
  roundFirstAttempt: delivery.attempts.length,
  replays: delivery.replays + 1,
  updatedAt: now,
  version: delivery.version + 1,
});

/** CONTRACT.md §2: seconds from the first attempt, one entry per attempt. */
export const DEFAULT_RETRY_SCHEDULE_S = [0, 2, 6, 12, 20, 30, 45, 65, 90, 120, 155, 195, 235, 270, 300] as const;

export const parseRetrySchedule = (text: string): number[] => {
  const parts = text.split(",").map((part) => part.trim());
  // Number("") is 0: an empty entry would silently add an attempt, so it is refused.
  const schedule = parts.map((part) => (part === "" ? Number.NaN : Number(part)));
  const valid =
    schedule.length > 0 &&
    schedule.every((seconds) => Number.isFinite(seconds) && seconds >= 0) &&
    schedule.every((seconds, index) => index === 0 || seconds >= (schedule[index - 1] ?? 0));
  if (!valid) throw new Error(`not a retry schedule (non-decreasing seconds, comma separated): ${text}`);
  return schedule;
};

/**
 * Milliseconds to wait before the next attempt of this round, after `attemptsInRound`
 * attempts, or undefined when the schedule is used up. A partner's Retry-After pushes the
 * next attempt later, never earlier.
 */
export const nextAttemptDelayMs = (
  schedule: readonly number[],
  attemptsInRound: number,
  roundStartedAt: number,
  now: number,
  retryAfterSeconds?: number,
): number | undefined => {
  const next = schedule[attemptsInRound];
  if (next === undefined) return undefined;
  const scheduled = Math.max(0, roundStartedAt + next * 1000 - now);
  return Math.max(scheduled, (retryAfterSeconds ?? 0) * 1000);
};

/** The body partners receive: `{type, timestamp, data:{order}}` (CONTRACT.md §4). */
export const callbackBody = (type: string, occurredAt: string, order: unknown): string =>
  JSON.stringify({ type, timestamp: occurredAt, data: { order } });

/** The test event of POST /public/callbacks/test: signed and sent like the others, about nothing. */
export const pingBody = (tenantId: string, at: string): string =>
  JSON.stringify({
    type: "ping",
    timestamp: at,
    data: { tenant_id: tenantId, message: "Aviaframe test event: your endpoint received and can verify it" },
  });

/** The order events partners get as callbacks (CONTRACT.md §4). */
export const CALLBACK_EVENTS = [
  "order.booked",
  "order.issued",
  "order.failed",
  "order.cancelled",
  "order.expired",
  "order.passengers_cancelled",
  "order.changed",
  "order.schedule_changed",
  "order.flight_disrupted",
] as const;

export const CALLBACK_EVENT_TYPES: ReadonlySet<string> = new Set(CALLBACK_EVENTS);
