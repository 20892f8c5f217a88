import { OrderIdPath } from "../../api/schemas";
import { parsePath, tenantRoute } from "../../shared/http";
import { orderRepository } from "../../shared/order-store-wiring";
import { personalDataAudit, personalDataStore } from "../../shared/personal-data-wiring";
import { exportPersonalData } from "../../use-cases/personal-data";

/** 200: the order's passengers and contact, unmasked, to its owner; audited. */
export const handler = tenantRoute({
  handle: async ({ pathParameters, tenant, correlationId }) => {
    const { orderId } = parsePath(OrderIdPath, pathParameters);
    const exported = await exportPersonalData(
      { orders: orderRepository(), store: personalDataStore(), audit: personalDataAudit(), now: () => new Date() },
      { tenantId: tenant.tenantId, correlationId },
      orderId,
    );
    return { status: 200, body: exported };
  },
});
