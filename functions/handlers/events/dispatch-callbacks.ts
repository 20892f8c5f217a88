import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { EventBridgeEvent } from "aws-lambda";
import { callbackDeps } from "../../shared/callback-wiring";
import { logger } from "../../shared/powertools";
import { dispatchCallback } from "../../use-cases/callbacks";
import type { OrderEvent } from "../../use-cases/ports";

/**
 * Target of the order-callbacks rule: one Delivery per callback-worthy order event. EventBridge
 * retries a failed invocation; a repeat of the same event makes no second delivery.
 */
export const handler = middy<EventBridgeEvent<string, OrderEvent>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    logger.setCorrelationId(event.detail.correlation_id);
    const delivery = await dispatchCallback(callbackDeps(), event.detail);
    if (delivery !== undefined)
      logger.info("callback delivery queued", { delivery_id: delivery.id, type: delivery.eventType });
  });
