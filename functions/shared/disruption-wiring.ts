/** The composition root of the disruption functions: schedule changes and the schedule watch (flight status: flight-status-wiring.ts). */
import { randomUUID } from "node:crypto";
import { dynamoScheduleWatch } from "../adapters/dynamodb/schedule-watch";
import { getFlightStatus } from "../use-cases/flight-status";
import type { ScheduleChangeDeps } from "../use-cases/schedule-changes";
import type { ScheduleWatchDeps } from "../use-cases/schedule-watch";
import { config } from "./config";
import { flightStatusDeps } from "./flight-status-wiring";
import { once } from "./once";
import { transitionDeps } from "./transition-wiring";
import { supplier } from "./wiring";

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
