import { PersonalDataSearchRequest } from "../../api/personal-data-schemas";
import { searchDeps } from "../../shared/email-index-wiring";
import { tenantRoute } from "../../shared/http";
import { searchPersonalData } from "../../use-cases/personal-data";

/** 200 {order_ids}: the tenant's orders whose contact email is this one; audited. */
export const handler = tenantRoute({
  body: PersonalDataSearchRequest,
  handle: async ({ body, tenant, correlationId }) => ({
    status: 200,
    body: {
      order_ids: await searchPersonalData(searchDeps(), { tenantId: tenant.tenantId, correlationId }, body.email),
    },
  }),
});
