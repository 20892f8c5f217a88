import { afterAll, beforeAll } from "vitest";
import { type LocalDynamo, startLocalDynamo } from "../../lib/local/dynamodb";
import { physicalName, TABLES, type TableKey } from "../../lib/resources";

/**
 * A DynamoDB stand-in (dynalite) of this test file's own, for an adapter tested without a
 * runtime: its endpoint and the named tables' variables are set as a function's would be.
 */
export const useLocalDynamo = (prefix: string, tables: readonly TableKey[]): void => {
  let dynamo: LocalDynamo | undefined;
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ prefix });
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    process.env.AWS_REGION = "eu-west-1";
    process.env.AWS_ACCESS_KEY_ID = "local";
    process.env.AWS_SECRET_ACCESS_KEY = "local";
    for (const table of tables) process.env[TABLES[table].env] = physicalName(prefix, TABLES[table].id);
  });
  afterAll(async () => {
    await dynamo?.close();
  });
};
