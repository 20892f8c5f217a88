import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { TABLES } from "../../../lib/resources";
import { TENANT_ID_PATTERN, type Tenant } from "../../domain/tenant";
import { tableName } from "../../shared/config";
import { dynamo } from "./client";

const TenantItem = z.object({
  tenant_id: z.string().regex(TENANT_ID_PATTERN, "must be 1–40 lowercase letters, digits or hyphens"),
  name: z.string(),
  plan: z.enum(["standard", "premium"]),
  markup: z.discriminatedUnion("type", [
    z.object({ type: z.literal("percent"), basis_points: z.int().min(0).max(10_000) }),
    z.object({ type: z.literal("fixed"), amount: z.string().regex(/^\d{1,9}(\.\d{1,4})?$/) }),
  ]),
  default_currency: z.string().default("EUR"),
  status: z.enum(["active", "suspended"]),
  api_key_id: z.string(),
});

export type TenantItem = z.input<typeof TenantItem>;

const toTenant = (item: z.output<typeof TenantItem>): Tenant => ({
  tenantId: item.tenant_id,
  name: item.name,
  plan: item.plan,
  markup: item.markup,
  defaultCurrency: item.default_currency,
  status: item.status,
});

export const tenantKey = (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: "PROFILE" });

/** Tenants change rarely; a minute of staleness saves a DynamoDB read on every request. */
const CACHE_TTL_MS = 60_000;
const byApiKeyId = new Map<string, { tenant: Tenant | undefined; until: number }>();

export const resolveTenantByApiKeyId = async (apiKeyId: string): Promise<Tenant | undefined> => {
  const now = Date.now();
  const cached = byApiKeyId.get(apiKeyId);
  if (cached !== undefined && cached.until > now) return cached.tenant;
  const result = await dynamo().send(
    new QueryCommand({
      TableName: tableName("tenants"),
      IndexName: TABLES.tenants.globalIndexes[0].name,
      KeyConditionExpression: "api_key_id = :id",
      ExpressionAttributeValues: { ":id": apiKeyId },
      Limit: 2,
    }),
  );
  const items = result.Items ?? [];
  // An API key id that maps to two tenants is a provisioning error: refuse rather than guess.
  const tenant = items.length === 1 ? toTenant(TenantItem.parse(items[0])) : undefined;
  byApiKeyId.set(apiKeyId, { tenant, until: now + CACHE_TTL_MS });
  return tenant;
};

export const getTenant = async (tenantId: string): Promise<Tenant | undefined> => {
  const result = await dynamo().send(new GetCommand({ TableName: tableName("tenants"), Key: tenantKey(tenantId) }));
  return result.Item === undefined ? undefined : toTenant(TenantItem.parse(result.Item));
};

export const putTenant = async (item: TenantItem): Promise<void> => {
  const valid = TenantItem.parse(item);
  await dynamo().send(
    new PutCommand({ TableName: tableName("tenants"), Item: { ...tenantKey(valid.tenant_id), ...valid } }),
  );
};
