import { reconcileDeps } from "../../shared/booking-wiring";
import { loadOrderStep, OrderRef, workflowStatusAfter } from "../../shared/order-step";
import { taskHandler } from "../../shared/task";
import { reconcileOrder } from "../../use-cases/reconcile-order";

/** "Reconcile booking with DRCT" (order workflow) and "Reconcile order with DRCT" (the sweep). */
export const handler = taskHandler(OrderRef, async (ref, context) => {
  const step = await loadOrderStep(ref, context);
  if (step === undefined) return { status: "FAILED" };
  return workflowStatusAfter(ref, await reconcileOrder(reconcileDeps(), step.order, step.call));
});
