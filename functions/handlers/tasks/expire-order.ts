import { loadOrderStep, OrderRef, workflowStatus } from "../../shared/order-step";
import { expireOrderDeps } from "../../shared/order-wiring";
import { taskHandler } from "../../shared/task";
import { expireOrder } from "../../use-cases/expire-order";

/**
 * Order workflow, "Expire the hold if unissued", after the Wait on the ticketing deadline: a
 * BOOKED order past it becomes EXPIRED and DRCT releases the booking. Answers the order's
 * status (still BOOKED with a later deadline: the workflow waits again).
 */
export const handler = taskHandler(OrderRef, async (ref, context) => {
  const step = await loadOrderStep(ref, context);
  if (step === undefined) return { status: "FAILED" };
  return workflowStatus(await expireOrder(expireOrderDeps(), step.order, step.call));
});
