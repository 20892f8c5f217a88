import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { EventBridgeEvent } from "aws-lambda";
import { eventFeed } from "../../shared/event-feed-wiring";
import { logger } from "../../shared/powertools";
import { recordOrderEvent } from "../../use-cases/event-feed";
import type { OrderEvent } from "../../use-cases/ports";

/**
 * Target of the order-event-feed rule: keeps the event (ids, type, time, order status) in the
 * tenant's feed. EventBridge retries a failed invocation; recording an event twice is harmless.
 */
export const handler = middy<EventBridgeEvent<string, OrderEvent>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    logger.setCorrelationId(event.detail.correlation_id);
    await recordOrderEvent(eventFeed(), event.detail);
  });
