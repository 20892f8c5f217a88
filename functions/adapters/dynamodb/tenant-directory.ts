import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { TABLES } from "../../../lib/resources";
import { type ApiKeyGrant, SCOPES } from "../../domain/access";
import { TENANT_ID_PATTERN, type Tenant } from "../../domain/tenant";
import { afterAnswer } from "../../shared/bookkeeping";
import { tableName } from "../../shared/config";
import { dynamo, isConditionalCheckFailure } from "./client";

const Markup = z.discriminatedUnion("type", [
  z.object({ type: z.literal("percent"), basis_points: z.int().min(0).max(10_000) }),
  z.object({ type: z.literal("fixed"), amount: z.string().regex(/^\d{1,9}(\.\d{1,4})?$/) }),
]);

const TenantItem = z.object({
  tenant_id: z.string().regex(TENANT_ID_PATTERN, "must be 1–40 lowercase letters, digits or hyphens"),
  name: z.string(),
  plan: z.enum(["standard", "premium"]),
  markup: Markup,
  default_currency: z.string().default("EUR"),
  status: z.enum(["active", "suspended"]),
  ip_allowlist: z.array(z.string()).optional(),
  /**
   * The first key of tenants onboarded before keys had items of their own (`npm run tenant put`):
   * it keeps every scope. Tenants created through /ops/api have key items instead.
   */
  api_key_id: z.string().optional(),
});

export type TenantItem = z.input<typeof TenantItem>;

/** One API key of a tenant: `KEY#<key id>` beside its profile. The key itself is never stored. */
const KeyItem = z.object({
  tenant_id: z.string(),
  api_key_id: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  status: z.enum(["active", "revoked"]),
  created_at: z.string(),
  revoked_at: z.string().optional(),
});

export type KeyItem = z.input<typeof KeyItem>;

const toTenant = (item: z.output<typeof TenantItem>): Tenant => ({
  tenantId: item.tenant_id,
  name: item.name,
  plan: item.plan,
  markup: item.markup,
  defaultCurrency: item.default_currency,
  status: item.status,
  ...(item.ip_allowlist === undefined ? {} : { ipAllowlist: item.ip_allowlist }),
});

const toGrant = (item: z.output<typeof KeyItem>): ApiKeyGrant => ({
  keyId: item.api_key_id,
  tenantId: item.tenant_id,
  scopes: item.scopes,
  status: item.status,
  createdAt: item.created_at,
  ...(item.revoked_at === undefined ? {} : { revokedAt: item.revoked_at }),
});

/** The item of a tenant (the inverse of reading one). */
export const tenantItemOf = (tenant: Tenant): z.output<typeof TenantItem> => ({
  tenant_id: tenant.tenantId,
  name: tenant.name,
  plan: tenant.plan,
  markup: tenant.markup,
  default_currency: tenant.defaultCurrency,
  status: tenant.status,
  ...(tenant.ipAllowlist === undefined ? {} : { ip_allowlist: [...tenant.ipAllowlist] }),
});

export const tenantKey = (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: "PROFILE" });
const apiKeyKey = (tenantId: string, keyId: string) => ({ pk: `TENANT#${tenantId}`, sk: `KEY#${keyId}` });

/** How long a warm function trusts what it read about a key and its tenant without reading again… */
export const ACCESS_FRESH_MS = 2_000;
/**
 * …and how long it still answers from it while a read beside the request refreshes it; past
 * this, it reads first. Operators' changes (a revoked key, a suspended tenant, an allowlist
 * edit) take effect within this plus a read: the contract promises 5 s.
 */
export const ACCESS_STALE_MS = 4_000;

export interface KeyAccess {
  readonly key: ApiKeyGrant | undefined;
  readonly tenant: Tenant | undefined;
}

interface CachedAccess {
  readonly access: KeyAccess;
  /** When the read it came from started. */
  readonly readAt: number;
  refreshing?: Promise<KeyAccess>;
}

const byApiKeyId = new Map<string, CachedAccess>();

/**
 * The key with this API Gateway key id, and its tenant (undefined when unknown): from what
 * this environment read within ACCESS_FRESH_MS; up to ACCESS_STALE_MS old while a read
 * beside the request refreshes it (a steady caller never waits for the lookup); else read now.
 */
export const resolveAccessByApiKeyId = async (apiKeyId: string): Promise<KeyAccess> => {
  const now = Date.now();
  const cached = byApiKeyId.get(apiKeyId);
  const age = cached === undefined ? Number.POSITIVE_INFINITY : now - cached.readAt;
  if (cached !== undefined && age < ACCESS_FRESH_MS) return cached.access;
  if (cached !== undefined && age < ACCESS_STALE_MS) {
    if (cached.refreshing === undefined) {
      afterAnswer("API key refresh", () => {
        cached.refreshing = readAccess(apiKeyId, now);
        return cached.refreshing;
      });
    }
    return cached.access;
  }
  return readAccess(apiKeyId, now);
};

