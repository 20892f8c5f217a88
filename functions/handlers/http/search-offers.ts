import { SearchRequest } from "../../api/schemas";
import { tenantRoute } from "../../shared/http";
import { searchOffersDeps } from "../../shared/wiring";
import { searchOffers } from "../../use-cases/search-offers";

export const handler = tenantRoute({
  body: SearchRequest,
  handle: async ({ body, tenant, correlationId }) => {
    const offers = await searchOffers(
      searchOffersDeps(),
      tenant,
      { ...body, currency: body.currency ?? tenant.defaultCurrency },
      { tenantId: tenant.tenantId, correlationId },
    );
    return { status: 200, body: { offers } };
  },
});
