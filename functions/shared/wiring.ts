/**
 * The composition root: the one place that picks AWS adapters for the use cases' ports.
 * Created on first use, once per execution environment, and shared by every handler.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { EVENTS } from "../../lib/resources";
import { DrctClient } from "../adapters/drct/client";
import { GuardedSupplier } from "../adapters/drct/guarded-supplier";
import { type BreakerTransition, DynamoCircuitBreaker } from "../adapters/dynamodb/circuit-breaker";
import { type DrctCallRecord, recordDrctCall } from "../adapters/dynamodb/drct-request-log";
import { dynamoOfferStore } from "../adapters/dynamodb/offer-store";
import { dynamoSearchCache } from "../adapters/dynamodb/search-cache";
import { DynamoSearchCoalescer } from "../adapters/dynamodb/search-flights";
import { DynamoSlotQueue } from "../adapters/dynamodb/slot-queue";
import { dynamoUsageMeter } from "../adapters/dynamodb/usage-meter";
import { publishEvents } from "../adapters/events/event-publisher";
import { readSecret } from "../adapters/secrets/secret-store";
import type { BreakerState } from "../domain/breaker";
import type { Markup } from "../domain/offer";
import { outcomeClass } from "../domain/ops";
import type { UsageMeter } from "../use-cases/ports";
import type { PriceOfferDeps } from "../use-cases/price-offer";
import type { SearchOffersDeps } from "../use-cases/search-offers";
import { afterAnswer } from "./bookkeeping";
import { config } from "./config";
import { logger, metrics } from "./powertools";
import { rateLimiter } from "./rate-limit-headers";

export const once = <T>(create: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= create();
    return value;
  };
};

export const platformMarkup = (): Markup => ({ type: "percent", basis_points: config().platformMarkupBps });

export const drctClient = /* @__PURE__ */ once(
  () =>
    new DrctClient({
      baseUrl: config().drctBaseUrl,
      token: () => readSecret("drctToken"),
      timeoutMs: config().drctTimeoutMs,
      // The request log must never fail a booking, nor hold up its answer: it is written
      // beside the rest of the request (a lost log line is logged instead).
      onCall: async (record) => {
        countDrctCall(record);
        afterAnswer("DRCT request log write", recordDrctCall(record));
      },
    }),
);

/** The outcome classes operators alarm on (CDK: lib/cloud/alarms.ts). */
export const drctOutcome = (status: DrctCallRecord["status"]): string => outcomeClass(status);

/** One EMF line per DRCT call: a count by outcome, and the latency by operation. */
const countDrctCall = (record: DrctCallRecord): void => {
  const outcome = metrics.singleMetric();
  outcome.addDimension("outcome", drctOutcome(record.status));
  outcome.addMetric("DrctCalls", MetricUnit.Count, 1);
  const latency = metrics.singleMetric();
  latency.addDimension("operation", record.operation);
  latency.addMetric("DrctLatency", MetricUnit.Milliseconds, record.latencyMs);
};

/** Operators hear of breaker transitions three ways: a log line, a metric, and an event on the bus. */
const announceBreaker = async (transition: BreakerTransition, state: BreakerState): Promise<void> => {
  const detailType = transition === "opened" ? "supplier.degraded" : "supplier.recovered";
  logger.warn(`DRCT circuit breaker ${transition}`, { breaker: state.status, failures: state.failures });
  const metric = metrics.singleMetric();
  metric.addMetric(transition === "opened" ? "SupplierBreakerOpened" : "SupplierBreakerClosed", MetricUnit.Count, 1);
  if (config().eventBusName === undefined) return;
  await publishEvents({
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

export const supplier = /* @__PURE__ */ once(
  () =>
    new GuardedSupplier({
      client: drctClient(),
      limiter: rateLimiter(),
      breaker: circuitBreaker(),
      retry: { maxRetries: config().drctMaxRetries, baseDelayMs: config().drctRetryBaseMs },
      accountLimits: { search: { limit: 1, windowMs: config().drctSearchIntervalMs, burst: 1 } },
      slots: { queue: new DynamoSlotQueue(), slotWaitMs: config().drctSlotWaitMs },
    }),
);

/** Usage counts are written beside the request's other work: an answer never waits for its meter. */
export const usageMeter = /* @__PURE__ */ once((): UsageMeter => {
  const meter = dynamoUsageMeter();
  return {
    record: async (tenantId, metric, at, count) =>
      afterAnswer("usage count", meter.record(tenantId, metric, at, count)),
    read: (tenantId, fromDay, toDay) => meter.read(tenantId, fromDay, toDay),
  };
});
export const offerStore = /* @__PURE__ */ once(dynamoOfferStore);

export const searchOffersDeps = /* @__PURE__ */ once(
  (): SearchOffersDeps => ({
    supplier: supplier(),
    coalescer: new DynamoSearchCoalescer(config().coalesceWindowMs),
    cache: dynamoSearchCache(config().offerCacheTtlS),
    offers: offerStore(),
    usage: usageMeter(),
    platformMarkup: platformMarkup(),
    now: Date.now,
  }),
);

export const priceOfferDeps = /* @__PURE__ */ once(
  (): PriceOfferDeps => ({
    supplier: supplier(),
    offers: offerStore(),
    usage: usageMeter(),
    platformMarkup: platformMarkup(),
    now: Date.now,
  }),
);
