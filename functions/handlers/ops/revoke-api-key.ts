import { ApiKeyPath } from "../../api/ops-schemas";
import { operatorRoute, parsePath } from "../../shared/http";
import { tenantAdmin } from "../../shared/tenant-admin-wiring";
import { revokeApiKey } from "../../use-cases/administer-tenants";

export const handler = operatorRoute({
  handle: async ({ pathParameters }) => {
    const { tenantId, keyId } = parsePath(ApiKeyPath, pathParameters);
    const key = await revokeApiKey(tenantAdmin(), tenantId, keyId);
    return {
      status: 200,
      body: { key_id: key.keyId, scopes: key.scopes, status: key.status, revoked_at: key.revokedAt },
    };
  },
});