const readAccess = async (apiKeyId: string, now: number): Promise<KeyAccess> => {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: tableName("tenants"),
      IndexName: TABLES.tenants.globalIndexes[0].name,
      KeyConditionExpression: "api_key_id = :id",
      ExpressionAttributeValues: { ":id": apiKeyId },
      Limit: 3,
    }),
  );
  const items = result.Items ?? [];
  const keyItems = items.filter((item) => String(item.sk).startsWith("KEY#"));
  const profiles = items.filter((item) => item.sk === "PROFILE");
  let access: KeyAccess = { key: undefined, tenant: undefined };
  // A key id that maps to two tenants is a provisioning error: refuse rather than guess.
  if (keyItems.length === 1 && profiles.length === 0) {
    const key = toGrant(KeyItem.parse(keyItems[0]));
    access = { key, tenant: await getTenant(key.tenantId) };
  } else if (keyItems.length === 0 && profiles.length === 1) {
    const tenant = toTenant(TenantItem.parse(profiles[0]));
    access = {
      key: { keyId: apiKeyId, tenantId: tenant.tenantId, scopes: [...SCOPES], status: "active" },
      tenant,
    };
  }
  byApiKeyId.set(apiKeyId, { access, readAt: now });
  return access;
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

/** Writes a new tenant; false when one with this id exists already. */
export const createTenantItem = async (item: TenantItem): Promise<boolean> => {
  const valid = TenantItem.parse(item);
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName("tenants"),
        Item: { ...tenantKey(valid.tenant_id), ...valid },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailure(error)) return false;
    throw error;
  }
};

export type TenantChanges = Partial<Pick<TenantItem, "plan" | "markup" | "status" | "ip_allowlist" | "name">>;

/** Applies the given fields to an existing tenant; undefined when there is none. */
export const updateTenantItem = async (tenantId: string, changes: TenantChanges): Promise<Tenant | undefined> => {
  const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
  if (entries.length === 0) return getTenant(tenantId);
  try {
    const result = await dynamo().send(
      new UpdateCommand({
        TableName: tableName("tenants"),
        Key: tenantKey(tenantId),
        UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :v${index}`).join(", ")}`,
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#f${index}`, name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], index) => [`:v${index}`, value])),
        ReturnValues: "ALL_NEW",
      }),
    );
    return toTenant(TenantItem.parse(result.Attributes));
  } catch (error) {
    if (isConditionalCheckFailure(error)) return undefined;
    throw error;
  }
};

export const putApiKeyItem = async (item: KeyItem): Promise<void> => {
  const valid = KeyItem.parse(item);
  await dynamo().send(
    new PutCommand({
      TableName: tableName("tenants"),
      Item: { ...apiKeyKey(valid.tenant_id, valid.api_key_id), ...valid },
    }),
  );
};

/**
 * Marks the key revoked; undefined when the tenant has no such key. A tenant's first key from
 * before keys had items (the profile's api_key_id) gets a revoked key item and leaves the profile.
 */
export const revokeApiKeyItem = async (
  tenantId: string,
  keyId: string,
  at: string,
): Promise<ApiKeyGrant | undefined> => {
  try {
    const result = await dynamo().send(
      new UpdateCommand({
        TableName: tableName("tenants"),
        Key: apiKeyKey(tenantId, keyId),
        UpdateExpression: "SET #status = :revoked, revoked_at = if_not_exists(revoked_at, :at)",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":revoked": "revoked", ":at": at },
        ReturnValues: "ALL_NEW",
      }),
    );
    return toGrant(KeyItem.parse(result.Attributes));
  } catch (error) {
    if (!isConditionalCheckFailure(error)) throw error;
  }
  const legacy = await legacyKeyOf(tenantId);
  if (legacy?.keyId !== keyId) return undefined;
  await putApiKeyItem({
    tenant_id: tenantId,
    api_key_id: keyId,
    scopes: [...SCOPES],
    status: "revoked",
    created_at: at,
    revoked_at: at,
  });
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName("tenants"),
      Key: tenantKey(tenantId),
      UpdateExpression: "REMOVE api_key_id",
      ConditionExpression: "api_key_id = :id",
      ExpressionAttributeValues: { ":id": keyId },
    }),
  );
  return { ...legacy, status: "revoked", revokedAt: at };
};

/** The profile's own key (tenants onboarded before key items): every scope. */
const legacyKeyOf = async (tenantId: string): Promise<ApiKeyGrant | undefined> => {
  const result = await dynamo().send(new GetCommand({ TableName: tableName("tenants"), Key: tenantKey(tenantId) }));
  const keyId = result.Item?.api_key_id;
  return typeof keyId === "string" ? { keyId, tenantId, scopes: [...SCOPES], status: "active" } : undefined;
};

/** The tenant's keys, revoked ones included (ids and scopes only). */
export const listApiKeys = async (tenantId: string): Promise<ApiKeyGrant[]> => {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: tableName("tenants"),
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :key)",
      ExpressionAttributeValues: { ":pk": `TENANT#${tenantId}`, ":key": "KEY#" },
    }),
  );
  const keys = (result.Items ?? []).map((item) => toGrant(KeyItem.parse(item)));
  const legacy = await legacyKeyOf(tenantId);
  return legacy === undefined ? keys : [legacy, ...keys];
};
