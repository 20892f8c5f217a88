import { ScheduleChangePath } from "../../api/disruption-schemas";
import { toPublicOrder } from "../../domain/order-view";
import { scheduleChangeDeps } from "../../shared/disruption-wiring";
import { ORDER_WRITE_ANSWER_MS, parsePath, tenantRoute } from "../../shared/http";
import { acceptScheduleChangeOf } from "../../use-cases/schedule-changes";

export const handler = tenantRoute({
  answerWithinMs: ORDER_WRITE_ANSWER_MS,
  handle: async ({ pathParameters, tenant, correlationId, deadlineAt }) => {
    const { orderId, changeId } = parsePath(ScheduleChangePath, pathParameters);
    const order = await acceptScheduleChangeOf(scheduleChangeDeps(), tenant.tenantId, orderId, changeId, {
      tenantId: tenant.tenantId,
      plan: tenant.plan,
      correlationId,
      deadlineAt,
    });
    return { status: 200, body: toPublicOrder(order) };
  },
});
