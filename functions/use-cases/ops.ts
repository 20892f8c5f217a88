/**
 * The operators' use cases (CONTRACT.md §6): the same in the local console and behind
 * AWS's IAM-authorized routes. Reads never decrypt passenger data (the ops functions hold
 * no PII key), and queue bodies are masked before they leave.
 */
import type { Delivery } from "../domain/delivery";
import { AvfError } from "../domain/errors";
import {
  type BoardEntry,
  type DeadLetterView,
  deadLetterView,
  type HistoryEvent,
  type OrderSummary,
  orderBoard,
  outcomeClass,
  type StateVisit,
  statesOf,
  UNSETTLED_STATUSES,
} from "../domain/ops";
import { type HistoryEntry, ORDER_STATUSES, type OrderStatus } from "../domain/order";

export interface OrderRecord extends OrderSummary {
  readonly history: readonly HistoryEntry[];
  readonly failure?: { readonly code: string; readonly message: string };
  readonly passenger_count?: number;
  readonly price?: unknown;
}

export interface AuditView {
  readonly version: number;
  readonly from?: string;
  readonly to: string;
  readonly actor?: string;
  readonly correlation_id?: string;
  readonly reason?: string;
  readonly at: string;
}

export interface DrctCallView {
  readonly at: string;
  readonly tenant_id: string;
  readonly operation: string;
  readonly status: string;
  readonly latency_ms: number;
  readonly retry_count: number;
  readonly correlation_id: string;
  readonly supplier_code?: string;
}

export interface OpsOrderReads {
  byStatus(status: OrderStatus, tenantId: string | undefined, limit: number): Promise<OrderSummary[]>;
  /** The order, found in its tenant's partition; without a tenant, in each tenant's. */
  find(orderId: string, tenantId: string | undefined): Promise<OrderRecord | undefined>;
  audit(orderId: string): Promise<AuditView[]>;
  /** The tenant's DRCT calls on the days from..to (UTC) under one of the correlation ids. */
  drctCalls(tenantId: string, from: string, to: string, correlationIds: ReadonlySet<string>): Promise<DrctCallView[]>;
}

export interface ExecutionView {
  readonly workflow: string;
  readonly name: string;
  readonly execution_arn: string;
  readonly status: string;
  readonly started_at?: string;
  readonly stopped_at?: string;
}

export interface OpsWorkflows {
  /** Executions of the order lifecycle workflow run for this order (its own name and its resumes). */
  ofOrder(orderId: string): Promise<ExecutionView[]>;
  history(executionArn: string): Promise<HistoryEvent[]>;
  list(status: string | undefined, limit: number): Promise<ExecutionView[]>;
  redrive(workflow: string, name: string): Promise<{ redrive_date: string }>;
}

export interface DeadLetterQueue {
  readonly name: string;
  readonly source: string;
  readonly count: number;
  /** Each message's id, body and FIFO message group (the order, for the job queues). */
  readonly messages: readonly { readonly id: string; readonly body: string; readonly group?: string }[];
}

export interface DeadLetterQueues {
  readonly names: readonly string[];
  /** Each queue's approximate count and up to `peek` messages, left in the queue. */
  list(peek: number): Promise<DeadLetterQueue[]>;
  /** Starts moving the queue's messages back to its source queue. */
  redrive(name: string): Promise<{ task_handle: string; source: string; destination: string }>;
}

export interface SupplierReads {
  breaker(): Promise<Record<string, unknown> | undefined>;
  /** Rate buckets and slot queues: how long until each admits its next call, and (a queue) how many wait. */
  budgets(now: number): Promise<{ bucket: string; next_free_in_ms: number; waiting?: number }[]>;
  recentCalls(limit: number): Promise<DrctCallView[]>;
}

const notFound = (what: string) => new AvfError("AVF_404_NOT_FOUND", what);

export const BOARD_LIMIT_PER_STATUS = 50;

/** Orders by status across tenants (or one tenant), the stuck ones first. */
export const listOrdersForOps = async (
  orders: Pick<OpsOrderReads, "byStatus">,
  query: { status?: OrderStatus; tenantId?: string; stuckAfterMin: number },
  now: number,
): Promise<{ orders: BoardEntry[]; counts: Partial<Record<OrderStatus, number>> }> => {
  const statuses = query.status === undefined ? ORDER_STATUSES : [query.status];
  const found = await Promise.all(
    statuses.map(
      async (status) => [status, await orders.byStatus(status, query.tenantId, BOARD_LIMIT_PER_STATUS)] as const,
    ),
  );
  const counts = Object.fromEntries(found.map(([status, list]) => [status, list.length]));
  return {
    orders: orderBoard(
      found.flatMap(([, list]) => list),
      now,
      query.stuckAfterMin,
    ),
    counts,
  };
};

