import { CancelOrderRequest, OrderIdPath } from "../../api/schemas";
import { ORDER_WRITE_ANSWER_MS, parsePath, tenantRoute } from "../../shared/http";
import { runIdempotently } from "../../shared/idempotency";
import { orderRepository } from "../../shared/order-store-wiring";
import { cancelOrderDeps } from "../../shared/order-wiring";
import { cancelOrder } from "../../use-cases/cancel-order";

export const handler = tenantRoute({
  answerWithinMs: ORDER_WRITE_ANSWER_MS,
  body: CancelOrderRequest,
  handle: async (request) => {
    const { orderId } = parsePath(OrderIdPath, request.pathParameters);
    return runIdempotently(
      "cancelOrder",
      { ...request, tenantId: request.tenant.tenantId, body: { order_id: orderId, ...request.body } },
      async () => {
        const call = {
          tenantId: request.tenant.tenantId,
          plan: request.tenant.plan,
          correlationId: request.correlationId,
          deadlineAt: request.deadlineAt,
        };
        const order = await cancelOrder(cancelOrderDeps(), request.tenant, orderId, call, request.body.passenger_ids);
        return { status: 200, order };
      },
      (id) => orderRepository().get(request.tenant.tenantId, id),
    );
  },
});
