import { PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../shared/config";
import type { EventFeed, FeedEvent } from "../../use-cases/ports";
import { dynamo } from "./client";
import { decodeCursor, encodeCursor, ISO_INSTANT } from "./cursor";

/** How long a tenant's events stay listable. */
export const EVENT_FEED_RETENTION_DAYS = 30;

const partition = (tenantId: string) => `TENANT#${tenantId}`;

/** Newest first by the event's time; the id keeps two events of the same millisecond apart. */
const sortKey = (event: FeedEvent) => `${event.occurredAt}#${event.id}`;

/** Opaque to clients, checked here: only a key of this tenant's partition, as this API wrote it. */
const feedCursor = (cursor: string, tenantId: string) =>
  decodeCursor(cursor, ["pk", "sk"], (key) => {
    const [at = "", id = "", ...rest] = (key.sk ?? "").split("#");
    return (
      key.pk === partition(tenantId) && rest.length === 0 && ISO_INSTANT.test(at) && /^evt_[A-Za-z0-9-]{1,64}$/.test(id)
    );
  });

export const dynamoEventFeed = (now: () => Date = () => new Date()): EventFeed => ({
  async record(event) {
    await dynamo().send(
      new PutCommand({
        TableName: tableName("events"),
        Item: {
          pk: partition(event.tenantId),
          sk: sortKey(event),
          event_id: event.id,
          event_type: event.type,
          occurred_at: event.occurredAt,
          order_id: event.orderId,
          order_status: event.orderStatus,
          expires_at: Math.floor(Date.parse(event.occurredAt) / 1000) + EVENT_FEED_RETENTION_DAYS * 86_400,
        },
      }),
    );
  },

  async list(tenantId, query) {
    let lastKey: QueryCommandOutput["LastEvaluatedKey"] =
      query.cursor === undefined ? undefined : feedCursor(query.cursor, tenantId);
    const items: Record<string, unknown>[] = [];
    // TTL deletes late (and never locally): expired events are filtered here, as is the type.
    do {
      const page: QueryCommandOutput = await dynamo().send(
        new QueryCommand({
          TableName: tableName("events"),
          KeyConditionExpression: "pk = :pk",
          FilterExpression: `expires_at > :now${query.type === undefined ? "" : " AND event_type = :type"}`,
          ExpressionAttributeValues: {
            ":pk": partition(tenantId),
            ":now": Math.floor(now().getTime() / 1000),
            ...(query.type === undefined ? {} : { ":type": query.type }),
          },
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: lastKey,
        }),
      );
      items.push(...(page.Items ?? []));
      lastKey = page.LastEvaluatedKey;
    } while (lastKey !== undefined && items.length < query.limit);
    return {
      events: items.map((item) => ({
        id: String(item.event_id),
        tenantId,
        type: String(item.event_type),
        occurredAt: String(item.occurred_at),
        orderId: String(item.order_id),
        orderStatus: String(item.order_status),
      })),
      nextCursor: lastKey === undefined ? undefined : encodeCursor(lastKey),
    };
  },
});
