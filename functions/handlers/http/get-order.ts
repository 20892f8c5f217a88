import { OrderIdPath } from "../../api/schemas";
import { toPublicOrder } from "../../domain/order-view";
import { parsePath, tenantRoute } from "../../shared/http";
import { orderRepository } from "../../shared/order-store-wiring";
import { orderNotFound } from "../../use-cases/issue-order";

export const handler = tenantRoute({
  handle: async ({ pathParameters, tenant }) => {
    const { orderId } = parsePath(OrderIdPath, pathParameters);
    const order = await orderRepository().get(tenant.tenantId, orderId);
    if (order === undefined) throw orderNotFound();
    return { status: 200, body: toPublicOrder(order) };
  },
});
