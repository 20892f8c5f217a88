/**
 * The reusable parts of /openapi.json: headers every response carries, request header
 * parameters, the error cases by code (with an example each), tags and servers.
 */
import { ERROR_CODES, type ErrorCode, isRetryableCode } from "../domain/errors";
import { errorExample } from "./examples";
import { API_VERSIONS, CURRENT_API_VERSION } from "./versions";

const header = (description: string, schema: Record<string, unknown>, example?: unknown) => ({
  description,
  schema,
  ...(example === undefined ? {} : { example }),
});

export const HEADERS = {
  CorrelationId: header(
    "Your x-correlation-id if you sent a valid one, else a new UUID; every log line of the request carries it.",
    { type: "string" },
    "3f1e9a52-7c4b-4d8e-9a61-0b2c5d7e8f90",
  ),
  Version: header(
    "The API version the request was answered in (see the Aviaframe-Version request header).",
    { type: "string", enum: [...API_VERSIONS] },
    CURRENT_API_VERSION,
  ),
  RateLimitLimit: header("DRCT searches your plan allows per window.", { type: "integer" }, 55),
  RateLimitRemaining: header("Searches left in the current window.", { type: "integer" }, 54),
  RateLimitReset: header("Seconds until the window has room again.", { type: "integer" }, 2),
  RateLimitPolicy: header(
    "The search budget: `limit;w=window seconds;burst=n;name=…`.",
    { type: "string" },
    '55;w=60;burst=10;name="drct-search"',
  ),
  RetryAfter: header("Seconds to wait before trying again.", { type: "integer" }, 1),
  IdempotentReplayed: header(
    "`true` when this is the stored answer to an earlier request with the same Idempotency-Key and body.",
    { type: "string", enum: ["true"] },
    "true",
  ),
  Location: header("Where the order can be read.", { type: "string" }, "/public/orders/ord_Qm9vZ3L1c2h0bWFya3VwMj"),
  XCache: header(
    "`HIT` when the answer came from the tenant's search cache, `MISS` when DRCT was asked.",
    { type: "string", enum: ["HIT", "MISS"] },
    "MISS",
  ),
  Age: header("Seconds since DRCT answered this search.", { type: "integer" }, 0),
  XCoalesced: header(
    "`true` when an identical search in flight answered this one (one DRCT call for both).",
    { type: "string", enum: ["true", "false"] },
    "false",
  ),
} as const;

export type HeaderName = keyof typeof HEADERS;

/** Response header names as they go over the wire. */
export const HEADER_WIRE_NAMES: Record<HeaderName, string> = {
  CorrelationId: "x-correlation-id",
  Version: "Aviaframe-Version",
  RateLimitLimit: "ratelimit-limit",
  RateLimitRemaining: "ratelimit-remaining",
  RateLimitReset: "ratelimit-reset",
  RateLimitPolicy: "ratelimit-policy",
  RetryAfter: "Retry-After",
  IdempotentReplayed: "Idempotent-Replayed",
  Location: "Location",
  XCache: "x-cache",
  Age: "age",
  XCoalesced: "x-coalesced",
};

export const PARAMETERS = {
  Version: {
    name: "Aviaframe-Version",
    in: "header",
    required: false,
    description: `The API version your integration was written against (YYYY-MM-DD); without it, the current one (${CURRENT_API_VERSION}). An unknown version → 400 AVF_400_UNSUPPORTED_VERSION. See CHANGELOG.md.`,
    schema: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    example: CURRENT_API_VERSION,
  },
  CorrelationId: {
    name: "x-correlation-id",
    in: "header",
    required: false,
    description: "Your id for this request (1–128 of A–Z a–z 0–9 . _ : -), echoed and logged; else a new UUID.",
    schema: { type: "string", maxLength: 128 },
    example: "checkout-7731",
  },
  IdempotencyKey: {
    name: "Idempotency-Key",
    in: "header",
    required: true,
    description:
      "Your unique key for this action (1–255 visible ASCII characters, a UUID is ideal). The same key and body answer the first response for 7 days (Idempotent-Replayed: true) without doing the work twice; the same key with another body → 409 AVF_409_IDEMPOTENCY_MISMATCH.",
    schema: { type: "string", minLength: 1, maxLength: 255 },
    example: "6f1c2a9e-3b7d-4e0f-8a15-2c9d7b4e1f03",
  },
} as const;

