import { QueryCommand, type QueryCommandOutput, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TABLES } from "../../../lib/resources";
import { tableName } from "../../shared/config";
import type { PersonalDataStore } from "../../use-cases/ports";
import { dynamo, isConditionalCheckFailure } from "./client";
import { orderKey } from "./order-repository";

type OrdersIndex = (typeof TABLES.orders.globalIndexes)[number]["name"];
// By name, not position: other indexes are declared beside them.
const EMAIL_INDEX = "by_email_index" satisfies OrdersIndex;
const RETENTION_INDEX = "by_retention" satisfies OrdersIndex;

/**
 * An order's personal data as data-subject requests and the retention job reach it: its
 * ciphertext (removed, never read: no key needed), its email's blind index (sparse GSI
 * by_email_index) and whether it still holds any (sparse GSI by_retention).
 */
export const dynamoPersonalDataStore = (): PersonalDataStore => ({
  /** Removes the encrypted fields and the email index for good; the rest of the order stays. */
  erase: async (tenantId: string, orderId: string): Promise<boolean> => {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("orders"),
          Key: orderKey(tenantId, orderId),
          // The version stays: it counts the order's moves (its history), and no later write of
          // a move touches the encrypted fields, so nothing can bring them back.
          UpdateExpression: "REMOVE passengers_enc, contact_enc, email_index, pii_held SET personal_data_erased = :yes",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":yes": true },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  },

  /** Orders still holding personal data whose last flight landed before `before`. */
  findDueForErasure: async (before: string, limit: number): Promise<{ tenantId: string; orderId: string }[]> => {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName("orders"),
        IndexName: RETENTION_INDEX,
        KeyConditionExpression: "pii_held = :held AND last_flight_at < :before",
        ExpressionAttributeValues: { ":held": "1", ":before": before },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => ({ tenantId: String(item.tenant_id), orderId: String(item.order_id) }));
  },

  findByEmailIndex: async (tenantId: string, index: string): Promise<string[]> => {
    const ids: string[] = [];
    let startKey: QueryCommandOutput["LastEvaluatedKey"];
    do {
      const page: QueryCommandOutput = await dynamo().send(
        new QueryCommand({
          TableName: tableName("orders"),
          IndexName: EMAIL_INDEX,
          KeyConditionExpression: "email_index = :index",
          FilterExpression: "tenant_id = :tenant",
          ExpressionAttributeValues: { ":index": index, ":tenant": tenantId },
          ExclusiveStartKey: startKey,
        }),
      );
      ids.push(...(page.Items ?? []).map((item) => String(item.order_id)));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return ids;
  },
});
