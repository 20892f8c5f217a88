/**
 * DRCT's wire format (docs/DRCT-API.md). Every response is parsed with these schemas: a
 * supplier that changes shape fails loudly here instead of leaking odd data to agencies.
 */
import * as z from "zod";

/**
 * The largest amount (minor units) a DRCT answer may carry: a billion in major units. Far
 * beyond any fare, and small enough that markups and sums stay safe integers; anything
 * larger is a supplier answering nonsense (502), never arithmetic failing in our code (500).
 */
export const MAX_SUPPLIER_AMOUNT_MINOR = 100_000_000_000;

const amount = () => z.int().nonnegative().max(MAX_SUPPLIER_AMOUNT_MINOR);

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
  base: amount(),
  taxes: amount(),
  fees: amount(),
});

export const DrctOffer = z.object({
  offer_id: z.string().min(1),
  valid_until: z.iso.datetime({ offset: true }),
  segments: z.array(DrctSegment).min(1),
  price: DrctPrice,
  fare_rules: z.object({
    refundable: z.boolean(),
    changeable: z.boolean(),
    cancel_penalty: amount().optional(),
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
  status: z.enum(["BOOKED", "ISSUED", "CANCELLED", "EXPIRED"]),
  offer_id: z.string(),
  external_ref: z.string().optional(),
  price: z.object({ currency: z.string(), total: amount() }).loose(),
  passenger_count: z.int().positive(),
  passengers: z
    .array(
      z.object({
        passenger_index: z.int().nonnegative(),
        status: z.enum(["ACTIVE", "CANCELLED"]),
        penalty: z.int().nonnegative().optional(),
        refund_reference: z.string().optional(),
      }),
    )
    .optional(),
  tickets: z.array(z.object({ passenger_index: z.int().nonnegative(), ticket_number: z.string() })).default([]),
  ticketing_deadline: z.iso.datetime({ offset: true }).optional(),
  segments: z.array(DrctSegment).optional(),
  applied_changes: z.array(z.object({ change_offer_id: z.string(), applied_at: z.string() })).optional(),
  refundable: z.boolean(),
  cancel_penalty: amount().optional(),
  refund_reference: z.string().optional(),
  penalty: amount().optional(),
  schedule_changes: z
    .array(z.object({ change_id: z.string(), status: z.string(), detected_at: z.string() }).loose())
    .optional(),
});

export type DrctOrder = z.infer<typeof DrctOrder>;

export const DrctOrderList = z.object({ orders: z.array(DrctOrder) });

export const DrctChangeOffer = z.object({
  change_offer_id: z.string().min(1),
  valid_until: z.iso.datetime({ offset: true }),
  segments: z.array(DrctSegment).min(1),
  price: DrctPrice.extend({ total: z.int().nonnegative() }),
  price_difference: z.int(),
  penalty: z.int().nonnegative(),
});

export type DrctChangeOffer = z.infer<typeof DrctChangeOffer>;

export const DrctChangeOfferList = z.object({ change_offers: z.array(DrctChangeOffer) });
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