export interface ExecutionTimeline extends ExecutionView {
  readonly states: StateVisit[];
}

export interface OrderTimeline {
  readonly order: OrderRecord;
  readonly history: readonly HistoryEntry[];
  readonly executions: ExecutionTimeline[];
  readonly drct_calls: DrctCallView[];
  readonly deliveries: {
    readonly id: string;
    readonly event_type: string;
    readonly webhook_id: string;
    readonly status: string;
    readonly replays: number;
    readonly attempts: Delivery["attempts"];
  }[];
  readonly audit: AuditView[];
  readonly unsettled: boolean;
}

const MAX_DAYS = 14;

/** The UTC days from one instant to another, at most MAX_DAYS (the newest). */
export const daysBetween = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (let day = Date.parse(to.slice(0, 10)); day >= Date.parse(from.slice(0, 10)) && days.length < MAX_DAYS; ) {
    days.unshift(new Date(day).toISOString().slice(0, 10));
    day -= 86_400_000;
  }
  return days;
};

/** Everything that happened to one order, from every store that saw it. */
export const orderTimeline = async (
  deps: {
    orders: OpsOrderReads;
    deliveries: { listForOrder(tenantId: string, orderId: string): Promise<Delivery[]> };
    workflows: Pick<OpsWorkflows, "ofOrder" | "history">;
  },
  orderId: string,
  tenantId: string | undefined,
  now: number,
): Promise<OrderTimeline> => {
  const order = await deps.orders.find(orderId, tenantId);
  if (order === undefined) throw notFound("no such order");
  const [audit, deliveries, executions] = await Promise.all([
    deps.orders.audit(order.order_id),
    deps.deliveries.listForOrder(order.tenant_id, order.order_id),
    deps.workflows.ofOrder(order.order_id),
  ]);
  const correlationIds = new Set(
    [order.correlation_id, ...audit.map((entry) => entry.correlation_id)].filter(
      (id): id is string => id !== undefined,
    ),
  );
  const [drctCalls, histories] = await Promise.all([
    deps.orders.drctCalls(order.tenant_id, order.created_at, new Date(now).toISOString(), correlationIds),
    Promise.all(executions.map((execution) => deps.workflows.history(execution.execution_arn))),
  ]);
  return {
    order,
    history: order.history,
    executions: executions.map((execution, index) => ({ ...execution, states: statesOf(histories[index] ?? []) })),
    drct_calls: drctCalls,
    deliveries: deliveries.map((delivery) => ({
      id: delivery.id,
      event_type: delivery.eventType,
      webhook_id: delivery.webhookId,
      status: delivery.status,
      replays: delivery.replays,
      attempts: delivery.attempts,
    })),
    audit,
    unsettled: UNSETTLED_STATUSES.includes(order.status),
  };
};

export const PEEK_PER_QUEUE = 10;

/** CONTRACT.md §6: `{queues:[{name, source, count, messages:[{id, order_id?, delivery_id?, webhook_id?, body}]}]}`. */
export const listDeadLetters = async (
  queues: Pick<DeadLetterQueues, "list">,
): Promise<{ queues: (Omit<DeadLetterQueue, "messages"> & { messages: DeadLetterView[] })[] }> => ({
  queues: (await queues.list(PEEK_PER_QUEUE)).map((queue) => ({
    ...queue,
    messages: queue.messages.map((message) => deadLetterView(message.id, message.body, message.group)),
  })),
});

export const redriveDeadLetters = async (queues: DeadLetterQueues, name: string) => {
  if (!queues.names.includes(name)) throw notFound(`no dead-letter queue ${name}; one of ${queues.names.join(", ")}`);
  return queues.redrive(name);
};

export const RECENT_DRCT_CALLS = 50;

export const supplierState = async (reads: SupplierReads, now: number) => {
  const [breaker, budgets, recent] = await Promise.all([
    reads.breaker(),
    reads.budgets(now),
    reads.recentCalls(RECENT_DRCT_CALLS),
  ]);
  const outcomes: Record<string, number> = {};
  for (const call of recent) outcomes[outcomeClass(call.status)] = (outcomes[outcomeClass(call.status)] ?? 0) + 1;
  return { breaker: breaker ?? { status: "closed" }, budgets, recent_calls: recent, recent_outcomes: outcomes };
};
