/**
 * The composition root of booking (order create, and the reconciliation that settles an
 * uncertain booking): the order transitions, the supplier, and the booking workflow
 * (Step Functions) that books the order after create answers.
 */
import { DynamoOrderRepository } from "../adapters/dynamodb/order-repository";
import { stepFunctionsBookingWorkflow } from "../adapters/sfn/booking-workflow";
import { BookingWaits } from "../domain/booking-wait";
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

/** What this environment learnt of how long bookings take to settle. */
const bookingWaits = new BookingWaits();

/** Polls the order until the booking workflow settles it, or the wait (or the request) is over. */
const awaitBooking = async (order: Order, deadlineAt: number): Promise<Order> => {
  const started = Date.now();
  const until = Math.min(started + config().bookingWaitMs, deadlineAt);
  let latest = order;
  for (let round = 0; latest.status === "PENDING" && Date.now() < until; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, bookingWaits.delayBefore(round)));
    latest = (await orderRepository().get(order.tenantId, order.id)) ?? latest;
  }
  // When the booking settled, by its own write (not when a look happened to see it, which
  // would only ever push the first look later).
  if (latest.status !== "PENDING") bookingWaits.settledAfter(Math.max(0, Date.parse(latest.updatedAt) - started));
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
