/** The composition root of the usage meter (GET /public/usage, and every function that counts). */
import { dynamoUsageMeter } from "../adapters/dynamodb/usage-meter";
import type { UsageMeter } from "../use-cases/ports";
import { afterAnswer } from "./bookkeeping";
import { once } from "./once";

/** Usage counts are written beside the request's other work: an answer never waits for its meter. */
export const usageMeter = /* @__PURE__ */ once((): UsageMeter => {
  const meter = dynamoUsageMeter();
  return {
    record: async (tenantId, metric, at, count) =>
      afterAnswer("usage count", () => meter.record(tenantId, metric, at, count)),
    read: (tenantId, fromDay, toDay) => meter.read(tenantId, fromDay, toDay),
  };
});
