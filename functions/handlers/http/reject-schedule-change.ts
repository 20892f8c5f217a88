import { RejectScheduleChangeRequest, ScheduleChangePath } from "../../api/disruption-schemas";
import { scheduleChangeDeps } from "../../shared/disruption-wiring";
import { ORDER_WRITE_ANSWER_MS, parsePath, tenantRoute } from "../../shared/http";
import { runIdempotently } from "../../shared/idempotency";
import { orderRepository } from "../../shared/order-store-wiring";
import { rejectScheduleChangeOf } from "../../use-cases/schedule-changes";

export const handler = tenantRoute({
  answerWithinMs: ORDER_WRITE_ANSWER_MS,
  body: RejectScheduleChangeRequest,
  handle: async (request) => {
    const { orderId, changeId } = parsePath(ScheduleChangePath, request.pathParameters);
    const { tenant } = request;
    return runIdempotently(
      "rejectScheduleChange",
      {
        ...request,
        tenantId: tenant.tenantId,
        body: { order_id: orderId, change_id: changeId, ...request.body },
      },
      async () => {
        const order = await rejectScheduleChangeOf(scheduleChangeDeps(), tenant.tenantId, orderId, changeId, {
          tenantId: tenant.tenantId,
          plan: tenant.plan,
          correlationId: request.correlationId,
          deadlineAt: request.deadlineAt,
        });
        return { status: 200, order };
      },
      (id) => orderRepository().get(tenant.tenantId, id),
    );
  },
});
