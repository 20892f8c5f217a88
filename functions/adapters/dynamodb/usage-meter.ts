import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { UsageMeter, UsageMetric } from "../../use-cases/ports";
import { tableName } from "../../shared/config";
import { dynamo } from "./client";

/** One item per tenant and UTC day; counters grow by atomic ADD, so concurrent requests never lose a count. */
export const dynamoUsageMeter = (): UsageMeter => ({
  record: async (tenantId: string, metric: UsageMetric, at: Date): Promise<void> => {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("usage"),
        Key: { pk: `TENANT#${tenantId}`, sk: `DAY#${at.toISOString().slice(0, 10)}` },
        UpdateExpression: "ADD #metric :one",
        ExpressionAttributeNames: { "#metric": metric },
        ExpressionAttributeValues: { ":one": 1 },
      }),
    );
  },
});
