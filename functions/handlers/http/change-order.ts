import { ApplyChangeRequest } from "../../api/change-schemas";
import { OrderIdPath } from "../../api/schemas";

import { ORDER_WRITE_ANSWER_MS, parsePath, tenantRoute } from "../../shared/http";
import { runIdempotently } from "../../shared/idempotency";
import { orderRepository } from "../../shared/order-store-wiring";
import { changeOrderDeps } from "../../shared/order-wiring";
import { applyChange } from "../../use-cases/change-order";
import { orderNotFound } from "../../use-cases/issue-order";

/** 200: ISSUED with the new flights; 202: CHANGING, DRCT's answer still owed (reconciled). */
export const handler = tenantRoute({
  answerWithinMs: ORDER_WRITE_ANSWER_MS,
  body: ApplyChangeRequest,
  handle: async (request) => {
    const { orderId } = parsePath(OrderIdPath, request.pathParameters);
    return runIdempotently(
      "changeOrder",
      { ...request, tenantId: request.tenant.tenantId, body: { order_id: orderId, ...request.body } },
      async () => {
        const order = await applyChange(
          changeOrderDeps(),
          request.tenant,
          orderId,
          request.body.change_offer_id,
          {
            tenantId: request.tenant.tenantId,
            plan: request.tenant.plan,
            correlationId: request.correlationId,
            deadlineAt: request.deadlineAt,
          },
          orderNotFound,
        );
        return { status: order.status === "CHANGING" ? 202 : 200, order };
      },
      (id) => orderRepository().get(request.tenant.tenantId, id),
    );
  },
});
