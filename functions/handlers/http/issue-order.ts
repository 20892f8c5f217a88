import { IssueOrderRequest, OrderIdPath } from "../../api/schemas";
import { ORDER_WRITE_ANSWER_MS, parsePath, tenantRoute } from "../../shared/http";
import { runIdempotently } from "../../shared/idempotency";
import { orderRepository } from "../../shared/order-store-wiring";
import { issueOrderDeps } from "../../shared/ticketing-wiring";
import { readEarly } from "../../use-cases/early-read";
import { issueOrder } from "../../use-cases/issue-order";

/** 202: the order is ISSUING; ISSUED (with tickets) follows on GET and as a callback. */
export const handler = tenantRoute({
  answerWithinMs: ORDER_WRITE_ANSWER_MS,
  body: IssueOrderRequest,
  handle: async (request) => {
    const { orderId } = parsePath(OrderIdPath, request.pathParameters);
    // Read beside the idempotency record's write: the issue and a replay's answer both start from it.
    const early = readEarly(orderRepository().get(request.tenant.tenantId, orderId));
    return runIdempotently(
      "issueOrder",
      { ...request, tenantId: request.tenant.tenantId, body: { order_id: orderId, ...request.body } },
      async () => {
        const order = await issueOrder(issueOrderDeps(), request.tenant, orderId, request.body.payment, early);
        return { status: 202, order };
      },
      async (id) => (id === orderId ? await early : undefined) ?? orderRepository().get(request.tenant.tenantId, id),
    );
  },
});
