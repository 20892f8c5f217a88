import { QueryCommand, type QueryCommandOutput, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../shared/config";
import { USAGE_METRICS, type UsageCounts, type UsageMeter, type UsageMetric } from "../../use-cases/ports";
import { dynamo } from "./client";

const dayKey = (day: string) => `DAY#${day}`;

/** One item per tenant and UTC day; counters grow by atomic ADD, so concurrent requests never lose a count. */
export const dynamoUsageMeter = (): UsageMeter => ({
  record: async (tenantId: string, metric: UsageMetric, at: Date, count = 1): Promise<void> => {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName("usage"),
        Key: { pk: `TENANT#${tenantId}`, sk: dayKey(at.toISOString().slice(0, 10)) },
        UpdateExpression: "ADD #metric :count",
        ExpressionAttributeNames: { "#metric": metric },
        ExpressionAttributeValues: { ":count": count },
      }),
    );
  },
  read: async (tenantId: string, fromDay: string, toDay: string) => {
    const days: { day: string; counts: UsageCounts }[] = [];
    let startKey: QueryCommandOutput["LastEvaluatedKey"];
    do {
      const page: QueryCommandOutput = await dynamo().send(
        new QueryCommand({
          TableName: tableName("usage"),
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: { ":pk": `TENANT#${tenantId}`, ":from": dayKey(fromDay), ":to": dayKey(toDay) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const counts = Object.fromEntries(
          USAGE_METRICS.map((metric) => [metric, typeof item[metric] === "number" ? item[metric] : 0]),
        ) as UsageCounts;
        days.push({ day: String(item.sk).slice("DAY#".length), counts });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return days;
  },
});
