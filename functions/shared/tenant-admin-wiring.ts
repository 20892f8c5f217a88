/** The composition root of tenant administration (/ops/api/tenants…). */
import { apiGatewayKeys } from "../adapters/apigateway/api-keys";
import { webhookSecretStore } from "../adapters/callbacks/webhook-secrets";
import {
  createTenantItem,
  getTenant,
  listApiKeys,
  putApiKeyItem,
  revokeApiKeyItem,
  tenantItemOf,
  updateTenantItem,
} from "../adapters/dynamodb/tenant-directory";
import type { Tenant } from "../domain/tenant";
import type { TenantAdminDeps, TenantChanges, TenantStore } from "../use-cases/administer-tenants";
import { once } from "./wiring";

export const dynamoTenantStore = (): TenantStore => ({
  get: getTenant,
  create: (tenant) => createTenantItem(tenantItemOf(tenant)),
  update: (tenantId, changes: TenantChanges) =>
    updateTenantItem(tenantId, {
      name: changes.name,
      plan: changes.plan,
      markup: changes.markup,
      status: changes.status,
      ip_allowlist: changes.ipAllowlist === undefined ? undefined : [...changes.ipAllowlist],
    }),
  keys: listApiKeys,
  putKey: (key) =>
    putApiKeyItem({
      tenant_id: key.tenantId,
      api_key_id: key.keyId,
      scopes: [...key.scopes],
      status: key.status,
      created_at: key.createdAt,
    }),
  revokeKey: revokeApiKeyItem,
});

export const tenantAdmin = /* @__PURE__ */ once(
  (): TenantAdminDeps => ({
    tenants: dynamoTenantStore(),
    apiKeys: apiGatewayKeys(),
    webhookSecrets: webhookSecretStore(),
    now: () => new Date(),
  }),
);

/** A tenant as operators read it (snake_case, as the API speaks). */
export const tenantView = (tenant: Tenant) => ({ ...tenantItemOf(tenant), ip_allowlist: tenant.ipAllowlist ?? [] });
