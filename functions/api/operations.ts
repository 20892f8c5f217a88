/**
 * What each route of lib/resources.ts accepts and answers, in words a new integrator can
 * follow: its tag, a description, request examples, success responses with their headers,
 * and the error codes it can answer (the common ones are added by openapi.ts).
 */
import type * as z from "zod";
import type { ROUTES } from "../../lib/resources";
import type { ErrorCode } from "../domain/errors";
import { ApplyChangeRequest, ChangeOfferListResponse, ChangeOffersRequest } from "./change-schemas";
import { DISRUPTION_OPERATIONS } from "./disruption-operations";
import {
  EXAMPLE_APPLY_CHANGE_REQUEST,
  EXAMPLE_BOOKED_ORDER,
  EXAMPLE_CANCEL_PASSENGERS_REQUEST,
  EXAMPLE_CANCEL_REQUEST,
  EXAMPLE_CANCELLED_ORDER,
  EXAMPLE_CHANGE_OFFER,
  EXAMPLE_CHANGE_OFFERS_REQUEST,
  EXAMPLE_CHANGED_ORDER,
  EXAMPLE_CHANGING_ORDER,
  EXAMPLE_CREATE_ORDER_REQUEST,
  EXAMPLE_DELIVERY,
  EXAMPLE_EVENTS,
  EXAMPLE_FAILED_ORDER,
  EXAMPLE_HEALTH,
  EXAMPLE_ISSUE_REQUEST,
  EXAMPLE_ISSUED_ORDER,
  EXAMPLE_ISSUING_ORDER,
  EXAMPLE_OFFER,
  EXAMPLE_PARTLY_CANCELLED_ORDER,
  EXAMPLE_PENDING_ORDER,
  EXAMPLE_PRICED_OFFER,
  EXAMPLE_SEARCH_REQUEST,
  EXAMPLE_SEARCH_REQUEST_FULL,
  EXAMPLE_TEST_DELIVERY,
  EXAMPLE_USAGE,
} from "./examples";
import { EventListQuery, EventListResponse, TestCallbackRequest, TestCallbackResponse } from "./feed-schemas";
import type { HeaderName, TagName } from "./openapi-components";
import { PERSONAL_DATA_OPERATIONS } from "./personal-data-operations";
import {
  CancelOrderRequest,
  CreateOrderRequest,
  DeliveryIdPath,
  DeliveryListResponse,
  DeliverySchema,
  HealthResponse,
  IssueOrderRequest,
  ListOrdersQuery,
  OfferIdPath,
  OfferSchema,
  OrderIdPath,
  OrderListResponse,
  OrderSchema,
  SearchRequest,
  SearchResponse,
  UsageQuery,
  UsageResponse,
} from "./schemas";

/** Agencies' operations (and the public ones); operators' routes (/ops/api) are not in this document. */
export type OperationId = Extract<(typeof ROUTES)[number], { auth: "api-key" | "none" }>["operationId"];

export interface Example {
  readonly summary: string;
  readonly value: unknown;
}

export interface SuccessResponse {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Another media type than JSON (the reference page). */
  readonly contentType?: string;
  readonly examples?: Readonly<Record<string, Example>>;
  readonly headers?: readonly HeaderName[];
}

export interface OperationDoc {
  readonly tag: TagName;
  readonly description: string;
  readonly request?: { readonly schema: z.ZodType; readonly examples: Readonly<Record<string, Example>> };
  readonly query?: z.ZodObject;
  readonly path?: z.ZodObject;
  readonly responses: Readonly<Record<string, SuccessResponse>>;
  /** Error codes of this operation besides the common ones (version, auth, validation, internal). */
  readonly errors: readonly ErrorCode[];
}

const SUPPLIER_ERRORS: readonly ErrorCode[] = [
  "AVF_429_RATE_LIMITED",
  "AVF_502_SUPPLIER_ERROR",
  "AVF_503_SUPPLIER_UNAVAILABLE",
  "AVF_504_SUPPLIER_TIMEOUT",
];

