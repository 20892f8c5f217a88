import { CreateApiKeyRequest, TenantPath } from "../../api/ops-schemas";
import { operatorRoute, parsePath } from "../../shared/http";
import { tenantAdmin } from "../../shared/tenant-admin-wiring";
import { addApiKey } from "../../use-cases/administer-tenants";

export const handler = operatorRoute({
  body: CreateApiKeyRequest,
  handle: async ({ body, pathParameters }) => {
    const { tenantId } = parsePath(TenantPath, pathParameters);
    return { status: 201, body: await addApiKey(tenantAdmin(), tenantId, body.scopes) };
  },
});
