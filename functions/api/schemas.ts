/**
 * The zod schemas of the public API. The same objects validate requests in the handlers and
 * generate /openapi.json, so the document cannot say something the gateway does not enforce.
 */
import * as z from "zod";
import { CALLBACK_EVENTS } from "../domain/delivery";
import { ERROR_CODES, type ErrorCode } from "../domain/errors";
import { isKnownCurrency } from "../domain/money";
import { ORDER_STATUSES } from "../domain/order";
import { PASSENGER_STATUSES } from "../domain/passengers";

const DAY_MS = 86_400_000;
/** Airlines sell about 11 months ahead; DRCT answers nothing beyond 361 days. */
export const MAX_DAYS_AHEAD = 361;
export const MAX_SEATED_PASSENGERS = 9;

export const IataCode = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be a 3-letter IATA code in upper case, e.g. LHR")
  .meta({ example: "LHR" });

export const IsoDate = z.iso.date("must be a date as YYYY-MM-DD").meta({ example: "2027-03-14" });

export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be an ISO 4217 currency code, e.g. EUR")
  .refine(isKnownCurrency, "is not a known ISO 4217 currency")
  .meta({ example: "EUR" });

export const CabinSchema = z.enum(["economy", "premium_economy", "business", "first"]);

/**
 * Earliest calendar date that is still today somewhere on earth (UTC-12): a departure on it is
 * not in the past for every traveller, so it is the first one we accept.
 */
export const earliestBookableDate = (nowMs: number): string =>
  new Date(nowMs - 12 * 3_600_000).toISOString().slice(0, 10);

export const latestBookableDate = (nowMs: number): string =>
  new Date(nowMs + 14 * 3_600_000 + MAX_DAYS_AHEAD * DAY_MS).toISOString().slice(0, 10);

export const PassengersSchema = z
  .strictObject({
    adults: z.int().min(1).max(MAX_SEATED_PASSENGERS).meta({ description: "12 years or older" }),
    children: z
      .int()
      .min(0)
      .max(MAX_SEATED_PASSENGERS - 1)
      .default(0)
      .meta({ description: "2–11 years, with a seat" }),
    infants: z.int().min(0).max(MAX_SEATED_PASSENGERS).default(0).meta({ description: "under 2, on an adult's lap" }),
  })
  .superRefine((passengers, ctx) => {
    if (passengers.adults + passengers.children > MAX_SEATED_PASSENGERS) {
      ctx.addIssue({
        code: "custom",
        message: `at most ${MAX_SEATED_PASSENGERS} seated passengers (adults + children)`,
        path: ["children"],
      });
    }
    if (passengers.infants > passengers.adults) {
      ctx.addIssue({
        code: "custom",
        message: "each infant needs an adult's lap: infants ≤ adults",
        path: ["infants"],
      });
    }
  });

export const SearchRequest = z
  .strictObject({
    origin: IataCode.meta({ description: "IATA code of the airport or city of departure" }),
    destination: IataCode.meta({ description: "IATA code of the airport or city of arrival" }),
    departure_date: IsoDate.meta({
      description: "local date of the outbound flight; not in the past, ≤ 361 days ahead",
    }),
    return_date: IsoDate.optional().meta({ description: "local date of the return flight; absent for one way" }),
    passengers: PassengersSchema.meta({ description: "who flies: 1–9 seated (adults + children), infants ≤ adults" }),
    cabin: CabinSchema.default("economy").meta({ description: "cabin class" }),
    currency: CurrencyCode.optional().meta({ description: "ISO 4217 currency of the prices; default: the tenant's" }),
  })
  .superRefine((request, ctx) => {
    const now = Date.now();
    if (request.origin === request.destination) {
      ctx.addIssue({ code: "custom", message: "must differ from origin", path: ["destination"] });
    }
    if (request.departure_date < earliestBookableDate(now)) {
      ctx.addIssue({ code: "custom", message: "is in the past", path: ["departure_date"] });
    } else if (request.departure_date > latestBookableDate(now)) {
      ctx.addIssue({ code: "custom", message: `is more than ${MAX_DAYS_AHEAD} days ahead`, path: ["departure_date"] });
    }
    if (request.return_date !== undefined && request.return_date < request.departure_date) {
      ctx.addIssue({ code: "custom", message: "must not be before departure_date", path: ["return_date"] });
    } else if (request.return_date !== undefined && request.return_date > latestBookableDate(now)) {
      ctx.addIssue({ code: "custom", message: `is more than ${MAX_DAYS_AHEAD} days ahead`, path: ["return_date"] });
    }
  })
  .meta({ id: "SearchRequest" });

