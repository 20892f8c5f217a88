import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ListTablesCommand,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { physicalName, TABLE_ENTRIES, type TableDescription } from "../resources";

export interface LocalDynamo {
  readonly endpoint: string;
  /** dynalite's request listener: the IAM proxy hands the functions' calls to it in process. */
  readonly handle: RequestListener;
  close(): Promise<void>;
}

const keySchema = (partitionKey: string, sortKey?: string) => [
  { AttributeName: partitionKey, KeyType: "HASH" as const },
  ...(sortKey === undefined ? [] : [{ AttributeName: sortKey, KeyType: "RANGE" as const }]),
];

/** The CreateTable input for a described table; every key attribute is a string. */
export const createTableInput = (prefix: string, table: TableDescription): CreateTableCommandInput => {
  const attributes = new Set<string>([table.partitionKey]);
  if (table.sortKey !== undefined) attributes.add(table.sortKey);
  for (const index of table.globalIndexes ?? []) {
    attributes.add(index.partitionKey);
    if (index.sortKey !== undefined) attributes.add(index.sortKey);
  }
  return {
    TableName: physicalName(prefix, table.id),
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: "S" as const })),
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...(table.globalIndexes === undefined || table.globalIndexes.length === 0
      ? {}
      : {
          GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: "ALL" as const },
          })),
        }),
  };
};

/**
 * dynalite (the DynamoDB API on LevelDB) on loopback, with every table of lib/resources.ts.
 * `path` persists the data; without it the data lives in memory.
 */
export const startLocalDynamo = async (options: {
  path?: string;
  port?: number;
  prefix: string;
}): Promise<LocalDynamo> => {
  const server: Server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const [, table] of TABLE_ENTRIES) {
    const input = createTableInput(options.prefix, table);
    if (!existing.has(input.TableName ?? "")) await client.send(new CreateTableCommand(input));
  }
  client.destroy();
  const [handle] = server.listeners("request") as RequestListener[];
  if (handle === undefined) throw new Error("dynalite serves no requests");
  return {
    endpoint,
    handle,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
