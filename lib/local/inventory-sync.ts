import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand, type ScanCommandOutput } from "@aws-sdk/lib-dynamodb";

/**
 * When the simulator's controls change DRCT's inventory (reset, expire, reprice), the
 * gateway's cached searches and shared in-flight answers describe offers DRCT no longer has;
 * a real DRCT would not change under a cache like that. So the local runtime drops them.
 * Budgets and the breaker stay: they are about DRCT's behaviour, which they keep watching.
 */
export const dropCachedInventory = async (
  endpoint: string,
  tables: { offers: string; supplierState: string },
  _change: "reset" | "expire" | "reprice",
): Promise<void> => {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
  );
  try {
    await deleteWhere(client, tables.offers, (item) => String(item.sk).startsWith("SEARCH#"));
    await deleteWhere(client, tables.supplierState, (item) => String(item.pk).startsWith("FLIGHT#"), ["pk"]);
  } finally {
    client.destroy();
  }
};

const deleteWhere = async (
  client: DynamoDBDocumentClient,
  table: string,
  matches: (item: Record<string, unknown>) => boolean,
  keyNames: string[] = ["pk", "sk"],
): Promise<void> => {
  let startKey: ScanCommandOutput["LastEvaluatedKey"];
  do {
    const page: ScanCommandOutput = await client.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }),
    );
    const keys = (page.Items ?? [])
      .filter(matches)
      .map((item) => Object.fromEntries(keyNames.map((name) => [name, item[name]])));
    for (let start = 0; start < keys.length; start += 25) {
      await client.send(
        new BatchWriteCommand({
          RequestItems: { [table]: keys.slice(start, start + 25).map((Key) => ({ DeleteRequest: { Key } })) },
        }),
      );
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
};
