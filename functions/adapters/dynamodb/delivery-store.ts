import { GetCommand, PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import { TABLES } from "../../../lib/resources";
import { type Delivery, deliveryExpiresAt } from "../../domain/delivery";
import { tableName } from "../../shared/config";
import type { DeliveryStore } from "../../use-cases/ports";
import { dynamo, isConditionalCheckFailure } from "./client";

/**
 * Keyed by what does not change when EventBridge redelivers an event (the event's order
 * version and the delivery id it implies), so the conditional create really makes one
 * delivery per event; it also lists an order's deliveries in event order.
 */
const deliveryKey = (delivery: Pick<Delivery, "tenantId" | "orderId" | "sequence" | "id">) => ({
  pk: `TENANT#${delivery.tenantId}#ORDER#${delivery.orderId}`,
  sk: `DELIVERY#${String(delivery.sequence).padStart(8, "0")}#${delivery.id}`,
});

const toItem = (delivery: Delivery) => ({
  ...deliveryKey(delivery),
  delivery_id: delivery.id,
  tenant_id: delivery.tenantId,
  order_id: delivery.orderId,
  event_type: delivery.eventType,
  sequence: delivery.sequence,
  webhook_id: delivery.webhookId,
  url: delivery.url,
  occurred_at: delivery.occurredAt,
  correlation_id: delivery.correlationId,
  status: delivery.status,
  attempts: delivery.attempts,
  round_started_at: delivery.roundStartedAt,
  round_first_attempt: delivery.roundFirstAttempt,
  replays: delivery.replays,
  created_at: delivery.createdAt,
  updated_at: delivery.updatedAt,
  version: delivery.version,
  // TTL: DynamoDB deletes it in time; readers do not wait for that (see isLive).
  expires_at: deliveryExpiresAt(delivery.updatedAt),
});

/** A delivery past its retention is gone for readers, whether or not TTL has deleted it yet. */
const isLive = (item: Record<string, unknown>, nowS = Date.now() / 1000): boolean =>
  typeof item.expires_at !== "number" || item.expires_at > nowS;

/** Every stored delivery item of an order, expired ones included (every page). */
export const deliveryItemsOfOrder = async (tenantId: string, orderId: string): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let startKey: QueryCommandOutput["LastEvaluatedKey"];
  do {
    const page: QueryCommandOutput = await dynamo().send(
      new QueryCommand({
        TableName: tableName("deliveries"),
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `TENANT#${tenantId}#ORDER#${orderId}` },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
};

export const deliveryFromItem = (item: Record<string, unknown>): Delivery => ({
  id: String(item.delivery_id),
  tenantId: String(item.tenant_id),
  orderId: String(item.order_id),
  eventType: String(item.event_type),
  sequence: Number(item.sequence ?? 0),
  webhookId: String(item.webhook_id),
  url: String(item.url),
  occurredAt: String(item.occurred_at ?? item.created_at),
  correlationId: String(item.correlation_id),
  status: item.status as Delivery["status"],
  attempts: (item.attempts ?? []) as Delivery["attempts"],
  roundStartedAt: String(item.round_started_at),
  roundFirstAttempt: Number(item.round_first_attempt ?? 0),
  replays: Number(item.replays ?? 0),
  createdAt: String(item.created_at),
  updatedAt: String(item.updated_at),
  version: Number(item.version),
});

/** Deliveries under their order (listing) with a delivery-id index (replay); writes are conditional on version. */
export const dynamoDeliveryStore = (): DeliveryStore => ({
  create: async (delivery) => {
    try {
      await dynamo().send(
        new PutCommand({
          TableName: tableName("deliveries"),
          Item: toItem(delivery),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return "created";
    } catch (error) {
      if (isConditionalCheckFailure(error)) return "exists";
      throw error;
    }
  },
  find: async (deliveryId) => {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName("deliveries"),
        IndexName: TABLES.deliveries.globalIndexes[0].name,
        KeyConditionExpression: "delivery_id = :id",
        ExpressionAttributeValues: { ":id": deliveryId },
        Limit: 1,
      }),
    );
    const key = result.Items?.[0];
    if (key === undefined) return undefined;
    // The index may lag; the item itself is read consistently.
    const item = await dynamo().send(
      new GetCommand({
        TableName: tableName("deliveries"),
        Key: { pk: key.pk, sk: key.sk },
        ConsistentRead: true,
      }),
    );
    return item.Item === undefined || !isLive(item.Item) ? undefined : deliveryFromItem(item.Item);
  },
  save: async (previous, next) => {
    try {
      await dynamo().send(
        new PutCommand({
          TableName: tableName("deliveries"),
          Item: toItem(next),
          ConditionExpression: "version = :seen",
          ExpressionAttributeValues: { ":seen": previous.version },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  },
  listForOrder: async (tenantId, orderId) =>
    (await deliveryItemsOfOrder(tenantId, orderId)).filter((item) => isLive(item)).map(deliveryFromItem),
});
