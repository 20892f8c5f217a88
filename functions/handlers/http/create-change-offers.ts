import { ChangeOffersRequest } from "../../api/change-schemas";
import { OrderIdPath } from "../../api/schemas";
import { toPublicChangeOffer } from "../../domain/change";
import { parsePath, tenantRoute } from "../../shared/http";
import { changeOffersDeps } from "../../shared/order-wiring";
import { findChangeOffers } from "../../use-cases/change-order";
import { orderNotFound } from "../../use-cases/issue-order";

/** DRCT's alternatives for an issued order's flights on other dates, as change offers. */
export const handler = tenantRoute({
  body: ChangeOffersRequest,
  handle: async (request) => {
    const { orderId } = parsePath(OrderIdPath, request.pathParameters);
    const offers = await findChangeOffers(
      changeOffersDeps(),
      request.tenant,
      orderId,
      request.body,
      {
        tenantId: request.tenant.tenantId,
        plan: request.tenant.plan,
        correlationId: request.correlationId,
        deadlineAt: request.deadlineAt,
      },
      orderNotFound,
    );
    return { status: 200, body: { change_offers: offers.map(toPublicChangeOffer) } };
  },
});
