/**
 * What an operator looks at, as plain data: which orders are stuck, the states a workflow
 * execution went through, and queue messages with personal data masked. No AWS here.
 */
import { maskSecrets } from "../shared/masking";
import type { OrderStatus } from "./order";

/**
 * A DRCT call's outcome class, as metrics and alarms count it: 401 and 429 on their own
 * (credentials, rate limit), other HTTP statuses by hundred, and timeout, network_error,
 * circuit_open as they are.
 */
export const outcomeClass = (status: string | number): string => {
  const code = typeof status === "number" ? status : /^\d{3}$/.test(status) ? Number(status) : undefined;
  if (code === undefined) return String(status);
  return code === 401 || code === 429 ? String(code) : `${Math.floor(code / 100)}xx`;
};

/** Statuses an order should leave by itself; one that stays in them too long needs a look. */
export const UNSETTLED_STATUSES: readonly OrderStatus[] = ["PENDING", "PENDING_RECONCILE", "ISSUING"];

/** How long an order may stay unsettled before the console calls it stuck (default of `stuck_after_min`). */
export const DEFAULT_STUCK_AFTER_MIN = 15;

export interface OrderSummary {
  readonly order_id: string;
  readonly tenant_id: string;
  readonly status: OrderStatus;
  readonly created_at: string;
  readonly updated_at: string;
  readonly drct_order_id?: string;
  readonly correlation_id?: string;
}

export interface BoardEntry extends OrderSummary {
  readonly stuck: boolean;
  /** Minutes since the order last changed. */
  readonly age_min: number;
}

export const isStuck = (order: Pick<OrderSummary, "status" | "updated_at">, now: number, afterMin: number): boolean =>
  UNSETTLED_STATUSES.includes(order.status) && now - Date.parse(order.updated_at) >= afterMin * 60_000;

/** Stuck orders first (oldest first among them), then the rest, most recently changed first. */
export const orderBoard = (orders: readonly OrderSummary[], now: number, stuckAfterMin: number): BoardEntry[] =>
  orders
    .map((order) => ({
      ...order,
      stuck: isStuck(order, now, stuckAfterMin),
      age_min: Math.max(0, Math.floor((now - Date.parse(order.updated_at)) / 60_000)),
    }))
    .sort((a, b) => {
      if (a.stuck !== b.stuck) return a.stuck ? -1 : 1;
      return a.stuck ? a.updated_at.localeCompare(b.updated_at) : b.updated_at.localeCompare(a.updated_at);
    });

/** One step of a workflow execution as Step Functions' history tells it. */
export interface HistoryEvent {
  readonly type: string;
  readonly timestamp: string;
  readonly stateName?: string;
  readonly error?: string;
  readonly cause?: string;
}

export interface StateVisit {
  readonly name: string;
  readonly entered_at: string;
  readonly exited_at?: string;
  /** `succeeded` once exited, `failed` when the execution failed in it, `running` otherwise. */
  readonly outcome: "succeeded" | "failed" | "running";
  readonly error?: string;
}

/** The states an execution went through, in order, from its history events (oldest first). */
export const statesOf = (events: readonly HistoryEvent[]): StateVisit[] => {
  const visits: StateVisit[] = [];
  const open = new Map<string, number>();
  for (const event of events) {
    if (event.type.endsWith("StateEntered") && event.stateName !== undefined) {
      open.set(event.stateName, visits.length);
      visits.push({ name: event.stateName, entered_at: event.timestamp, outcome: "running" });
    } else if (event.type.endsWith("StateExited") && event.stateName !== undefined) {
      const index = open.get(event.stateName);
      const visit = index === undefined ? undefined : visits[index];
      if (index !== undefined && visit !== undefined) {
        visits[index] = { ...visit, exited_at: event.timestamp, outcome: "succeeded" };
        open.delete(event.stateName);
      }
    } else if (event.type === "ExecutionFailed" || event.type === "ExecutionTimedOut") {
      const last = [...open.values()].pop();
      const visit = last === undefined ? undefined : visits[last];
      if (last !== undefined && visit !== undefined) {
        visits[last] = { ...visit, outcome: "failed", ...(event.error === undefined ? {} : { error: event.error }) };
      }
    }
  }
  return visits;
};

const maskDeep = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(maskDeep);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      const masked = maskSecrets(key, inner);
      return [key, masked === inner ? maskDeep(inner) : masked];
    }),
  );
};

/** Free text that may hold personal data (an email, a phone or document number): masked as a whole. */
const TEXT_PATTERNS: readonly RegExp[] = [/[^\s"@]+@[^\s"@]+\.[^\s"@]+/g, /\+?\d[\d ()-]{6,}\d/g];

const maskText = (text: string): string =>
  TEXT_PATTERNS.reduce((masked, pattern) => masked.replace(pattern, (found) => `${found.slice(0, 1)}***`), text);

export interface DeadLetterView {
  readonly id: string;
  readonly order_id?: string;
  readonly delivery_id?: string;
  readonly webhook_id?: string;
  /** The message body, personal data masked (JSON fields by name, anything else by pattern). */
  readonly body: unknown;
}

const idField = (value: unknown, ...names: string[]): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  for (const name of names) if (typeof record[name] === "string") return record[name] as string;
  const detail = record.detail;
  return detail !== undefined && detail !== value ? idField(detail, ...names) : undefined;
};

/** Our job queues' message groups are orders (one group per order). */
const orderOfGroup = (group: string | undefined): string | undefined => (group?.startsWith("ord_") ? group : undefined);

/** A dead-lettered message as an operator sees it: its ids in clear, personal data masked. */
export const deadLetterView = (id: string, rawBody: string, group?: string): DeadLetterView => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    const order = orderOfGroup(group);
    return { id, ...(order === undefined ? {} : { order_id: order }), body: maskText(rawBody) };
  }
  const body = maskDeep(parsed);
  const orderId = idField(parsed, "orderId", "order_id") ?? orderOfGroup(group);
  const deliveryId = idField(parsed, "deliveryId", "delivery_id");
  const webhookId = idField(parsed, "webhookId", "webhook_id");
  return {
    id,
    ...(orderId === undefined ? {} : { order_id: orderId }),
    ...(deliveryId === undefined ? {} : { delivery_id: deliveryId }),
    ...(webhookId === undefined ? {} : { webhook_id: webhookId }),
    body: typeof body === "string" ? maskText(body) : body,
  };
};
