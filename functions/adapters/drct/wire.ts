/**
 * DRCT's wire format (docs/DRCT-API.md). Every response is parsed with these schemas: a
 * supplier that changes shape fails loudly here instead of leaking odd data to agencies.
 */
import * as z from "zod";

export const DrctSegment = z.object({
  origin: z.string(),
  destination: z.string(),
  departs_at: z.string(),
  arrives_at: z.string(),
  carrier: z.string(),
  flight_number: z.string(),
  operating_carrier: z.string().optional(),
});

export const DrctPrice = z.object({
  currency: z.string().length(3),
  base: z.int().nonnegative(),
  taxes: z.int().nonnegative(),
  fees: z.int().nonnegative(),
});

export const DrctOffer = z.object({
  offer_id: z.string().min(1),
  valid_until: z.iso.datetime({ offset: true }),
  segments: z.array(DrctSegment).min(1),
  price: DrctPrice,
  fare_rules: z.object({
    refundable: z.boolean(),
    changeable: z.boolean(),
    cancel_penalty: z.int().nonnegative().optional(),
  }),
});

export type DrctOffer = z.infer<typeof DrctOffer>;

export const DrctSearchResponse = z.object({ offers: z.array(DrctOffer) });

export const DrctSearchRequest = z.object({
  origin: z.string(),
  destination: z.string(),
  departure_date: z.string(),
  return_date: z.string().optional(),
  passengers: z.object({ adults: z.int(), children: z.int(), infants: z.int() }),
  cabin: z.string(),
  currency: z.string(),
});

export type DrctSearchRequest = z.infer<typeof DrctSearchRequest>;

export const DrctErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

export const DrctOrder = z.object({
  order_id: z.string().min(1),
  status: z.enum(["BOOKED", "ISSUED", "CANCELLED"]),
  offer_id: z.string(),
  external_ref: z.string().optional(),
  price: z.object({ currency: z.string(), total: z.int().nonnegative() }).loose(),
  passenger_count: z.int().positive(),
  tickets: z.array(z.object({ passenger_index: z.int().nonnegative(), ticket_number: z.string() })).default([]),
  refundable: z.boolean(),
  cancel_penalty: z.int().nonnegative().optional(),
  refund_reference: z.string().optional(),
  penalty: z.int().nonnegative().optional(),
  segments: z.array(DrctSegment).optional(),
  schedule_changes: z
    .array(z.object({ change_id: z.string(), status: z.string(), detected_at: z.string() }).loose())
    .optional(),
});

export type DrctOrder = z.infer<typeof DrctOrder>;

export const DrctOrderList = z.object({ orders: z.array(DrctOrder) });

const DrctFlightPoint = z.object({
  airport: z.string(),
  scheduled: z.string(),
  estimated: z.string().optional(),
  actual: z.string().optional(),
});

export const DrctFlightStatus = z.object({
  carrier: z.string(),
  flight_number: z.string(),
  date: z.string(),
  status: z.enum(["scheduled", "delayed", "departed", "landed", "cancelled"]),
  delay_minutes: z.int().nonnegative().optional(),
  operating_carrier: z.string().optional(),
  departure: DrctFlightPoint,
  arrival: DrctFlightPoint,
});
