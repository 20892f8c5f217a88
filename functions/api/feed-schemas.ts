/** Schemas of the webhook tooling routes: POST /public/callbacks/test and GET /public/events. */
import * as z from "zod";
import { EVENTS } from "../../lib/resources";
import { DeliveryAttemptSchema, ORDER_STATUS_VALUES, pageQueryFields } from "./schemas";

export const TestCallbackRequest = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .max(2048)
      .meta({ description: "where to send the ping: the same rules as an order's callback_url" }),
  })
  .meta({ id: "TestCallbackRequest" });

export const TestDeliverySchema = z
  .object({
    id: z.string(),
    event_type: z.literal("ping"),
    webhook_id: z.string().meta({ description: "the webhook-id header it was sent with" }),
    url: z.string(),
    status: z.enum(["delivered", "failed"]).meta({ description: "delivered: your endpoint answered 2xx" }),
    attempts: z.array(DeliveryAttemptSchema),
    created_at: z.iso.datetime(),
  })
  .meta({ id: "TestDelivery" });

export const TestCallbackResponse = z.object({ delivery: TestDeliverySchema }).meta({ id: "TestCallbackResult" });

export const EventListQuery = z
  .strictObject({
    type: z.enum(EVENTS.orders.detailTypes).optional().meta({ description: "only events of this type" }),
    ...pageQueryFields("events"),
  })
  .meta({ id: "EventListQuery" });

export const FeedEventSchema = z
  .object({
    id: z.string().meta({ description: "the event's id (`evt_…`)" }),
    type: z.enum(EVENTS.orders.detailTypes),
    occurred_at: z.iso.datetime(),
    order_id: z.string(),
    order_status: z.enum(ORDER_STATUS_VALUES).meta({ description: "the order's status right after the event" }),
  })
  .meta({ id: "Event" });

export const EventListResponse = z
  .object({ events: z.array(FeedEventSchema), next_cursor: z.string().nullable() })
  .meta({ id: "EventList" });
