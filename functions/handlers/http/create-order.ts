import { CreateOrderRequest } from "../../api/schemas";
import { createOrderDeps } from "../../shared/booking-wiring";
import { ORDER_WRITE_ANSWER_MS, tenantRoute } from "../../shared/http";
import { runIdempotently } from "../../shared/idempotency";
import { orderRepository } from "../../shared/order-store-wiring";
import { createOrder } from "../../use-cases/create-order";

/** 201 once the booking has settled (BOOKED or FAILED), 202 while DRCT's answer is still awaited. */
export const handler = tenantRoute({
  answerWithinMs: ORDER_WRITE_ANSWER_MS,
  body: CreateOrderRequest,
  handle: (request) =>
    runIdempotently(
      "createOrder",
      { ...request, tenantId: request.tenant.tenantId },
      async () => {
        const order = await createOrder(
          createOrderDeps(),
          request.tenant,
          request.body,
          request.headers["idempotency-key"] ?? "",
          {
            tenantId: request.tenant.tenantId,
            plan: request.tenant.plan,
            correlationId: request.correlationId,
            deadlineAt: request.deadlineAt,
          },
        );
        const settled = order.status === "BOOKED" || order.status === "FAILED";
        return { status: settled ? 201 : 202, order, headers: { location: `/public/orders/${order.id}` } };
      },
      (orderId) => orderRepository().get(request.tenant.tenantId, orderId),
    ),
});
