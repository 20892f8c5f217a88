import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { metrics } from "./powertools";

/** One EMF line per refused authentication: operators alarm on a spike (lib/cloud/alarms.ts). */
export const countAuthRefusal = (): void => {
  const metric = metrics.singleMetric();
  metric.addMetric("AuthRefusals", MetricUnit.Count, 1);
};
