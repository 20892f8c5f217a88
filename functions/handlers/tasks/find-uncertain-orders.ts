import { z } from "zod";
import { config } from "../../shared/config";
import { orderRepository } from "../../shared/order-wiring";
import { taskHandler } from "../../shared/task";
import { findUncertainOrders } from "../../use-cases/find-uncertain-orders";

/**
 * `after_s` overrides RECONCILE_AFTER_S for one sweep: a gateway that has just restarted
 * knows no booking of its own is in flight, so it settles every uncertain order at once.
 */
const SweepInput = z.object({ after_s: z.number().int().min(0).optional() }).loose();

/** The sweep's first step: the orders to settle, as `{orders: [{order_id, tenant_id}]}`. */
export const handler = taskHandler(SweepInput, async (input) => ({
  orders: await findUncertainOrders(orderRepository(), new Date(), (input.after_s ?? config().reconcileAfterS) * 1000),
}));