export type SearchRequest = z.output<typeof SearchRequest>;

const Minor = z.int().meta({ description: "integer amount in minor units of the currency" });

export const SegmentSchema = z.object({
  origin: IataCode.meta({ description: "IATA code of the departure airport" }),
  destination: IataCode.meta({ description: "IATA code of the arrival airport" }),
  departs_at: z.string().meta({ description: "local time at origin, ISO 8601 with offset" }),
  arrives_at: z.string().meta({ description: "local time at destination, ISO 8601 with offset" }),
  carrier: z.string().meta({ example: "LH", description: "IATA code of the marketing airline" }),
  flight_number: z.string().meta({ example: "LH1234", description: "carrier code and number" }),
  operating_carrier: z
    .string()
    .optional()
    .meta({ example: "AF", description: "IATA code of the airline flying it, when another sells it (codeshare)" }),
});

export const ScheduleChangeSchema = z
  .object({
    id: z.string().meta({ description: "the schedule change's id (`sch_…`)" }),
    detected_at: z.iso.datetime().meta({ description: "when Aviaframe learnt of it" }),
    old_segments: z.array(SegmentSchema).meta({ description: "the flights before the airline moved them" }),
    new_segments: z.array(SegmentSchema).meta({ description: "the flights as the airline runs them now" }),
    status: z
      .enum(["pending", "accepted", "rejected"])
      .meta({ description: "pending until you accept (keep the new times) or reject (cancel, full refund)" }),
  })
  .meta({ id: "ScheduleChange" });

export const PriceSchema = z
  .object({
    currency: CurrencyCode.meta({ description: "ISO 4217 currency of every amount here" }),
    base: Minor.meta({ description: "the airline's fare, in minor units" }),
    taxes: Minor.meta({ description: "taxes and airport charges, in minor units" }),
    provider_fees: Minor.meta({ description: "DRCT's fees, in minor units" }),
    aviaframe_markup: Minor.meta({ description: "Aviaframe's platform markup, in minor units" }),
    tenant_markup: Minor.meta({ description: "your markup (your plan's percent or fixed amount), in minor units" }),
    total: Minor.meta({ description: "base + taxes + provider_fees + aviaframe_markup + tenant_markup" }),
  })
  .meta({ id: "Price" });

export const OfferSchema = z
  .object({
    id: z.string().meta({ description: "the offer's id (`off_…`), yours only; book it before valid_until" }),
    valid_until: z.iso
      .datetime()
      .meta({ description: "after this the offer cannot be priced or booked: search again" }),
    segments: z.array(SegmentSchema).meta({ description: "the flights, in travel order (outbound, then return)" }),
    price: PriceSchema,
    fare_rules: z
      .object({
        refundable: z.boolean().meta({ description: "whether a cancel refunds the fare (less cancel_penalty)" }),
        changeable: z.boolean().meta({ description: "whether dates or flights may be changed" }),
        cancel_penalty: Minor.optional().meta({ description: "kept on a cancel, in minor units" }),
      })
      .meta({ description: "what the fare allows after booking" }),
    priced_at: z.iso.datetime().optional().meta({ description: "when DRCT last confirmed this price (PATCH …/price)" }),
  })
  .meta({ id: "Offer" });

export const SearchResponse = z.object({ offers: z.array(OfferSchema) }).meta({ id: "SearchResponse" });

export const OfferIdPath = z.object({
  offerId: z.string().regex(/^off_[A-Za-z0-9_-]{10,64}$/, "is not an offer id"),
});

