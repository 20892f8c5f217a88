import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { dynamo } from "../../adapters/dynamodb/client";
import { config, tableName } from "../../shared/config";
import { publicRoute } from "../../shared/http";
import { logger } from "../../shared/powertools";

/** Ready means the gateway can reach its state store: a read that proves it, not a constant. */
export const handler = publicRoute({
  handle: async () => {
    const ready = await dynamo()
      .send(new GetCommand({ TableName: tableName("supplierState"), Key: { pk: "HEALTH" } }))
      .then(
        () => true,
        (error: unknown) => {
          logger.error("health check cannot reach DynamoDB", { error });
          return false;
        },
      );
    return {
      status: ready ? 200 : 503,
      body: { status: ready ? "ok" : "degraded", stage: config().stage, time: new Date().toISOString() },
    };
  },
});
