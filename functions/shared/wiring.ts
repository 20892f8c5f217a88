/**
 * The composition root of the supplier functions (search, price): the DRCT client behind its
 * guards. Created on first use, once per execution environment. The other concepts have their
 * own roots (*-wiring.ts), so a function bundles — and loads — only the AWS clients it uses.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { DrctClient } from "../adapters/drct/client";
import { GuardedSupplier } from "../adapters/drct/guarded-supplier";
import { type DrctCallRecord, recordDrctCall } from "../adapters/dynamodb/drct-request-log";
import { dynamoOfferStore } from "../adapters/dynamodb/offer-store";
import { dynamoSearchCache } from "../adapters/dynamodb/search-cache";
import { DynamoSearchCoalescer } from "../adapters/dynamodb/search-flights";
import { DynamoSlotQueue } from "../adapters/dynamodb/slot-queue";
import { readSecret } from "../adapters/secrets/secret-store";
import type { Markup } from "../domain/offer";
import { outcomeClass } from "../domain/ops";
import type { PriceOfferDeps } from "../use-cases/price-offer";
import type { SearchOffersDeps } from "../use-cases/search-offers";
import { afterAnswer } from "./bookkeeping";
import { circuitBreaker } from "./breaker-wiring";
import { config } from "./config";
import { once } from "./once";
import { metrics } from "./powertools";
import { rateLimiter } from "./rate-limit-headers";
import { usageMeter } from "./usage-wiring";

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
        afterAnswer("DRCT request log write", () => recordDrctCall(record));
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