export const HealthResponse = z
  .object({
    status: z
      .enum(["ok", "degraded", "unavailable"])
      .meta({ description: "ok; degraded: DRCT's breaker is not closed; unavailable: the state store is unreachable" }),
    stage: z.string().meta({ description: "the deployment stage (`local` on npm start)" }),
    supplier: z.object({
      name: z.string(),
      breaker: z
        .enum(["closed", "open", "half_open", "unknown"])
        .meta({ description: "open: DRCT is failing and is not called; half_open: one probe goes through" }),
    }),
    time: z.iso.datetime().meta({ description: "the gateway's clock" }),
  })
  .meta({ id: "Health" });

export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z
        .enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]])
        .meta({ description: "stable: AVF_<HTTP status>_<NAME>; codes are added, never renamed" }),
      message: z.string().meta({ description: "for people: what went wrong and what to do; may change" }),
      retryable: z
        .boolean()
        .meta({ description: "whether the same request may succeed later (after Retry-After, when sent)" }),
      details: z
        .record(z.string(), z.unknown())
        .optional()
        .meta({ description: "machine-readable specifics, e.g. issues[] of AVF_400_VALIDATION" }),
      correlation_id: z.string().meta({ description: "quote it to support; every log line of the request has it" }),
    }),
  })
  .meta({ id: "Error" });

export const UsageQuery = z
  .strictObject({
    from: IsoDate.optional().meta({ description: "first UTC day counted (default: 29 days before to)" }),
    to: IsoDate.optional().meta({ description: "last UTC day counted (default: today)" }),
  })
  .meta({ id: "UsageQuery" });

const UsageCountsSchema = z.object({
  searches: z.int().meta({ description: "searches answered (cached or not)" }),
  prices: z.int().meta({ description: "price confirmations with DRCT" }),
  orders: z.int().meta({ description: "orders created" }),
  issues: z.int().meta({ description: "orders issued" }),
  changes: z.int().meta({ description: "voluntary changes applied to orders" }),
});

export const UsageResponse = z
  .object({
    tenant_id: z.string(),
    from: IsoDate.meta({ description: "first UTC day counted" }),
    to: IsoDate.meta({ description: "last UTC day counted" }),
    totals: UsageCountsSchema.meta({ description: "the sums over the period" }),
    days: z
      .array(z.object({ date: IsoDate, counts: UsageCountsSchema }))
      .meta({ description: "one entry per UTC day with any use" }),
  })
  .meta({ id: "Usage" });

const Country = z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code, e.g. DE");
const PersonName = z
  .string()
  .min(1)
  .max(60)
  .meta({ description: "as in the travel document; transliterated to A–Z for the airline" });

export const PassengerSchema = z.strictObject({
  type: z.enum(["adult", "child", "infant"]).meta({ description: "adult 12+, child 2–11, infant under 2" }),
  given_name: PersonName,
  family_name: PersonName,
  birth_date: IsoDate.meta({ description: "must fit the passenger type on the date of travel" }),
  gender: z.enum(["female", "male", "unspecified"]).meta({ description: "as in the travel document" }),
  document: z
    .strictObject({
      type: z.enum(["passport", "national_id"]),
      number: z.string().regex(/^[A-Z0-9]{5,20}$/, "must be 5–20 upper-case letters or digits"),
      issuing_country: Country.meta({ description: "ISO 3166-1 alpha-2 code of the issuing state" }),
      nationality: Country.meta({ description: "ISO 3166-1 alpha-2 code" }),
      expires_on: IsoDate.meta({ description: "the document's expiry date" }),
    })
    .optional()
    .meta({ description: "travel document; airlines need it for international travel (kept encrypted)" }),
});

