import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../shared/config";
import type { AuditEntry, AuditTrail } from "../../use-cases/ports";
import { dynamo, unlessConditionFailed } from "./client";

/** One item per order move; written once per version, so a retried write cannot duplicate it. */
export const dynamoAuditTrail = (): AuditTrail => ({
  record: async (entry: AuditEntry): Promise<void> => {
    await dynamo()
      .send(
        new PutCommand({
          TableName: tableName("auditLog"),
          Item: {
            pk: `ORDER#${entry.orderId}`,
            sk: `V#${String(entry.version).padStart(6, "0")}`,
            tenant_id: entry.tenantId,
            order_id: entry.orderId,
            from: entry.from,
            to: entry.to,
            actor: entry.actor,
            correlation_id: entry.correlationId,
            at: entry.at,
            reason: entry.reason,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      )
      .catch(unlessConditionFailed);
  },
});
