import { GetCommand, QueryCommand, type QueryCommandOutput, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Delivery } from "../../domain/delivery";
import type { OrderSummary } from "../../domain/ops";
import type { HistoryEntry, OrderStatus } from "../../domain/order";
import { tableName } from "../../shared/config";
import type { AuditView, DrctCallView, OpsOrderReads, OrderRecord, SupplierReads } from "../../use-cases/ops";
import { dynamo } from "./client";
import { deliveryFromItem, deliveryItemsOfOrder } from "./delivery-store";
import { orderKey } from "./order-repository";

type Item = Record<string, unknown>;

/**
 * Only these attributes are ever read for operators: the encrypted passengers and contact
 * are not fetched at all (and the ops functions hold no key to decrypt them).
 */
const SUMMARY = [
  "order_id",
  "tenant_id",
  "#status",
  "created_at",
  "updated_at",
  "drct_order_id",
  "correlation_id",
] as const;
const RECORD = [...SUMMARY, "history", "failure", "passenger_count", "price"] as const;
const NAMES = { "#status": "status" };

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

const toSummary = (item: Item): OrderSummary => ({
  order_id: String(item.order_id),
  tenant_id: String(item.tenant_id),
  status: item.status as OrderStatus,
  created_at: String(item.created_at),
  updated_at: String(item.updated_at),
  ...(text(item.drct_order_id) === undefined ? {} : { drct_order_id: text(item.drct_order_id) }),
  ...(text(item.correlation_id) === undefined ? {} : { correlation_id: text(item.correlation_id) }),
});

const toRecord = (item: Item): OrderRecord => ({
  ...toSummary(item),
  history: (item.history ?? []) as HistoryEntry[],
  ...(item.failure === undefined ? {} : { failure: item.failure as OrderRecord["failure"] }),
  ...(typeof item.passenger_count === "number" ? { passenger_count: item.passenger_count } : {}),
  ...(item.price === undefined ? {} : { price: item.price }),
});

const toDrctCall = (item: Item): DrctCallView => ({
  at: String(item.at),
  tenant_id: String(item.tenant_id),
  operation: String(item.operation),
  status: String(item.status),
  latency_ms: Number(item.latency_ms ?? 0),
  retry_count: Number(item.retry_count ?? 0),
  correlation_id: String(item.correlation_id ?? ""),
  ...(text(item.supplier_code) === undefined ? {} : { supplier_code: text(item.supplier_code) }),
});

/** Every tenant's id (the tenants table is small: one profile item per agency). */
export const tenantIds = async (): Promise<string[]> => {
  const ids: string[] = [];
  let startKey: QueryCommandOutput["LastEvaluatedKey"];
  do {
    const page = await dynamo().send(
      new ScanCommand({
        TableName: tableName("tenants"),
        FilterExpression: "sk = :profile",
        ExpressionAttributeValues: { ":profile": "PROFILE" },
        ProjectionExpression: "tenant_id",
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) if (typeof item.tenant_id === "string") ids.push(item.tenant_id);
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return ids.sort();
};

const drctCallsOfDay = async (tenantId: string, day: string, limit?: number): Promise<DrctCallView[]> => {
  const calls: DrctCallView[] = [];
  let startKey: QueryCommandOutput["LastEvaluatedKey"];
  do {
    const page: QueryCommandOutput = await dynamo().send(
      new QueryCommand({
        TableName: tableName("drctRequestLog"),
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `TENANT#${tenantId}#DAY#${day}` },
        ScanIndexForward: limit === undefined,
        ...(limit === undefined ? {} : { Limit: limit }),
        ExclusiveStartKey: startKey,
      }),
    );
    calls.push(...(page.Items ?? []).map(toDrctCall));
    startKey = limit === undefined ? page.LastEvaluatedKey : undefined;
  } while (startKey !== undefined);
  return calls;
};

/** Orders in one status, newest change first (the by_status index), of all tenants or one. */
export const ordersByStatus: OpsOrderReads["byStatus"] = async (status, tenantId, limit) => {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName("orders"),
      IndexName: "by_status",
      KeyConditionExpression: "#status = :status",
      ...(tenantId === undefined ? {} : { FilterExpression: "tenant_id = :tenant" }),
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: { ":status": status, ...(tenantId === undefined ? {} : { ":tenant": tenantId }) },
      ProjectionExpression: SUMMARY.join(", "),
      ScanIndexForward: false,
      Limit: tenantId === undefined ? limit : limit * 4,
    }),
  );
  return (page.Items ?? []).slice(0, limit).map(toSummary);
};

