import { randomUUID } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { tableName } from "../../shared/config";
import { dynamo, epochSeconds } from "./client";

/** What we keep of a DRCT call: enough to debug and bill, nothing secret or personal. */
export interface DrctCallRecord {
  readonly tenantId: string;
  readonly operation: string;
  readonly correlationId: string;
  readonly status: number | "timeout" | "network_error" | "circuit_open";
  readonly latencyMs: number;
  readonly retryCount: number;
  readonly supplierCode?: string;
  readonly at: Date;
}

const RETENTION_DAYS = 30;

export const recordDrctCall = async (record: DrctCallRecord): Promise<void> => {
  const at = record.at.toISOString();
  await dynamo().send(
    new PutCommand({
      TableName: tableName("drctRequestLog"),
      Item: {
        pk: `TENANT#${record.tenantId}#DAY#${at.slice(0, 10)}`,
        sk: `${at}#${randomUUID()}`,
        tenant_id: record.tenantId,
        operation: record.operation,
        correlation_id: record.correlationId,
        status: String(record.status),
        latency_ms: record.latencyMs,
        retry_count: record.retryCount,
        supplier_code: record.supplierCode,
        at,
        expires_at: epochSeconds(record.at.getTime()) + RETENTION_DAYS * 86_400,
      },
    }),
  );
};
