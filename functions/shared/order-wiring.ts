/**
 * The composition root of the order functions (create, issue, cancel, reads, workflow tasks,
 * ticketing): apart from wiring.ts so search and health functions do not bundle the PII
 * cipher and the order adapters.
 */
import { dynamoAuditTrail } from "../adapters/dynamodb/audit-trail";
import { dynamoChangeOfferStore } from "../adapters/dynamodb/change-offer-store";
import { DynamoOrderRepository, newEventId } from "../adapters/dynamodb/order-repository";
import { eventBridgeOrderSink } from "../adapters/events/order-event-sink";
import { fieldCipherFromEnv } from "../adapters/pii/field-cipher";
import { stepFunctionsBookingWorkflow } from "../adapters/sfn/booking-workflow";
import { sqsTicketingQueue } from "../adapters/sqs/job-queues";
import { BookingWaits } from "../domain/booking-wait";
import type { Order } from "../domain/order";
import type { BookOrderDeps } from "../use-cases/book-order";
import type { CancelOrderDeps } from "../use-cases/cancel-order";
import type { ChangeOffersDeps, ChangeOrderDeps } from "../use-cases/change-order";
import type { CreateOrderDeps } from "../use-cases/create-order";
import type { ExpireOrderDeps } from "../use-cases/expire-order";
import type { IssueOrderDeps, TicketOrderDeps } from "../use-cases/issue-order";
import type { TransitionDeps } from "../use-cases/order-transitions";
import type { ReconcileDeps } from "../use-cases/reconcile-order";
import { afterAnswer } from "./bookkeeping";
import { checkCallbackUrlNow } from "./callback-wiring";
import { config } from "./config";
import { emailIndex } from "./personal-data-wiring";
import { logger } from "./powertools";
import { offerStore, once, platformMarkup, supplier, usageMeter } from "./wiring";

export const fieldCipher = /* @__PURE__ */ once(fieldCipherFromEnv);
export const orderRepository = /* @__PURE__ */ once(() => new DynamoOrderRepository(fieldCipher()));
/** The repository that creates orders: it also stores the contact email's blind index. */
const creatingRepository = /* @__PURE__ */ once(() => new DynamoOrderRepository(fieldCipher(), emailIndex()));

const warn = (message: string, error: unknown) => logger.warn(message, { error });

export const transitionDeps = /* @__PURE__ */ once(
  (): TransitionDeps => ({
    orders: orderRepository(),
    events: eventBridgeOrderSink(),
    audit: dynamoAuditTrail(),
    now: () => new Date(),
    newEventId,
    warn,
    alongside: afterAnswer,
  }),
);

export const ticketingQueue = /* @__PURE__ */ once(() => sqsTicketingQueue());

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

export const bookOrderDeps = /* @__PURE__ */ once((): BookOrderDeps => ({ ...transitionDeps(), supplier: supplier() }));

export const reconcileDeps = /* @__PURE__ */ once(
  (): ReconcileDeps => ({
    ...transitionDeps(),
    supplier: supplier(),
    booking: stepFunctionsBookingWorkflow(config().reconcileAfterS),
    graceMs: config().reconcileGraceS * 1000,
    usage: usageMeter(),
  }),
);

export const issueOrderDeps = /* @__PURE__ */ once(
  (): IssueOrderDeps => ({ ...transitionDeps(), ticketing: ticketingQueue(), usage: usageMeter() }),
);

export const ticketOrderDeps = /* @__PURE__ */ once(
  (): TicketOrderDeps => ({ ...transitionDeps(), supplier: supplier() }),
);

export const cancelOrderDeps = /* @__PURE__ */ once(
  (): CancelOrderDeps => ({ ...transitionDeps(), supplier: supplier() }),
);

export const changeOffersDeps = /* @__PURE__ */ once(
  (): ChangeOffersDeps => ({ orders: orderRepository(), supplier: supplier(), changeOffers: dynamoChangeOfferStore() }),
);

export const changeOrderDeps = /* @__PURE__ */ once(
  (): ChangeOrderDeps => ({
    ...transitionDeps(),
    supplier: supplier(),
    changeOffers: dynamoChangeOfferStore(),
    usage: usageMeter(),
  }),
);

export const expireOrderDeps = /* @__PURE__ */ once(
  (): ExpireOrderDeps => ({ ...transitionDeps(), supplier: supplier() }),
);
