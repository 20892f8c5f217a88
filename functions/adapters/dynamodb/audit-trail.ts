import { randomUUID } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../shared/config";
import type { AuditEntry, AuditTrail, PersonalDataAudit } from "../../use-cases/ports";
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

/**
 * One item per access to a tenant's personal data (export, erase, search, retention erase),
 * under the tenant, in time order: who, what, which order, how many found; never the data.
 */
export const dynamoPersonalDataAudit = (): PersonalDataAudit => ({
  recordAccess: async (entry) => {
    await dynamo().send(
      new PutCommand({
        TableName: tableName("auditLog"),
        Item: {
          pk: `TENANT#${entry.tenantId}#PERSONAL_DATA`,
          sk: `${entry.at}#${randomUUID()}`,
          tenant_id: entry.tenantId,
          action: entry.action,
          order_id: entry.orderId,
          results: entry.results,
          actor: entry.actor,
          correlation_id: entry.correlationId,
          at: entry.at,
        },
      }),
    );
  },
});