const IDEMPOTENCY_ERRORS: readonly ErrorCode[] = [
  "AVF_400_IDEMPOTENCY_KEY_REQUIRED",
  "AVF_409_IDEMPOTENCY_MISMATCH",
  "AVF_409_REQUEST_IN_PROGRESS",
];

const example = (summary: string, value: unknown): Example => ({ summary, value });

export const OPERATIONS: Record<OperationId, OperationDoc> = {
  ...DISRUPTION_OPERATIONS,
  health: {
    tag: "Platform",
    description:
      "Ready means the gateway can reach its state store (a real read, not a constant). `supplier.breaker` tells whether searches reach DRCT right now: `open` means DRCT is failing and callers get 503 until a probe succeeds.",
    responses: {
      "200": { description: "Ready.", schema: HealthResponse, examples: { ok: example("Ready", EXAMPLE_HEALTH) } },
      "503": {
        description: "Not ready: the state store cannot be reached.",
        schema: HealthResponse,
        examples: {
          unavailable: example("Not ready", {
            ...EXAMPLE_HEALTH,
            status: "unavailable",
            supplier: { name: "drct", breaker: "unknown" },
          }),
        },
      },
    },
    errors: [],
  },
  openapi: {
    tag: "Platform",
    description:
      "This document: OpenAPI 3.1, generated from the zod schemas that validate requests, so it cannot promise a field the gateway does not check. Generate a client from it (client/ in the repository is one) or read it at /docs.",
    responses: { "200": { description: "The OpenAPI document.", contentType: "application/json" } },
    errors: [],
  },
  docs: {
    tag: "Platform",
    description:
      "This reference as a web page (Swagger UI), rendered from the OpenAPI document. Self-contained: it loads nothing from elsewhere, so it works offline and behind any stage prefix.",
    responses: { "200": { description: "The reference page.", contentType: "text/html" } },
    errors: [],
  },
  searchOffers: {
    tag: "Offers",
    description:
      "Searches DRCT for offers on a route and date, priced with your markup. IATA codes in upper case, ISO dates; the departure may not be in the past (anywhere on earth) nor more than 361 days ahead; 1–9 seated passengers, infants ≤ adults. Identical searches within a few minutes answer from your cache (`x-cache: HIT`); identical searches in flight from any tenant share one DRCT call (`x-coalesced`). Each offer is valid until `valid_until`: confirm its price with PATCH …/price, then book it.",
    request: {
      schema: SearchRequest,
      examples: {
        oneWay: example("One adult, one way", EXAMPLE_SEARCH_REQUEST),
        family: example("A family, return, business, in GBP", EXAMPLE_SEARCH_REQUEST_FULL),
      },
    },
    responses: {
      "200": {
        description: "Offers, each priced with your markup (an empty list when DRCT has none).",
        schema: SearchResponse,
        examples: { offers: example("Offers found", { offers: [EXAMPLE_OFFER] }) },
        headers: ["XCache", "Age", "XCoalesced"],
      },
    },
    errors: SUPPLIER_ERRORS,
  },
  priceOffer: {
    tag: "Offers",
    description:
      "Confirms the offer's final price with DRCT just before booking. 200: the price holds (`priced_at` set). 409 AVF_409_PRICE_CHANGED: DRCT moved it; `details` has old and new totals and every component that moved, and the offer now carries the new price, so PATCH again to accept it. 404: unknown, expired or another tenant's offer.",
    path: OfferIdPath,
    responses: {
      "200": {
        description: "The offer at its confirmed price, with `priced_at`.",
        schema: OfferSchema,
        examples: { priced: example("Price confirmed", EXAMPLE_PRICED_OFFER) },
      },
    },
    errors: ["AVF_404_OFFER_NOT_FOUND", "AVF_409_PRICE_CHANGED", ...SUPPLIER_ERRORS],
  },
  createOrder: {
    tag: "Orders",
    description:
      "Books an offer for its passengers, exactly once per Idempotency-Key: the order id follows from your tenant and the key, so a retry (even after a timeout) returns the same order and DRCT books once. 201 once DRCT has answered (BOOKED, or FAILED with `failure`); 202 while its answer is awaited (PENDING or PENDING_RECONCILE): the final state follows on GET and as a callback. Add `callback_url` (https, port 443, public host) to receive order events.",
    request: {
      schema: CreateOrderRequest,
      examples: { adult: example("One adult with a passport, callbacks on", EXAMPLE_CREATE_ORDER_REQUEST) },
    },
    responses: {
      "201": {
        description: "Settled: BOOKED (or FAILED with `failure`).",
        schema: OrderSchema,
        examples: {
          booked: example("Booked", EXAMPLE_BOOKED_ORDER),
          failed: example("DRCT refused the booking", EXAMPLE_FAILED_ORDER),
        },
        headers: ["Location", "IdempotentReplayed"],
      },
      "202": {
        description: "Accepted; DRCT's answer is awaited (PENDING or PENDING_RECONCILE).",
        schema: OrderSchema,
        examples: { pending: example("Still booking", EXAMPLE_PENDING_ORDER) },
        headers: ["Location", "IdempotentReplayed"],
      },
    },
    errors: [
      ...IDEMPOTENCY_ERRORS,
      "AVF_400_INVALID_CALLBACK_URL",
      "AVF_404_OFFER_NOT_FOUND",
      "AVF_409_PRICE_CHANGED",
      ...SUPPLIER_ERRORS,
    ],
  },
  listOrders: {
    tag: "Orders",
    description:
      "Your orders, newest first, `limit` per page. Pass the answer's `next_cursor` as `cursor` for the next page; `next_cursor: null` is the last page. Filter by `status`. A cursor is opaque and only valid with the same filter.",
    query: ListOrdersQuery,
    responses: {
      "200": {
        description: "A page of orders, newest first.",
        schema: OrderListResponse,
        examples: {
          page: example("The last page", { orders: [EXAMPLE_ISSUED_ORDER], next_cursor: null }),
        },
      },
    },
    errors: [],
  },
  getOrder: {
    tag: "Orders",
    description:
      "One order with its history. Passengers' document numbers are masked; another tenant's order is 404 like an unknown one.",
    path: OrderIdPath,
    responses: {
      "200": {
        description: "The order.",
        schema: OrderSchema,
        examples: {
          booked: example("Booked, not yet issued", EXAMPLE_BOOKED_ORDER),
          issued: example("Issued, a ticket per passenger", EXAMPLE_ISSUED_ORDER),
        },
      },
    },
    errors: ["AVF_404_ORDER_NOT_FOUND"],
  },
  issueOrder: {
    tag: "Orders",
    description:
      "Issues the tickets of a BOOKED order before its `ticketing_deadline` (after it: 409 AVF_409_ORDER_EXPIRED), exactly once per Idempotency-Key. Ticketing is queued and paced by DRCT's budgets: the answer is 202 with status ISSUING; the order becomes ISSUED with a ticket per passenger (or FAILED), visible on GET and sent as `order.issued` / `order.failed`.",
    path: OrderIdPath,
    request: {
      schema: IssueOrderRequest,
      examples: { invoice: example("Paid by invoice", EXAMPLE_ISSUE_REQUEST) },
    },
    responses: {
      "202": {
        description: "ISSUING: tickets follow (GET, callback).",
        schema: OrderSchema,
        examples: { issuing: example("Ticketing queued", EXAMPLE_ISSUING_ORDER) },
        headers: ["IdempotentReplayed"],
      },
    },
    errors: [...IDEMPOTENCY_ERRORS, "AVF_404_ORDER_NOT_FOUND", "AVF_409_INVALID_STATE", "AVF_409_ORDER_EXPIRED"],
  },
  cancelOrder: {
    tag: "Orders",
    description:
      "Cancels a BOOKED or ISSUED order at DRCT, or only the passengers in `passenger_ids`, within its fare rules (a non-refundable issued fare → 409 AVF_409_NOT_CANCELLABLE), exactly once per Idempotency-Key. An infant goes with the adult whose lap it travels on; children cannot be left without an adult (409 AVF_409_NOT_CANCELLABLE). Each cancelled passenger gets a refund in `refunds` (their share of the price less DRCT's penalty; 0 before ticketing). Cancelling some passengers keeps the order's status and sends `order.passengers_cancelled`; cancelling the last ones cancels the order (`order.cancelled`).",
    path: OrderIdPath,
    request: {
      schema: CancelOrderRequest,
      examples: {
        reason: example("With a reason", EXAMPLE_CANCEL_REQUEST),
        none: example("Without a body", {}),
        passengers: example("One passenger", EXAMPLE_CANCEL_PASSENGERS_REQUEST),
      },
    },
    responses: {
      "200": {
        description:
          "CANCELLED with the refund reference and penalty; or, for some passengers, the order with those passengers CANCELLED and their refunds.",
        schema: OrderSchema,
        examples: {
          cancelled: example("Cancelled", EXAMPLE_CANCELLED_ORDER),
          passengers: example("One passenger cancelled", EXAMPLE_PARTLY_CANCELLED_ORDER),
        },
        headers: ["IdempotentReplayed"],
      },
    },
    errors: [
      ...IDEMPOTENCY_ERRORS,
      "AVF_404_ORDER_NOT_FOUND",
      "AVF_409_NOT_CANCELLABLE",
      "AVF_409_INVALID_STATE",
      ...SUPPLIER_ERRORS.filter((code) => code !== "AVF_429_RATE_LIMITED"),
    ],
  },
  createChangeOffers: {
    tag: "Orders",
    description:
      "Asks DRCT for other flights for an ISSUED order on new dates (same route, travellers and cabin) and answers them as change offers: `price_difference` (never below 0: a cheaper flight refunds nothing), the fare's `penalty`, and `total_due` = their sum, in minor units of the order's currency. Apply one with POST …/changes before its `valid_until`. A fare that does not allow changes → 409 AVF_409_NOT_CHANGEABLE.",
    path: OrderIdPath,
    request: {
      schema: ChangeOffersRequest,
      examples: { oneWay: example("Two days later", EXAMPLE_CHANGE_OFFERS_REQUEST) },
    },
    responses: {
      "200": {
        description: "DRCT's alternatives (none when nothing flies those days).",
        schema: ChangeOfferListResponse,
        examples: { offers: example("One alternative", { change_offers: [EXAMPLE_CHANGE_OFFER] }) },
      },
    },
    errors: ["AVF_404_ORDER_NOT_FOUND", "AVF_409_NOT_CHANGEABLE", "AVF_409_INVALID_STATE", ...SUPPLIER_ERRORS],
  },
  changeOrder: {
    tag: "Orders",
    description:
      "Applies a change offer, exactly once per Idempotency-Key (and once per change offer at DRCT): the order goes CHANGING, then ISSUED with the new `segments` and reissued `tickets`, the change in `changes` and `order.changed`. When DRCT's answer is still owed the answer is 202 with status CHANGING; the reconciliation finishes it, never applying it twice. An unknown or expired change offer → 404 AVF_404_CHANGE_OFFER_NOT_FOUND.",
    path: OrderIdPath,
    request: {
      schema: ApplyChangeRequest,
      examples: { apply: example("Apply a change offer", EXAMPLE_APPLY_CHANGE_REQUEST) },
    },
    responses: {
      "200": {
        description: "ISSUED with the new flights and tickets.",
        schema: OrderSchema,
        examples: { changed: example("Changed", EXAMPLE_CHANGED_ORDER) },
        headers: ["IdempotentReplayed"],
      },
      "202": {
        description: "CHANGING: DRCT's answer is owed; the change follows (GET, callback).",
        schema: OrderSchema,
        examples: { changing: example("Change in progress", EXAMPLE_CHANGING_ORDER) },
        headers: ["IdempotentReplayed"],
      },
    },
    errors: [
      ...IDEMPOTENCY_ERRORS,
      "AVF_404_ORDER_NOT_FOUND",
      "AVF_404_CHANGE_OFFER_NOT_FOUND",
      "AVF_409_NOT_CHANGEABLE",
      "AVF_409_INVALID_STATE",
      ...SUPPLIER_ERRORS.filter((code) => code !== "AVF_429_RATE_LIMITED"),
    ],
  },
  listOrderCallbacks: {
    tag: "Callbacks",
    description:
      "Every callback delivery of the order (one per event, one webhook-id each) with every attempt: when, the HTTP status your endpoint answered, the error, the latency.",
    path: OrderIdPath,
    responses: {
      "200": {
        description: "The order's deliveries, oldest first.",
        schema: DeliveryListResponse,
        examples: { deliveries: example("Delivered on the second attempt", { deliveries: [EXAMPLE_DELIVERY] }) },
      },
    },
    errors: ["AVF_404_ORDER_NOT_FOUND"],
  },
  replayCallback: {
    tag: "Callbacks",
    description:
      "Sends a delivery again (delivered, blocked or dead-lettered) under the same webhook-id, with a new round of the retry schedule: fix your endpoint, then replay what it missed.",
    path: DeliveryIdPath,
    responses: {
      "202": {
        description: "Queued again, same webhook-id.",
        schema: DeliverySchema,
        examples: { queued: example("Queued", { ...EXAMPLE_DELIVERY, status: "pending", replays: 1 }) },
      },
    },
    errors: ["AVF_404_NOT_FOUND", "AVF_409_INVALID_STATE"],
  },
  ...PERSONAL_DATA_OPERATIONS,
  testCallback: {
    tag: "Callbacks",
    description:
      "Sends a signed `ping` event to `url` now, once, through the same URL rules (https, port 443, public addresses; relaxed locally with CALLBACK_ALLOW_PRIVATE), the same signature (your tenant's whsec_ secret) and the same sender as order callbacks, and answers how your endpoint took it. Use it to check a receiver before booking: `npm run listen` is one.",
    request: {
      schema: TestCallbackRequest,
      examples: { url: example("Your receiver", { url: "https://agency.example.com/aviaframe/callbacks" }) },
    },
    responses: {
      "200": {
        description: "Sent: the attempt and what your endpoint answered (status `failed` when it did not take it).",
        schema: TestCallbackResponse,
        examples: { delivered: example("Your endpoint answered 204", { delivery: EXAMPLE_TEST_DELIVERY }) },
      },
    },
    errors: ["AVF_400_INVALID_CALLBACK_URL"],
  },
  listEvents: {
    tag: "Events",
    description:
      "Your recent order events (the last 30 days), newest first: what callbacks carry, as ids, types, times and the order's status, never personal data (read the order for that). Filter by `type`; page with `next_cursor` as `cursor` (`null` on the last page). A cursor this API did not give you is refused with 400.",
    query: EventListQuery,
    responses: {
      "200": {
        description: "A page of events, newest first.",
        schema: EventListResponse,
        examples: { page: example("An order booked, then issued", EXAMPLE_EVENTS) },
      },
    },
    errors: [],
  },
  getUsage: {
    tag: "Usage",
    description:
      "Metered searches, price confirmations, orders and issues per UTC day and in total, for billing. Default: the last 30 days; at most 366 days per request.",
    query: UsageQuery,
    responses: {
      "200": {
        description: "Usage per UTC day and in total.",
        schema: UsageResponse,
        examples: { twoDays: example("Two days", EXAMPLE_USAGE) },
      },
    },
    errors: [],
  },
};