interface ErrorCase {
  readonly message: string;
  readonly details?: Record<string, unknown>;
  /** Answered with Retry-After. */
  readonly retryAfter?: boolean;
}

/** What each error code means to a caller, with the example the document shows. */
export const ERROR_CASES: Record<ErrorCode, ErrorCase> = {
  AVF_400_VALIDATION: {
    message: "the request is not valid: see details.issues",
    details: { issues: [{ path: "origin", message: "must be a 3-letter IATA code in upper case, e.g. LHR" }] },
  },
  AVF_400_IDEMPOTENCY_KEY_REQUIRED: { message: "send an Idempotency-Key header (1–255 characters)" },
  AVF_400_INVALID_CALLBACK_URL: { message: "callback_url must be https on port 443 to a public host" },
  AVF_400_UNSUPPORTED_VERSION: {
    message: "Aviaframe-Version 2020-01-01 is not a version of this API",
    details: { supported: [...API_VERSIONS] },
  },
  AVF_401_UNAUTHORIZED: { message: "send a valid API key in the x-api-key header" },
  AVF_403_FORBIDDEN: { message: "the request was refused by the firewall" },
  AVF_403_IP_NOT_ALLOWED: { message: "this API key may not be used from your address" },
  AVF_403_SCOPE_REQUIRED: {
    message: "this API key lacks the scope book",
    details: { required_scope: "book" },
  },
  AVF_404_TENANT_NOT_FOUND: { message: "no such tenant" },
  AVF_404_API_KEY_NOT_FOUND: { message: "the tenant has no such API key" },
  AVF_409_TENANT_EXISTS: { message: "a tenant with this id exists already" },
  AVF_404_NOT_FOUND: { message: "no such delivery" },
  AVF_404_OFFER_NOT_FOUND: { message: "the offer is unknown or has expired: search again" },
  AVF_404_ORDER_NOT_FOUND: { message: "no such order" },
  AVF_404_CHANGE_OFFER_NOT_FOUND: {
    message: "the change offer is unknown or has expired; ask for change offers again",
  },
  AVF_404_FLIGHT_NOT_FOUND: { message: "DRCT knows no such flight on this date" },
  AVF_404_SCHEDULE_CHANGE_NOT_FOUND: { message: "the order has no schedule change with this id" },
  AVF_405_METHOD_NOT_ALLOWED: { message: "DELETE is not allowed here" },
  AVF_409_PRICE_CHANGED: {
    message: "DRCT's price for this offer has changed: review it and price again",
    details: { old_total: 42848, new_total: 43948, changes: { base: { old: 37000, new: 38100 } } },
  },
  AVF_409_IDEMPOTENCY_MISMATCH: { message: "this Idempotency-Key was used with a different request" },
  AVF_409_REQUEST_IN_PROGRESS: { message: "a request with this Idempotency-Key is still running", retryAfter: true },
  AVF_409_INVALID_STATE: { message: "the order is ISSUED; only a BOOKED order can be issued" },
  AVF_409_NOT_CANCELLABLE: { message: "the fare rules do not allow cancelling this order" },
  AVF_409_NOT_CHANGEABLE: {
    message: "the fare of this order does not allow changes",
    details: { order_id: "ord_8cYw2mJq4TnR6vXa" },
  },
  AVF_409_ORDER_EXPIRED: {
    message: "the order's ticketing deadline has passed: DRCT released the booking",
    details: { order_id: "ord_8cYw2mJq4TnR6vXa", ticketing_deadline: "2027-03-02T10:15:00.000Z" },
  },
  AVF_413_PAYLOAD_TOO_LARGE: { message: "the body is larger than 65536 bytes", details: { limit_bytes: 65536 } },
  AVF_415_UNSUPPORTED_MEDIA_TYPE: { message: "send the body as application/json" },
  AVF_429_RATE_LIMITED: {
    message: "the search budget of your plan is used up; retry after Retry-After",
    retryAfter: true,
  },
  AVF_500_INTERNAL: { message: "something went wrong on our side; it has been logged" },
  AVF_502_SUPPLIER_ERROR: { message: "DRCT failed to answer this request" },
  AVF_503_SUPPLIER_UNAVAILABLE: { message: "DRCT is unavailable; retry after Retry-After", retryAfter: true },
  AVF_504_SUPPLIER_TIMEOUT: { message: "DRCT did not answer in time" },
};

