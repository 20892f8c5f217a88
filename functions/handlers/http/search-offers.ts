import { SearchRequest } from "../../api/schemas";
import { tenantRoute } from "../../shared/http";
import { countSearch } from "../../shared/ops-metrics";
import { searchOffersDeps } from "../../shared/wiring";
import { searchOffers } from "../../use-cases/search-offers";

export const handler = tenantRoute({
  body: SearchRequest,
  handle: async ({ body, tenant, correlationId, deadlineAt }) => {
    const outcome = await searchOffers(
      searchOffersDeps(),
      tenant,
      { ...body, currency: body.currency ?? tenant.defaultCurrency },
      { tenantId: tenant.tenantId, plan: tenant.plan, correlationId, deadlineAt },
    );
    countSearch(outcome);
    return {
      status: 200,
      body: { offers: outcome.offers },
      headers: {
        "x-cache": outcome.cache.hit ? "HIT" : "MISS",
        age: String(outcome.cache.ageSeconds),
        "x-coalesced": String(outcome.coalesced),
      },
    };
  },
});
