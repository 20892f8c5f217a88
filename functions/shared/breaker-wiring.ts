/**
 * The composition root of the supplier's circuit breaker: apart from the DRCT client, so the
 * health check (which only reads the breaker's state) loads neither the client nor its secret.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { EVENTS } from "../../lib/resources";
import { type BreakerTransition, DynamoCircuitBreaker } from "../adapters/dynamodb/circuit-breaker";
import { publishEventsRarely } from "../adapters/events/event-publisher";
import type { BreakerState } from "../domain/breaker";
import { config } from "./config";
import { once } from "./once";
import { logger, metrics } from "./powertools";

/** Operators hear of breaker transitions three ways: a log line, a metric, and an event on the bus. */
const announceBreaker = async (transition: BreakerTransition, state: BreakerState): Promise<void> => {
  const detailType = transition === "opened" ? "supplier.degraded" : "supplier.recovered";
  logger.warn(`DRCT circuit breaker ${transition}`, { breaker: state.status, failures: state.failures });
  const metric = metrics.singleMetric();
  metric.addMetric(transition === "opened" ? "SupplierBreakerOpened" : "SupplierBreakerClosed", MetricUnit.Count, 1);
  if (config().eventBusName === undefined) return;
  await publishEventsRarely({
    source: EVENTS.supplier.source,
    detailType,
    detail: { supplier: "drct", breaker: state.status, at: new Date().toISOString() },
  }).catch((error: unknown) => logger.error("could not publish the breaker event", { error }));
};

export const circuitBreaker = /* @__PURE__ */ once(
  () =>
    new DynamoCircuitBreaker(
      {
        failureThreshold: config().breakerFailureThreshold,
        windowMs: config().breakerWindowMs,
        cooldownMs: config().breakerCooldownMs,
        probeLeaseMs: config().drctTimeoutMs + 2_000,
      },
      announceBreaker,
    ),
);
