/**
 * The zod schemas of the public API. The same objects validate requests in the handlers and
 * generate /openapi.json, so the document cannot say something the gateway does not enforce.
 */
import { z } from "zod";
import { ERROR_CODES, type ErrorCode } from "../domain/errors";
import { isKnownCurrency } from "../domain/money";
import { ORDER_STATUSES } from "../domain/order";

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
    adults: z.int().min(1).max(MAX_SEATED_PASSENGERS),
    children: z
      .int()
      .min(0)
      .max(MAX_SEATED_PASSENGERS - 1)
      .default(0),
    infants: z.int().min(0).max(MAX_SEATED_PASSENGERS).default(0),
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
    origin: IataCode,
    destination: IataCode,
    departure_date: IsoDate,
    return_date: IsoDate.optional(),
    passengers: PassengersSchema,
    cabin: CabinSchema.default("economy"),
    currency: CurrencyCode.optional(),
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
  origin: IataCode,
  destination: IataCode,
  departs_at: z.string().meta({ description: "local time at origin, ISO 8601 with offset" }),
  arrives_at: z.string(),
  carrier: z.string().meta({ example: "LH" }),
  flight_number: z.string().meta({ example: "LH1234" }),
});

export const PriceSchema = z
  .object({
    currency: CurrencyCode,
    base: Minor,
    taxes: Minor,
    provider_fees: Minor,
    aviaframe_markup: Minor,
    tenant_markup: Minor,
    total: Minor.meta({ description: "base + taxes + provider_fees + aviaframe_markup + tenant_markup" }),
  })
  .meta({ id: "Price" });

export const OfferSchema = z
  .object({
    id: z.string(),
    valid_until: z.iso.datetime(),
    segments: z.array(SegmentSchema),
    price: PriceSchema,
    fare_rules: z.object({
      refundable: z.boolean(),
      changeable: z.boolean(),
      cancel_penalty: Minor.optional(),
    }),
    priced_at: z.iso.datetime().optional(),
  })
  .meta({ id: "Offer" });

export const SearchResponse = z.object({ offers: z.array(OfferSchema) }).meta({ id: "SearchResponse" });

export const OfferIdPath = z.object({
  offerId: z.string().regex(/^off_[A-Za-z0-9_-]{10,64}$/, "is not an offer id"),
});

export const HealthResponse = z
  .object({
    status: z.enum(["ok", "degraded", "unavailable"]),
    stage: z.string(),
    supplier: z.object({ name: z.string(), breaker: z.enum(["closed", "open", "half_open", "unknown"]) }),
    time: z.iso.datetime(),
  })
  .meta({ id: "Health" });

export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      retryable: z.boolean(),
      details: z.record(z.string(), z.unknown()).optional(),
      correlation_id: z.string(),
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
  searches: z.int(),
  prices: z.int(),
  orders: z.int(),
  issues: z.int(),
});

export const UsageResponse = z
  .object({
    tenant_id: z.string(),
    from: IsoDate,
    to: IsoDate,
    totals: UsageCountsSchema,
    days: z.array(z.object({ date: IsoDate, counts: UsageCountsSchema })),
  })
  .meta({ id: "Usage" });

const Country = z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code, e.g. DE");
const PersonName = z
  .string()
  .min(1)
  .max(60)
  .meta({ description: "as in the travel document; transliterated to A–Z for the airline" });

export const PassengerSchema = z.strictObject({
  type: z.enum(["adult", "child", "infant"]),
  given_name: PersonName,
  family_name: PersonName,
  birth_date: IsoDate,
  gender: z.enum(["female", "male", "unspecified"]),
  document: z
    .strictObject({
      type: z.enum(["passport", "national_id"]),
      number: z.string().regex(/^[A-Z0-9]{5,20}$/, "must be 5–20 upper-case letters or digits"),
      issuing_country: Country,
      nationality: Country,
      expires_on: IsoDate,
    })
    .optional(),
});

export const CreateOrderRequest = z
  .strictObject({
    offer_id: z.string().regex(/^off_[A-Za-z0-9_-]{10,64}$/, "is not an offer id"),
    passengers: z.array(PassengerSchema).min(1).max(18),
    contact: z.strictObject({
      email: z.email().max(254),
      phone: z.string().regex(/^\+[1-9]\d{6,14}$/, "must be E.164, e.g. +4930123456"),
    }),
    callback_url: z.string().min(1).max(2048).optional(),
    external_ref: z
      .string()
      .regex(/^[\x20-\x7e]{1,64}$/, "must be 1–64 printable ASCII characters")
      .optional(),
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

export const CancelOrderRequest = z
  .strictObject({ reason: z.string().max(200).optional() })
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
    id: z.string(),
    status: z.enum(ORDER_STATUS_VALUES),
    offer_id: z.string(),
    price: PriceSchema,
    passengers: z.array(
      PassengerSchema.extend({
        document: PassengerSchema.shape.document
          .unwrap()
          .extend({ number: z.string().meta({ description: "masked" }) })
          .optional(),
      }),
    ),
    tickets: z.array(z.object({ passenger_index: z.int(), number: z.string() })).optional(),
    drct_order_id: z.string().optional(),
    external_ref: z.string().optional(),
    callback_url: z.string().optional(),
    failure: z.object({ code: z.string(), message: z.string() }).optional(),
    cancellation: z
      .object({ refund_reference: z.string().optional(), penalty: z.int(), cancelled_at: z.iso.datetime() })
      .optional(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    history: z.array(
      z.object({ status: z.enum(ORDER_STATUS_VALUES), at: z.iso.datetime(), reason: z.string().optional() }),
    ),
  })
  .meta({ id: "Order" });

export const OrderListResponse = z
  .object({ orders: z.array(OrderSchema), next_cursor: z.string().nullable() })
  .meta({ id: "OrderList" });

export const DeliveryIdPath = z.object({
  deliveryId: z.string().regex(/^dlv_[A-Za-z0-9_-]{10,40}$/, "is not a delivery id"),
});

export const DeliverySchema = z
  .object({
    id: z.string(),
    order_id: z.string(),
    event_type: z.enum(["order.booked", "order.issued", "order.failed", "order.cancelled"]),
    webhook_id: z.string(),
    url: z.string(),
    status: z.enum(["pending", "delivered", "blocked", "dead_lettered"]),
    attempts: z.array(
      z.object({
        number: z.int(),
        at: z.iso.datetime(),
        outcome: z.enum(["delivered", "retry", "blocked"]),
        status_code: z.int().optional(),
        error: z.string().optional(),
        latency_ms: z.int(),
      }),
    ),
    replays: z.int(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: "Delivery" });

export const DeliveryListResponse = z.object({ deliveries: z.array(DeliverySchema) }).meta({ id: "DeliveryList" });
