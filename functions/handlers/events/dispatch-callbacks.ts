import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { EventBridgeEvent } from "aws-lambda";
import { callbackDeps } from "../../shared/callback-queue-wiring";
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
    const outcome = await dispatchCallback(callbackDeps(), event.detail);
    if (outcome.kind === "queued") {
      logger.info("callback delivery queued", { delivery_id: outcome.delivery.id, type: outcome.delivery.eventType });
    } else if (outcome.kind === "refused") {
      // Not thrown: a retry would be refused again. Operators see it; nothing is sent.
      logger.warn("order event refused: nothing sent", {
        reason: outcome.reason,
        event_id: event.detail.id,
        tenant_id: event.detail.tenant_id,
        order_id: event.detail.order_id,
        detail_type: event.detail.detail_type,
        source: event.source,
      });
    }
  });
