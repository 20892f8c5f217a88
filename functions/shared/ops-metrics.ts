/** Metrics the dashboard shows beside DRCT's (lib/resources.ts METRICS): searches by source, callback attempts. */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRICS } from "../../lib/resources";
import { metrics } from "./powertools";

const count = (metric: { name: string; dimension: string }, value: string): void => {
  const single = metrics.singleMetric();
  single.addDimension(metric.dimension, value);
  single.addMetric(metric.name, MetricUnit.Count, 1);
};

export const countSearch = (outcome: { cache: { hit: boolean }; coalesced: boolean }): void =>
  count(METRICS.searches, outcome.cache.hit ? "cache" : outcome.coalesced ? "coalesced" : "drct");

export const countCallbackAttempt = (outcome: (typeof METRICS.callbackAttempts.values)[number]): void =>
  count(METRICS.callbackAttempts, outcome);
