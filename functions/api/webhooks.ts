/**
 * The `webhooks` section of /openapi.json: what Aviaframe POSTs to a callback_url, one entry
 * per event type, signed per Standard Webhooks (CONTRACT.md §4).
 */
import * as z from "zod";
import { CALLBACK_EVENTS } from "../domain/delivery";
import { EXAMPLE_DISRUPTED_ORDER, EXAMPLE_SCHEDULE_CHANGED_ORDER } from "./disruption-operations";
import {
  EXAMPLE_BOOKED_ORDER,
  EXAMPLE_CANCELLED_ORDER,
  EXAMPLE_CHANGED_ORDER,
  EXAMPLE_EXPIRED_ORDER,
  EXAMPLE_FAILED_ORDER,
  EXAMPLE_ISSUED_ORDER,
  EXAMPLE_PARTLY_CANCELLED_ORDER,
} from "./examples";
import { OrderSchema } from "./schemas";

export const ORDER_EVENT_TYPES = CALLBACK_EVENTS;

export const OrderEventSchema = z
  .object({
    type: z.enum(ORDER_EVENT_TYPES).meta({ description: "what happened to the order" }),
    timestamp: z.iso.datetime().meta({ description: "when it happened" }),
    data: z.object({ order: OrderSchema.meta({ description: "the order as GET answers it, documents masked" }) }),
  })
  .meta({ id: "OrderEvent" });

export const PingEventSchema = z
  .object({
    type: z.literal("ping"),
    timestamp: z.iso.datetime(),
    data: z.object({
      tenant_id: z.string(),
      message: z.string(),
    }),
  })
  .meta({ id: "PingEvent" });

const SIGNATURE_HEADERS = [
  {
    name: "webhook-id",
    description: "The event's id: the same on every attempt and replay, so use it to drop duplicates.",
    example: "msg_2f9c1d0e6a7b4c3d8e5f",
  },
  {
    name: "webhook-timestamp",
    description: "Unix seconds when this attempt was signed; refuse stale ones (Standard Webhooks libraries do).",
    example: "1804066213",
  },
  {
    name: "webhook-signature",
    description:
      'Space-separated `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, keyed by your tenant\'s whsec_ secret (two during a rotation). Verify with any Standard Webhooks library: `new Webhook(secret).verify(body, headers)`.',
    example: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
  },
  {
    name: "x-correlation-id",
    description: "The correlation id of the request that caused the event.",
    example: "3f1e9a52-7c4b-4d8e-9a61-0b2c5d7e8f90",
  },
].map((header) => ({
  ...header,
  in: "header",
  required: header.name !== "x-correlation-id",
  schema: { type: "string" },
}));

const EVENT_DOCS: Record<
  (typeof ORDER_EVENT_TYPES)[number] | "ping",
  { summary: string; description: string; example: unknown }
> = {
  "order.booked": {
    summary: "An order was booked at DRCT",
    description: "The order is BOOKED: issue it before `ticketing_deadline`, when DRCT's hold ends.",
    example: EXAMPLE_BOOKED_ORDER,
  },
  "order.issued": {
    summary: "An order's tickets were issued",
    description: "The order is ISSUED; `tickets` has a ticket number per passenger.",
    example: EXAMPLE_ISSUED_ORDER,
  },
  "order.failed": {
    summary: "An order failed",
    description: "Booking or ticketing failed for good; `failure` says why.",
    example: EXAMPLE_FAILED_ORDER,
  },
  "order.cancelled": {
    summary: "An order was cancelled",
    description: "The order is CANCELLED; `cancellation` has the refund reference and penalty.",
    example: EXAMPLE_CANCELLED_ORDER,
  },
  "order.passengers_cancelled": {
    summary: "Some passengers of an order were cancelled",
    description:
      "The order keeps its status; the passengers named in the cancel request (and the infant on each cancelled adult's lap) are CANCELLED, each with a refund in `refunds`.",
    example: EXAMPLE_PARTLY_CANCELLED_ORDER,
  },
  "order.changed": {
    summary: "An order's flights were changed",
    description:
      "A change offer was applied: the order is ISSUED again with the new `segments`, reissued `tickets`, and the change in `changes`.",
    example: EXAMPLE_CHANGED_ORDER,
  },
  "order.expired": {
    summary: "An order's hold ended unissued",
    description:
      "The order is EXPIRED: its `ticketing_deadline` passed before it was issued, and DRCT released the booking. Issuing it answers 409 AVF_409_ORDER_EXPIRED; book again from a new search.",
    example: EXAMPLE_EXPIRED_ORDER,
  },
  "order.schedule_changed": {
    summary: "The airline moved a booked flight",
    description:
      "A BOOKED or ISSUED order's flights were moved by the airline: the newest of `schedule_changes` has the old and new segments (status `pending`), and `segments` are the new ones. Accept (keep the new times) or reject (cancel with a full refund) it.",
    example: EXAMPLE_SCHEDULE_CHANGED_ORDER,
  },
  "order.flight_disrupted": {
    summary: "A booked flight is delayed an hour or more, or cancelled",
    description:
      "DRCT reports a delay of 60 minutes or more, or a cancellation, of one of the order's flights: the newest of `disruptions` says which flight, what and how late. One event per order and flight and kind (a delay growing further is not sent again).",
    example: EXAMPLE_DISRUPTED_ORDER,
  },
  ping: {
    summary: "A test event",
    description:
      "Sent by POST /public/callbacks/test to the URL you give, signed like every other event: check your receiver verifies it.",
    example: undefined,
  },
};

const operationIdOf = (type: string) =>
  `on${type
    .split(".")
    .map((part) => (part[0] ?? "").toUpperCase() + part.slice(1))
    .join("")}`;

export const webhooksSection = (schemaRef: (schema: z.ZodType) => unknown) =>
  Object.fromEntries(
    Object.entries(EVENT_DOCS).map(([type, doc]) => [
      type,
      {
        post: {
          operationId: operationIdOf(type),
          tags: ["Callbacks"],
          summary: doc.summary,
          description: `${doc.description} Answer 2xx within 10 s to take it; 4xx (but 408 and 429) refuses it for good; anything else is retried by the retry schedule, then dead-lettered (replayable).`,
          security: [],
          parameters: SIGNATURE_HEADERS,
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: schemaRef(type === "ping" ? PingEventSchema : OrderEventSchema),
                example:
                  type === "ping"
                    ? {
                        type,
                        timestamp: "2027-03-01T09:30:13.902Z",
                        data: { tenant_id: "agency-a", message: "Aviaframe test event" },
                      }
                    : { type, timestamp: "2027-03-01T09:30:13.902Z", data: { order: doc.example } },
              },
            },
          },
          responses: {
            "200": { description: "Taken: the delivery ends." },
            "400": { description: "Refused for good (any 4xx but 408 and 429): the delivery is blocked." },
            "503": { description: "Not now (any 5xx, 408, 429 or a timeout): retried by the schedule." },
          },
        },
      },
    ]),
  );