const headerRef = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });

/** One response per status, listing its codes, with an example per code. */
export const errorResponses = (codes: readonly ErrorCode[], commonHeaders: readonly HeaderName[]) => {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CODES[code], [...(byStatus.get(ERROR_CODES[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus.entries()].map(([status, statusCodes]) => {
      const withRetryAfter = statusCodes.some((code) => ERROR_CASES[code].retryAfter);
      const headers: HeaderName[] = [...commonHeaders, ...(withRetryAfter ? (["RetryAfter"] as const) : [])];
      return [
        String(status),
        {
          description: statusCodes
            .map(
              (code) =>
                `\`${code}\`: ${ERROR_CASES[code].message}${ERROR_CASES[code].retryAfter ? " (Retry-After)" : ""}`,
            )
            .join("; "),
          headers: Object.fromEntries(headers.map((name) => [HEADER_WIRE_NAMES[name], headerRef(name)])),
          content: {
            "application/json": {
              schema: { $ref: "#/components/schemas/Error" },
              examples: Object.fromEntries(
                statusCodes.map((code) => [
                  code,
                  {
                    summary: code,
                    value: errorExample(
                      code,
                      ERROR_CASES[code].message,
                      ERROR_CASES[code].details,
                      isRetryableCode(code),
                    ),
                  },
                ]),
              ),
            },
          },
        },
      ];
    }),
  );
};

export const responseHeaders = (names: readonly HeaderName[]) =>
  Object.fromEntries(names.map((name) => [HEADER_WIRE_NAMES[name], headerRef(name)]));

export const TAGS = [
  {
    name: "Offers",
    description:
      "Search DRCT's flights and confirm a price. Searches are cached per tenant and paced to DRCT's one search per second for the whole account; your plan's share shows in the ratelimit-* headers.",
  },
  {
    name: "Orders",
    description:
      "Book an offer, issue its tickets, cancel it. Create, issue and cancel take an Idempotency-Key: retry them freely, the work happens once. An order moves PENDING → BOOKED → ISSUING → ISSUED (or FAILED, CANCELLED); each move is sent to your callback_url.",
  },
  {
    name: "Callbacks",
    description:
      "Standard Webhooks deliveries of order events to your callback_url, signed with your tenant's whsec_ secret: every attempt, replays and a test ping. The events themselves are described under webhooks.",
  },
  {
    name: "Events",
    description:
      "Your recent order events, the same events callbacks carry, as a list you can page through: catch up on what your endpoint missed.",
  },
  {
    name: "Flights",
    description:
      "Live flight status, shared by every caller for a short while. Airline schedule changes of your orders come as `order.schedule_changed`; a delay of an hour or more, or a cancellation, of a booked flight as `order.flight_disrupted`.",
  },
  {
    name: "Supplier",
    description: "Endpoints DRCT calls (signed by DRCT, no API key): not for agencies.",
  },
  { name: "Usage", description: "What your tenant is billed for: searches, prices, orders and issues per UTC day." },
  { name: "Platform", description: "Readiness and this API's own description. No API key needed." },
] as const;

export type TagName = (typeof TAGS)[number]["name"];

export const SERVERS = [
  { url: "http://127.0.0.1:3000", description: "Local gateway (`npm start`), with the DRCT simulator" },
  {
    url: "https://{apiId}.execute-api.{region}.amazonaws.com/{stage}",
    description: "A deployed stage (`npx cdk deploy`)",
    variables: {
      apiId: { default: "abc123defg", description: "the REST API's id (stack output)" },
      region: { default: "eu-west-1" },
      stage: { default: "prod" },
    },
  },
];
