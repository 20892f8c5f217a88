import { OrderIdPath } from "../../api/schemas";
import { parsePath, tenantRoute } from "../../shared/http";
import { eraseDeps } from "../../shared/personal-data-wiring";
import { erasePersonalData } from "../../use-cases/personal-data";

/** 204: the order's personal data is gone; audited. */
export const handler = tenantRoute({
  handle: async ({ pathParameters, tenant, correlationId }) => {
    const { orderId } = parsePath(OrderIdPath, pathParameters);
    await erasePersonalData(eraseDeps(), { tenantId: tenant.tenantId, correlationId }, orderId);
    return { status: 204 };
  },
});
