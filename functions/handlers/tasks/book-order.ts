import { loadOrderStep, OrderRef, workflowStatusAfter } from "../../shared/order-step";
import { bookOrderDeps } from "../../shared/order-wiring";
import { logger } from "../../shared/powertools";
import { taskHandler } from "../../shared/task";
import { bookOrder } from "../../use-cases/book-order";

/** Order workflow, "Book with DRCT": answers the order's status (and, once BOOKED, its ticketing deadline). */
export const handler = taskHandler(OrderRef, async (ref, context) => {
  const step = await loadOrderStep(ref, context);
  if (step === undefined) return { status: "FAILED" };
  // Debug detail passes the log mask like every line: names and contact masked, documents dropped.
  logger.debug("booking with DRCT", { passengers: step.order.passengers, contact: step.order.contact });
  return workflowStatusAfter(ref, await bookOrder(bookOrderDeps(), step.order, step.call));
});
