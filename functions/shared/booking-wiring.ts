/**
 * The composition root of booking (order create, and the reconciliation that settles an
 * uncertain booking): the order transitions, the supplier, and the booking workflow
 * (Step Functions) that books the order after create answers.
 */
import { DynamoOrderRepository } from "../adapters/dynamodb/order-repository";
import { stepFunctionsBookingWorkflow } from "../adapters/sfn/booking-workflow";
import type { Order } from "../domain/order";
import type { CreateOrderDeps } from "../use-cases/create-order";
import type { ReconcileDeps } from "../use-cases/reconcile-order";
import { checkCallbackUrlNow } from "./callback-wiring";
import { config } from "./config";
import { emailIndex } from "./email-index-wiring";
import { once } from "./once";
import { fieldCipher, orderRepository } from "./order-store-wiring";
import { transitionDeps } from "./transition-wiring";
import { usageMeter } from "./usage-wiring";
import { offerStore, platformMarkup, supplier } from "./wiring";

/** The repository that creates orders: it also stores the contact email's blind index. */
const creatingRepository = /* @__PURE__ */ once(() => new DynamoOrderRepository(fieldCipher(), emailIndex()));

/** Polls the order until the booking workflow settles it, or the wait (or the request) is over. */
const awaitBooking = async (order: Order, deadlineAt: number): Promise<Order> => {
  const until = Math.min(Date.now() + config().bookingWaitMs, deadlineAt);
  let latest = order;
  for (let round = 0; latest.status === "PENDING" && Date.now() < until; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, 25 * 2 ** round)));
    latest = (await orderRepository().get(order.tenantId, order.id)) ?? latest;
  }
  return latest;
};

export const createOrderDeps = /* @__PURE__ */ once(
  (): CreateOrderDeps => ({
    ...transitionDeps(),
    orders: creatingRepository(),
    offers: offerStore(),
    supplier: supplier(),
    usage: usageMeter(),
    booking: stepFunctionsBookingWorkflow(config().reconcileAfterS),
    platformMarkup: platformMarkup(),
    checkCallbackUrl: checkCallbackUrlNow,
    awaitBooking,
    repriceAfterMs: 10 * 60_000,
  }),
);

export const reconcileDeps = /* @__PURE__ */ once(
  (): ReconcileDeps => ({
    ...transitionDeps(),
    supplier: supplier(),
    booking: stepFunctionsBookingWorkflow(config().reconcileAfterS),
    graceMs: config().reconcileGraceS * 1000,
    usage: usageMeter(),
  }),
);
