/** The composition root of the disruption functions: schedule changes, the schedule watch, flight status. */
import { randomUUID } from "node:crypto";
import { dynamoScheduleWatch } from "../adapters/dynamodb/schedule-watch";
import { DynamoCoalescer } from "../adapters/dynamodb/search-flights";
import type { FlightStatus } from "../domain/flight-status";
import { type FlightStatusDeps, getFlightStatus } from "../use-cases/flight-status";
import type { ScheduleChangeDeps } from "../use-cases/schedule-changes";
import type { ScheduleWatchDeps } from "../use-cases/schedule-watch";
import { config } from "./config";
import { transitionDeps } from "./order-wiring";
import { once, supplier } from "./wiring";

export const newScheduleChangeId = (): string => `sch_${randomUUID().replaceAll("-", "")}`;

export const scheduleChangeDeps = /* @__PURE__ */ once(
  (): ScheduleChangeDeps => ({ ...transitionDeps(), supplier: supplier(), newScheduleChangeId }),
);

export const scheduleWatch = /* @__PURE__ */ once(dynamoScheduleWatch);

export const scheduleWatchDeps = /* @__PURE__ */ once(
  (): ScheduleWatchDeps => ({
    ...scheduleChangeDeps(),
    watch: scheduleWatch(),
    periodMs: config().reconcileIntervalS * 1000,
    random: Math.random,
    flightStatus: async (query, call) => (await getFlightStatus(flightStatusDeps(), query, call)).status,
  }),
);

export const flightStatusDeps = /* @__PURE__ */ once(
  (): FlightStatusDeps => ({
    supplier: supplier(),
    coalescer: new DynamoCoalescer<FlightStatus>(config().flightStatusCacheS * 1000),
  }),
);
