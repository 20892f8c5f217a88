/** The composition root of flight status (GET /public/flights/status, and the schedule watch's checks): the supplier behind a shared cache. */
import { DynamoCoalescer } from "../adapters/dynamodb/search-flights";
import type { FlightStatus } from "../domain/flight-status";
import type { FlightStatusDeps } from "../use-cases/flight-status";
import { config } from "./config";
import { once } from "./once";
import { supplier } from "./wiring";

export const flightStatusDeps = /* @__PURE__ */ once(
  (): FlightStatusDeps => ({
    supplier: supplier(),
    coalescer: new DynamoCoalescer<FlightStatus>(config().flightStatusCacheS * 1000),
  }),
);
