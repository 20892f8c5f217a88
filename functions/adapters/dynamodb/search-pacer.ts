import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../shared/config";
import type { SearchPacer, SlotClaim } from "../../use-cases/ports";
import { dynamo, epochSeconds, isConditionalCheckFailure } from "./client";

/**
 * The DRCT account's search budget, shared by every Lambda through one DynamoDB item: a
 * claim succeeds only if the previous one is at least `intervalMs` old, by a conditional
 * write, so no two concurrent invocations can both call DRCT inside the same interval.
 */
export const dynamoSearchPacer = (intervalMs: number, now: () => number = Date.now): SearchPacer => ({
  claim: async (): Promise<SlotClaim> => {
    const at = now();
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName("supplierState"),
          Key: { pk: "PACER#drct#search" },
          UpdateExpression: "SET next_at = :next, expires_at = :expires",
          ConditionExpression: "attribute_not_exists(next_at) OR next_at <= :now",
          ExpressionAttributeValues: {
            ":now": at,
            ":next": at + intervalMs,
            ":expires": epochSeconds(at) + 86_400,
          },
        }),
      );
      return { granted: true };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      return { granted: false, retryAfterMs: intervalMs };
    }
  },
});
