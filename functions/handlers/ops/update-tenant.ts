import { TenantPath, UpdateTenantRequest } from "../../api/ops-schemas";
import { operatorRoute, parsePath } from "../../shared/http";
import { tenantAdmin } from "../../shared/tenant-admin-wiring";
import { tenantView } from "../../shared/tenant-store-wiring";
import { updateTenant } from "../../use-cases/administer-tenants";

export const handler = operatorRoute({
  body: UpdateTenantRequest,
  handle: async ({ body, pathParameters }) => {
    const { tenantId } = parsePath(TenantPath, pathParameters);
    const tenant = await updateTenant(tenantAdmin(), tenantId, {
      name: body.name,
      plan: body.plan,
      markup: body.markup,
      ipAllowlist: body.ip_allowlist,
      status: body.status,
    });
    return { status: 200, body: tenantView(tenant) };
  },
});
