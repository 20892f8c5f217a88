import { CreateTenantRequest } from "../../api/ops-schemas";
import { operatorRoute } from "../../shared/http";
import { tenantAdmin } from "../../shared/tenant-admin-wiring";
import { createTenant } from "../../use-cases/administer-tenants";

export const handler = operatorRoute({
  body: CreateTenantRequest,
  handle: async ({ body }) => ({
    status: 201,
    body: await createTenant(tenantAdmin(), {
      tenantId: body.tenant_id,
      name: body.name,
      plan: body.plan,
      markup: body.markup,
      ipAllowlist: body.ip_allowlist,
      defaultCurrency: body.default_currency,
    }),
  }),
});
