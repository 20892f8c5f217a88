import { reconcileDeps } from "../../shared/order-wiring";
import { loadOrderStep, OrderRef, taskHandler, workflowStatusAfter } from "../../shared/task";
import { reconcileOrder } from "../../use-cases/reconcile-order";

/** "Reconcile booking with DRCT" (order workflow) and "Reconcile order with DRCT" (the sweep). */
export const handler = taskHandler(OrderRef, async (ref, context) => {
  const step = await loadOrderStep(ref, context);
  if (step === undefined) return { status: "FAILED" };
  return workflowStatusAfter(ref, await reconcileOrder(reconcileDeps(), step.order, step.call));
});
