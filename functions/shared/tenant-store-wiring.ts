/**
 * The composition root of the tenant directory as operators read and change it: apart from
 * tenant administration's API Gateway keys and webhook secrets, so reading a tenant loads
 * neither client.
 */
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
import type { TenantChanges, TenantStore } from "../use-cases/administer-tenants";

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

/** A tenant as operators read it (snake_case, as the API speaks). */
export const tenantView = (tenant: Tenant) => ({ ...tenantItemOf(tenant), ip_allowlist: tenant.ipAllowlist ?? [] });
