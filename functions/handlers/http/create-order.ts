import { CreateOrderRequest } from "../../api/schemas";
import { createOrderDeps } from "../../shared/booking-wiring";
import { ORDER_WRITE_ANSWER_MS, tenantRoute } from "../../shared/http";
import { runIdempotently } from "../../shared/idempotency";
import { orderRepository } from "../../shared/order-store-wiring";
import { createOrder, startCreateOrderReads } from "../../use-cases/create-order";

/** 201 once the booking has settled (BOOKED or FAILED), 202 while DRCT's answer is still awaited. */
export const handler = tenantRoute({
  answerWithinMs: ORDER_WRITE_ANSWER_MS,
  body: CreateOrderRequest,
  handle: (request) => {
    const key = request.headers["idempotency-key"] ?? "";
    // Read beside the idempotency record's write: the create and a replay's answer both start from them.
    const reads = startCreateOrderReads(createOrderDeps(), request.tenant, request.body.offer_id, key);
    return runIdempotently(
      "createOrder",
      { ...request, tenantId: request.tenant.tenantId },
      async () => {
        const call = {
          tenantId: request.tenant.tenantId,
          plan: request.tenant.plan,
          correlationId: request.correlationId,
          deadlineAt: request.deadlineAt,
        };
        const order = await createOrder(createOrderDeps(), request.tenant, request.body, key, call, reads);
        const settled = order.status === "BOOKED" || order.status === "FAILED";
        return { status: settled ? 201 : 202, order, headers: { location: `/public/orders/${order.id}` } };
      },
      async (orderId) =>
        (orderId === reads.orderId ? await reads.existing : undefined) ??
        orderRepository().get(request.tenant.tenantId, orderId),
    );
  },
});