/** The order in its tenant's partition; without a tenant, in each tenant's. */
export const findOrderForOps: OpsOrderReads["find"] = async (orderId, tenantId) => {
  for (const tenant of tenantId === undefined ? await tenantIds() : [tenantId]) {
    const found = await dynamo().send(
      new GetCommand({
        TableName: tableName("orders"),
        Key: orderKey(tenant, orderId),
        ProjectionExpression: RECORD.join(", "),
        ExpressionAttributeNames: NAMES,
      }),
    );
    if (found.Item !== undefined) return toRecord(found.Item);
  }
  return undefined;
};

export const auditOfOrder: OpsOrderReads["audit"] = async (orderId) => {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName("auditLog"),
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `ORDER#${orderId}` },
    }),
  );
  return (page.Items ?? []).map(
    (item): AuditView => ({
      version: Number(String(item.sk).replace("V#", "")),
      ...(text(item.from) === undefined ? {} : { from: text(item.from) }),
      to: String(item.to),
      ...(text(item.actor) === undefined ? {} : { actor: text(item.actor) }),
      ...(text(item.correlation_id) === undefined ? {} : { correlation_id: text(item.correlation_id) }),
      ...(text(item.reason) === undefined ? {} : { reason: text(item.reason) }),
      at: String(item.at),
    }),
  );
};

/** The tenant's DRCT calls on the given days under one of the correlation ids. */
export const drctCallsOf =
  (days: (from: string, to: string) => string[]): OpsOrderReads["drctCalls"] =>
  async (tenantId, from, to, correlationIds) => {
    const perDay = await Promise.all(days(from, to).map((day) => drctCallsOfDay(tenantId, day)));
    return perDay.flat().filter((call) => correlationIds.has(call.correlation_id));
  };

/** An order's callback deliveries, read only (the ops functions may not write deliveries). */
export const deliveriesOfOrder = async (tenantId: string, orderId: string): Promise<Delivery[]> =>
  (await deliveryItemsOfOrder(tenantId, orderId)).map(deliveryFromItem);

type BudgetView = Awaited<ReturnType<SupplierReads["budgets"]>>[number];

/** A rate bucket (GCRA: its theoretical arrival time) or a slot queue (its next slot and who waits for it). */
const budgetOf = (item: Item, now: number): BudgetView => {
  const queue = item.queue as { nextSlotAt?: number; waiters?: unknown[] } | undefined;
  const nextFreeAt = Number(queue === undefined ? (item.tat ?? 0) : (queue.nextSlotAt ?? 0));
  return {
    bucket: String(item.pk),
    next_free_in_ms: Math.max(0, Math.round(nextFreeAt - now)),
    ...(queue === undefined ? {} : { waiting: queue.waiters?.length ?? 0 }),
  };
};

export const dynamoSupplierReads = (): SupplierReads => ({
  breaker: async () =>
    (
      await dynamo().send(
        new GetCommand({ TableName: tableName("supplierState"), Key: { pk: "BREAKER#drct" }, ConsistentRead: true }),
      )
    ).Item,
  budgets: async (now) => {
    const buckets: BudgetView[] = [];
    let startKey: QueryCommandOutput["LastEvaluatedKey"];
    do {
      const page = await dynamo().send(
        new ScanCommand({
          TableName: tableName("supplierState"),
          FilterExpression: "begins_with(pk, :rate) OR begins_with(pk, :slots)",
          ExpressionAttributeValues: { ":rate": "RATE#", ":slots": "SLOTS#" },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) buckets.push(budgetOf(item, now));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return buckets.sort((a, b) => a.bucket.localeCompare(b.bucket));
  },
  recentCalls: async (limit) => {
    const today = new Date().toISOString().slice(0, 10);
    const perTenant = await Promise.all((await tenantIds()).map((tenant) => drctCallsOfDay(tenant, today, limit)));
    return perTenant
      .flat()
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, limit);
  },
});