export const CreateOrderRequest = z
  .strictObject({
    offer_id: z
      .string()
      .regex(/^off_[A-Za-z0-9_-]{10,64}$/, "is not an offer id")
      .meta({ description: "an offer from your search, still valid; price it first (PATCH …/price)" }),
    passengers: z
      .array(PassengerSchema)
      .min(1)
      .max(18)
      .meta({ description: "as many of each type as the search asked for" }),
    contact: z
      .strictObject({
        email: z.email().max(254),
        phone: z.string().regex(/^\+[1-9]\d{6,14}$/, "must be E.164, e.g. +4930123456"),
      })
      .meta({ description: "who the airline contacts about the trip (kept encrypted, never in callbacks)" }),
    callback_url: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .meta({ description: "where order events go: https, port 443, a host with public addresses only" }),
    external_ref: z
      .string()
      .regex(/^[\x20-\x7e]{1,64}$/, "must be 1–64 printable ASCII characters")
      .optional()
      .meta({ description: "your own reference, returned on the order and its callbacks" }),
  })
  .meta({ id: "CreateOrderRequest" });

export const IssueOrderRequest = z
  .strictObject({
    payment: z.strictObject({
      type: z.literal("external"),
      reference: z.string().regex(/^[\x20-\x7e]{1,64}$/, "must be 1–64 printable ASCII characters"),
    }),
  })
  .meta({ id: "IssueOrderRequest" });

export const PassengerId = z.string().regex(/^pas_[A-Za-z0-9_-]{10,40}$/, "is not a passenger id");

export const CancelOrderRequest = z
  .strictObject({
    passenger_ids: z
      .array(PassengerId)
      .min(1)
      .max(18)
      .refine((ids) => new Set(ids).size === ids.length, "lists a passenger twice")
      .optional()
      .meta({
        description:
          "cancel only these passengers (the order's passengers[].id); an infant goes with the adult whose lap it travels on; without it, the whole order",
      }),
    reason: z.string().max(200).optional(),
  })
  .meta({ id: "CancelOrderRequest" });

export const OrderIdPath = z.object({
  orderId: z.string().regex(/^ord_[A-Za-z0-9_-]{10,40}$/, "is not an order id"),
});

export const ORDER_STATUS_VALUES = ORDER_STATUSES;

/** `limit` and `cursor` of every listing: pages of 1–100, the previous page's next_cursor. */
export const pageQueryFields = (items: string) => ({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .meta({ description: `${items} per page, 1–100` }),
  cursor: z
    .string()
    .max(2048)
    .optional()
    .meta({ description: "the next_cursor of the previous page; absent for the first page" }),
});

export const ListOrdersQuery = z
  .strictObject({
    status: z.enum(ORDER_STATUS_VALUES).optional().meta({ description: "only orders in this status" }),
    ...pageQueryFields("orders"),
  })
  .meta({ id: "ListOrdersQuery" });

