/** Request and response shapes of the disruption routes: schedule changes, flight status, DRCT's notifications. */
import * as z from "zod";
import { DrctNotification } from "../domain/drct-notification";
import { OrderIdPath } from "./schemas";

export const ScheduleChangePath = OrderIdPath.extend({
  changeId: z.string().regex(/^sch_[A-Za-z0-9]{10,40}$/, "is not a schedule change id"),
});

export const RejectScheduleChangeRequest = z
  .strictObject({ reason: z.string().max(200).optional() })
  .meta({ id: "RejectScheduleChangeRequest" });

const isRealDate = (text: string) => {
  const at = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(at) && new Date(at).toISOString().slice(0, 10) === text;
};

export const FlightStatusQuery = z
  .strictObject({
    carrier: z
      .string()
      .regex(/^[A-Z0-9]{2}$/, "must be a 2-character IATA airline code in upper case, e.g. LH")
      .meta({ description: "IATA code of the marketing airline", example: "LH" }),
    flight_number: z
      .string()
      .regex(/^([A-Z0-9]{2})?[0-9]{1,4}[A-Z]?$/, "must be a flight number, e.g. 1234 or LH1234")
      .meta({ description: "the number, with or without the carrier code", example: "LH1234" }),
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "must be an ISO date, YYYY-MM-DD")
      .refine(isRealDate, "is not a calendar date")
      .meta({ description: "scheduled departure day (UTC), YYYY-MM-DD", example: "2026-12-30" }),
  })
  .meta({ id: "FlightStatusQuery" });

const FlightPoint = z.object({
  airport: z.string().meta({ description: "IATA code of the airport" }),
  scheduled: z.string().meta({ description: "scheduled time, ISO 8601" }),
  estimated: z.string().optional().meta({ description: "the airline's current estimate, while it differs" }),
  actual: z.string().optional().meta({ description: "when it really happened" }),
});

export const FlightStatusSchema = z
  .object({
    carrier: z.string(),
    flight_number: z.string(),
    date: z.string(),
    status: z.enum(["scheduled", "delayed", "departed", "landed", "cancelled"]),
    delay_minutes: z.int().optional().meta({ description: "minutes late, when delayed" }),
    operating_carrier: z.string().optional().meta({ description: "the airline flying it, for a codeshare" }),
    departure: FlightPoint,
    arrival: FlightPoint,
  })
  .meta({ id: "FlightStatus" });

export const DrctNotificationRequest = DrctNotification.meta({ id: "DrctNotification" });
