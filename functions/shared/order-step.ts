/**
 * What the order workflow's steps and the order queues' consumers share: the order a step is
 * about, read once with its DRCT call context, and the answer the workflow's Choices read.
 * Apart from task.ts, so a task about no order (the sweeps) loads no order store.
 */
import type { Context } from "aws-lambda";
import * as z from "zod";
import { getTenant } from "../adapters/dynamodb/tenant-directory";
import type { Order } from "../domain/order";
import { TENANT_ID_PATTERN } from "../domain/tenant";
import type { CallContext } from "../use-cases/ports";
import { orderRepository } from "./order-store-wiring";
import { logger } from "./powertools";

export const OrderRef = z.object({ order_id: z.string().min(1), tenant_id: z.string().regex(TENANT_ID_PATTERN) });

/** A workflow or queue step's view of one order, with the call context DRCT calls need. */
export interface OrderStep {
  readonly order: Order;
  readonly call: CallContext;
}

const STEP_MARGIN_MS = 2_000;

/** Loads the order a step is about and prepares its DRCT call context (correlation id of the order). */
export const loadOrderStep = async (
  ref: z.infer<typeof OrderRef>,
  context: Context,
): Promise<OrderStep | undefined> => {
  const [order, tenant] = await Promise.all([
    orderRepository().get(ref.tenant_id, ref.order_id),
    getTenant(ref.tenant_id),
  ]);
  if (order === undefined) {
    logger.error("step for an order that does not exist", { order_id: ref.order_id, tenant_id: ref.tenant_id });
    return undefined;
  }
  logger.setCorrelationId(order.correlationId);
  logger.appendKeys({ tenant_id: order.tenantId, order_id: order.id });
  return {
    order,
    call: {
      tenantId: order.tenantId,
      plan: tenant?.plan ?? "standard",
      correlationId: order.correlationId,
      deadlineAt: Date.now() + Math.max(1_000, context.getRemainingTimeInMillis() - STEP_MARGIN_MS),
    },
  };
};

/** A whole second at or after `iso`, without fractions: what a Wait state's TimestampPath takes. */
export const wakeAt = (iso: string): string =>
  new Date(Math.ceil(Date.parse(iso) / 1000) * 1000).toISOString().replace(".000Z", "Z");

/**
 * What an order workflow step answers for the workflow's Choices: the order's status and,
 * while DRCT holds it BOOKED, when the hold ends (the Wait on the ticketing deadline).
 */
export const workflowStatus = (order: Pick<Order, "status" | "ticketingDeadline">) => ({
  status: order.status,
  ...(order.status === "BOOKED" && order.ticketingDeadline !== undefined
    ? { ticketing_deadline: wakeAt(order.ticketingDeadline) }
    : {}),
});

/** The workflow's answer after a step that moved the order to `status`: BOOKED re-reads its deadline. */
export const workflowStatusAfter = async (ref: z.infer<typeof OrderRef>, status: Order["status"]) => {
  if (status !== "BOOKED") return { status };
  const order = await orderRepository().get(ref.tenant_id, ref.order_id);
  return workflowStatus(order ?? { status });
};
