import { TenantPath } from "../../api/ops-schemas";
import { AvfError } from "../../domain/errors";
import { operatorRoute, parsePath } from "../../shared/http";
import { dynamoTenantStore, tenantView } from "../../shared/tenant-store-wiring";

export const handler = operatorRoute({
  handle: async ({ pathParameters }) => {
    const { tenantId } = parsePath(TenantPath, pathParameters);
    const tenants = dynamoTenantStore();
    const tenant = await tenants.get(tenantId);
    if (tenant === undefined) throw new AvfError("AVF_404_TENANT_NOT_FOUND", `no tenant ${tenantId}`);
    const keys = await tenants.keys(tenantId);
    return {
      status: 200,
      body: {
        ...tenantView(tenant),
        keys: keys.map((key) => ({
          key_id: key.keyId,
          scopes: key.scopes,
          status: key.status,
          created_at: key.createdAt,
          revoked_at: key.revokedAt,
        })),
      },
    };
  },
});
