import { z } from "zod";
import { config } from "../../shared/config";
import { orderRepository } from "../../shared/order-wiring";
import { taskHandler } from "../../shared/task";
import { findUncertainOrders } from "../../use-cases/find-uncertain-orders";

/** The sweep's first step: the orders to settle, as `{orders: [{order_id, tenant_id}]}`. */
export const handler = taskHandler(z.unknown(), async () => ({
  orders: await findUncertainOrders(orderRepository(), new Date(), config().reconcileAfterS * 1000),
}));
