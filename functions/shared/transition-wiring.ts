/**
 * The composition root of what every order transition writes with: the order store, the
 * order events on the bus, and the audit trail (issue, cancel, change, the workflow tasks).
 */
import { dynamoAuditTrail } from "../adapters/dynamodb/audit-trail";
import { newEventId } from "../adapters/dynamodb/order-repository";
import { eventBridgeOrderSink } from "../adapters/events/order-event-sink";
import type { TransitionDeps } from "../use-cases/order-transitions";
import { afterAnswer } from "./bookkeeping";
import { once } from "./once";
import { orderRepository } from "./order-store-wiring";
import { logger } from "./powertools";

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
