import { OfferIdPath } from "../../api/schemas";
import { parsePath, tenantRoute } from "../../shared/http";
import { priceOfferDeps } from "../../shared/wiring";
import { priceOffer } from "../../use-cases/price-offer";

export const handler = tenantRoute({
  handle: async ({ pathParameters, tenant, correlationId, deadlineAt }) => {
    const { offerId } = parsePath(OfferIdPath, pathParameters);
    const offer = await priceOffer(priceOfferDeps(), tenant, offerId, {
      tenantId: tenant.tenantId,
      plan: tenant.plan,
      correlationId,
      deadlineAt,
    });
    return { status: 200, body: offer };
  },
});
