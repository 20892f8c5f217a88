/**
 * The composition root of the order transitions that call DRCT (cancel, change, the workflow
 * tasks, ticketing): every transition's deps (transition-wiring.ts) and the supplier. Booking
 * (create, reconcile: Step Functions) and issuing (the ticketing queue) have their own roots,
 * booking-wiring.ts and ticketing-wiring.ts, so no function loads an AWS client it never calls.
 */
import { dynamoChangeOfferStore } from "../adapters/dynamodb/change-offer-store";
import type { BookOrderDeps } from "../use-cases/book-order";
import type { CancelOrderDeps } from "../use-cases/cancel-order";
import type { ChangeOffersDeps, ChangeOrderDeps } from "../use-cases/change-order";
import type { ExpireOrderDeps } from "../use-cases/expire-order";
import type { TicketOrderDeps } from "../use-cases/issue-order";
import { once } from "./once";
import { orderRepository } from "./order-store-wiring";
import { transitionDeps } from "./transition-wiring";
import { usageMeter } from "./usage-wiring";
import { supplier } from "./wiring";

export const bookOrderDeps = /* @__PURE__ */ once((): BookOrderDeps => ({ ...transitionDeps(), supplier: supplier() }));

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
