import { readOrderSummary } from "../../adapters/dynamodb/order-repository";
import { OrderIdPath } from "../../api/schemas";
import { deliveryStore } from "../../shared/callback-wiring";
import { parsePath, tenantRoute } from "../../shared/http";
import { listOrderCallbacks, toPublicDelivery } from "../../use-cases/callbacks";

export const handler = tenantRoute({
  handle: async ({ pathParameters, tenant }) => {
    const { orderId } = parsePath(OrderIdPath, pathParameters);
    const deliveries = await listOrderCallbacks(
      { summary: readOrderSummary },
      deliveryStore(),
      tenant.tenantId,
      orderId,
    );
    return { status: 200, body: { deliveries: deliveries.map(toPublicDelivery) } };
  },
});
