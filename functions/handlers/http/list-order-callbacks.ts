import { OrderIdPath } from "../../api/schemas";
import { parsePath, tenantRoute } from "../../shared/http";
import { deliveryStore, orderRepository } from "../../shared/wiring";
import { listOrderCallbacks, toPublicDelivery } from "../../use-cases/callbacks";

export const handler = tenantRoute({
  handle: async ({ pathParameters, tenant }) => {
    const { orderId } = parsePath(OrderIdPath, pathParameters);
    const deliveries = await listOrderCallbacks(orderRepository(), deliveryStore(), tenant.tenantId, orderId);
    return { status: 200, body: { deliveries: deliveries.map(toPublicDelivery) } };
  },
});
