/** The event bus's sources and rules, and our own CloudWatch metrics. */
import { CALLBACK_EVENTS } from "../../functions/domain/delivery";
import type { EventFunctionKey } from "./functions";

/** Event sources and detail types on the bus. */
export const EVENTS = {
  supplier: { source: "aviaframe.supplier", detailTypes: ["supplier.degraded", "supplier.recovered"] },
  orders: {
    source: "aviaframe.orders",
    detailTypes: [
      "order.booked",
      "order.issued",
      "order.failed",
      "order.cancelled",
      "order.expired",
      "order.passengers_cancelled",
      "order.changed",
      "order.reconciled",
      "order.schedule_changed",
      "order.flight_disrupted",
    ],
  },
} as const;

export type EventSourceKey = keyof typeof EVENTS;

export interface EventRuleDescription {
  readonly id: string;
  readonly source: string;
  readonly detailTypes: readonly string[];
  /**
   * `log`: kept for operators (a CloudWatch log group in AWS, DATA_DIR/events.jsonl locally);
   * a function: invoked with each event (asynchronously, with retries), as EventBridge does.
   */
  readonly target: "log" | { readonly function: EventFunctionKey };
  readonly purpose: string;
}

export const EVENT_RULES: readonly EventRuleDescription[] = [
  {
    id: "order-callbacks",
    source: EVENTS.orders.source,
    detailTypes: CALLBACK_EVENTS,
    target: { function: "callbackDispatcher" },
    purpose: "Turns order events into partner callback deliveries (CONTRACT.md §4)",
  },
  {
    id: "order-event-feed",
    source: EVENTS.orders.source,
    detailTypes: EVENTS.orders.detailTypes,
    target: { function: "eventRecorder" },
    purpose: "Keeps each tenant's recent order events for GET /public/events",
  },
  {
    id: "order-lifecycle",
    source: EVENTS.orders.source,
    detailTypes: EVENTS.orders.detailTypes,
    target: "log",
    purpose: "Order lifecycle events, kept for operators (partner callbacks subscribe too)",
  },
  {
    id: "supplier-health",
    source: EVENTS.supplier.source,
    detailTypes: EVENTS.supplier.detailTypes,
    target: "log",
    purpose: "DRCT circuit breaker transitions, for operators and alarms",
  },
];

/**
 * Our own CloudWatch metrics (EMF, namespace `Aviaframe`, dimension service=aviaframe), by
 * name and the dimension that splits them: the functions emit them, the dashboard and the
 * alarms (lib/cloud) read them.
 */
export const METRICS = {
  namespace: "Aviaframe",
  /** Every DRCT call; `outcome`: 2xx, 4xx, 401, 429, 5xx, timeout, network_error, circuit_open. */
  drctCalls: { name: "DrctCalls", dimension: "outcome" },
  /** DRCT latency in ms; `operation`: search, price, order_create, … */
  drctLatency: { name: "DrctLatency", dimension: "operation" },
  breakerOpened: { name: "SupplierBreakerOpened" },
  breakerClosed: { name: "SupplierBreakerClosed" },
  /** Every search answered; `source`: cache (the tenant's cache), coalesced (joined another's call), drct. */
  searches: { name: "Searches", dimension: "source", values: ["cache", "coalesced", "drct"] },
  /** Every callback attempt; `outcome`: delivered, retry, blocked, dead_lettered. */
  callbackAttempts: {
    name: "CallbackAttempts",
    dimension: "outcome",
    values: ["delivered", "retry", "blocked", "dead_lettered"],
  },
} as const;