export const OrderSchema = z
  .object({
    id: z.string().meta({ description: "the order's id (`ord_…`), derived from your Idempotency-Key" }),
    status: z.enum(ORDER_STATUS_VALUES).meta({
      description:
        "PENDING → BOOKED → ISSUING → ISSUED; or PENDING_RECONCILE, FAILED, CANCELLED; EXPIRED when BOOKED past its ticketing_deadline",
    }),
    offer_id: z.string().meta({ description: "the offer it was booked from" }),
    price: PriceSchema,
    passengers: z.array(
      PassengerSchema.extend({
        id: PassengerId.meta({ description: "the passenger's id (`pas_…`), stable for the order's life" }),
        status: z
          .enum(PASSENGER_STATUSES)
          .meta({ description: "ACTIVE, or CANCELLED once cancelled alone or with the order" }),
        document: PassengerSchema.shape.document
          .unwrap()
          .extend({ number: z.string().meta({ description: "masked" }) })
          .optional(),
      }),
    ),
    tickets: z
      .array(z.object({ passenger_index: z.int(), number: z.string() }))
      .optional()
      .meta({ description: "once ISSUED: a ticket number per passenger (index into passengers)" }),
    drct_order_id: z.string().optional().meta({ description: "DRCT's booking reference, once BOOKED" }),
    ticketing_deadline: z.iso.datetime().optional().meta({
      description:
        "while BOOKED: until when DRCT holds the booking; issue before it, or the order becomes EXPIRED (order.expired)",
    }),
    external_ref: z.string().optional().meta({ description: "your reference, as sent" }),
    callback_url: z.string().optional().meta({ description: "where this order's events go" }),
    failure: z.object({ code: z.string(), message: z.string() }).optional().meta({ description: "when FAILED: why" }),
    cancellation: z
      .object({ refund_reference: z.string().optional(), penalty: z.int(), cancelled_at: z.iso.datetime() })
      .optional(),
    segments: z.array(SegmentSchema).optional().meta({
      description:
        "the flights booked, in travel order, as the airline runs them now: a change or a schedule change replaces them",
    }),
    changes: z
      .array(
        z.object({
          change_offer_id: z.string(),
          total_due: z.int(),
          currency: z.string(),
          applied_at: z.iso.datetime(),
        }),
      )
      .optional()
      .meta({ description: "voluntary changes applied, oldest first" }),
    refunds: z
      .array(
        z.object({
          passenger_id: z.string(),
          amount: z
            .int()
            .meta({ description: "minor units: the passenger's share less DRCT's penalty; 0 if unticketed" }),
          currency: z.string(),
          reference: z.string().meta({ description: "DRCT's refund reference" }),
        }),
      )
      .optional()
      .meta({ description: "money returned per cancelled passenger, following the fare rules" }),
    schedule_changes: z
      .array(ScheduleChangeSchema)
      .optional()
      .meta({ description: "the airline's schedule changes of this order, oldest first" }),
    disruptions: z
      .array(
        z.object({
          carrier: z.string(),
          flight_number: z.string(),
          date: z.string(),
          kind: z.enum(["delayed", "cancelled"]),
          delay_minutes: z.int().optional(),
          detected_at: z.iso.datetime(),
        }),
      )
      .optional()
      .meta({ description: "delays of 60 minutes or more and cancellations of its flights (order.flight_disrupted)" }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    history: z
      .array(z.object({ status: z.enum(ORDER_STATUS_VALUES), at: z.iso.datetime(), reason: z.string().optional() }))
      .meta({ description: "every status the order went through, oldest first" }),
    personal_data_erased: z
      .literal(true)
      .optional()
      .meta({ description: "present once the passengers' and contact's data were erased (passengers then empty)" }),
  })
  .meta({ id: "Order" });

export const OrderListResponse = z
  .object({
    orders: z.array(OrderSchema),
    next_cursor: z.string().nullable().meta({ description: "pass as cursor for the next page; null on the last" }),
  })
  .meta({ id: "OrderList" });

export const DeliveryIdPath = z.object({
  deliveryId: z.string().regex(/^dlv_[A-Za-z0-9_-]{10,40}$/, "is not a delivery id"),
});

/** One HTTP attempt of a callback delivery. */
export const DeliveryAttemptSchema = z.object({
  number: z.int().meta({ description: "1 for the first attempt, counting across replays" }),
  at: z.iso.datetime(),
  outcome: z
    .enum(["delivered", "retry", "blocked"])
    .meta({ description: "delivered: 2xx; retry: 5xx, 408, 429, no answer; blocked: another 4xx, a redirect" }),
  status_code: z.int().optional().meta({ description: "what your endpoint answered" }),
  error: z.string().optional().meta({ description: "why no answer came (timeout, refused address, …)" }),
  latency_ms: z.int(),
});

export const DeliverySchema = z
  .object({
    id: z.string().meta({ description: "the delivery's id (`dlv_…`): one per event" }),
    order_id: z.string(),
    event_type: z.enum(CALLBACK_EVENTS),
    webhook_id: z.string().meta({ description: "the webhook-id header, the same on every attempt and replay" }),
    url: z.string(),
    status: z
      .enum(["pending", "delivered", "blocked", "dead_lettered"])
      .meta({ description: "pending: being sent or retried; dead_lettered: the schedule ran out (replayable)" }),
    attempts: z.array(DeliveryAttemptSchema),
    replays: z.int().meta({ description: "how often it was replayed" }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: "Delivery" });

export const DeliveryListResponse = z.object({ deliveries: z.array(DeliverySchema) }).meta({ id: "DeliveryList" });
