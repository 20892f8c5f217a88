import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import * as z from "zod";
import { getTenant } from "../adapters/dynamodb/tenant-directory";
import type { Order } from "../domain/order";
import { TENANT_ID_PATTERN } from "../domain/tenant";
import type { CallContext } from "../use-cases/ports";
import { bookkeeping } from "./bookkeeping";
import { orderRepository } from "./order-wiring";
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

/** A Step Functions task handler: logger context per invocation, typed input. */
export const taskHandler = <I, O>(schema: z.ZodType<I>, run: (input: I, context: Context) => Promise<O>) =>
  middy<unknown, O>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(bookkeeping())
    .handler(async (event, context) => run(schema.parse(event), context));
