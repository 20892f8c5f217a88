/**
 * Examples for /openapi.json and /docs: one booking told end to end (search → price → book →
 * issue → callbacks). The OpenAPI lint (test/unit/openapi.test.ts) checks each one against the
 * schema it illustrates, so they cannot show a field that does not exist.
 */

import { passengerIdFor } from "../domain/passengers";

const OFFER_ID = "off_Xk3v9QeT2mB7rLwP0sYd5uJh1a";
const ORDER_ID = "ord_Qm9vZ3L1c2h0bWFya3VwMj";
const CREATED_AT = "2027-03-01T09:30:12.418Z";
const BOOKED_AT = "2027-03-01T09:30:13.902Z";
const ISSUED_AT = "2027-03-01T09:31:02.077Z";

export const EXAMPLE_PRICE = {
  currency: "EUR",
  base: 37000,
  taxes: 4100,
  provider_fees: 500,
  aviaframe_markup: 416,
  tenant_markup: 832,
  total: 42848,
};

export const EXAMPLE_OFFER = {
  id: OFFER_ID,
  valid_until: "2027-03-01T09:45:00.000Z",
  segments: [
    {
      origin: "LHR",
      destination: "JFK",
      departs_at: "2027-03-14T09:40:00+00:00",
      arrives_at: "2027-03-14T12:35:00-04:00",
      carrier: "BA",
      flight_number: "BA117",
    },
  ],
  price: EXAMPLE_PRICE,
  fare_rules: { refundable: true, changeable: true, cancel_penalty: 5000 },
};

export const EXAMPLE_PRICED_OFFER = { ...EXAMPLE_OFFER, priced_at: "2027-03-01T09:29:55.120Z" };

export const EXAMPLE_SEARCH_REQUEST = {
  origin: "LHR",
  destination: "JFK",
  departure_date: "2027-03-14",
  passengers: { adults: 1 },
};

export const EXAMPLE_SEARCH_REQUEST_FULL = {
  origin: "LHR",
  destination: "JFK",
  departure_date: "2027-03-14",
  return_date: "2027-03-21",
  passengers: { adults: 2, children: 1, infants: 1 },
  cabin: "business",
  currency: "GBP",
};

export const EXAMPLE_CREATE_ORDER_REQUEST = {
  offer_id: OFFER_ID,
  passengers: [
    {
      type: "adult",
      given_name: "Ada",
      family_name: "Lovelace",
      birth_date: "1985-12-10",
      gender: "female",
      document: {
        type: "passport",
        number: "P1234567",
        issuing_country: "GB",
        nationality: "GB",
        expires_on: "2032-01-01",
      },
    },
  ],
  contact: { email: "ada@example.com", phone: "+442071234567" },
  callback_url: "https://agency.example.com/aviaframe/callbacks",
  external_ref: "BOOKING-2027-0042",
};

const [REQUESTED_PASSENGER] = EXAMPLE_CREATE_ORDER_REQUEST.passengers;

/** As orders show it: an id and a status, the document number masked. */
const PUBLIC_PASSENGER = {
  id: passengerIdFor(ORDER_ID, 0),
  status: "ACTIVE",
  ...REQUESTED_PASSENGER,
  document: { ...REQUESTED_PASSENGER?.document, number: "*****567" },
};

/** What every order example shares; a BOOKED one adds its ticketing deadline. */
const ORDER_BASE = {
  id: ORDER_ID,
  status: "BOOKED",
  offer_id: OFFER_ID,
  price: EXAMPLE_PRICE,
  passengers: [PUBLIC_PASSENGER],
  drct_order_id: "DRCT-7F2A91C4",
  external_ref: "BOOKING-2027-0042",
  callback_url: "https://agency.example.com/aviaframe/callbacks",
  created_at: CREATED_AT,
  updated_at: BOOKED_AT,
  history: [
    { status: "PENDING", at: CREATED_AT },
    { status: "BOOKED", at: BOOKED_AT },
  ],
};

export const EXAMPLE_BOOKED_ORDER = { ...ORDER_BASE, ticketing_deadline: "2027-03-01T10:00:13.902Z" };

const { drct_order_id: _notYetAtDrct, ...UNBOOKED_ORDER } = ORDER_BASE;

export const EXAMPLE_PENDING_ORDER = {
  ...UNBOOKED_ORDER,
  status: "PENDING",
  updated_at: CREATED_AT,
  history: [{ status: "PENDING", at: CREATED_AT }],
};

export const EXAMPLE_ISSUING_ORDER = {
  ...ORDER_BASE,
  status: "ISSUING",
  updated_at: ISSUED_AT,
  history: [...ORDER_BASE.history, { status: "ISSUING", at: ISSUED_AT }],
};

export const EXAMPLE_ISSUED_ORDER = {
  ...ORDER_BASE,
  status: "ISSUED",
  tickets: [{ passenger_index: 0, number: "125-2101234567" }],
  updated_at: ISSUED_AT,
  history: [...EXAMPLE_ISSUING_ORDER.history, { status: "ISSUED", at: ISSUED_AT }],
};

export const EXAMPLE_CANCELLED_ORDER = {
  ...ORDER_BASE,
  status: "CANCELLED",
  cancellation: { refund_reference: "RF-88213", penalty: 5000, cancelled_at: ISSUED_AT },
  updated_at: ISSUED_AT,
  history: [...ORDER_BASE.history, { status: "CANCELLED", at: ISSUED_AT, reason: "customer request" }],
};

export const EXAMPLE_FAILED_ORDER = {
  ...UNBOOKED_ORDER,
  status: "FAILED",
  failure: { code: "SOLD_OUT", message: "the fare is no longer available" },
  history: [
    { status: "PENDING", at: CREATED_AT },
    { status: "FAILED", at: BOOKED_AT },
  ],
};

const CANCELLED_PASSENGER_ID = passengerIdFor(ORDER_ID, 1);

/** Two travellers, ticketed; the second cancelled alone: the order stays ISSUED. */
export const EXAMPLE_PARTLY_CANCELLED_ORDER = {
  ...EXAMPLE_ISSUED_ORDER,
  passengers: [
    PUBLIC_PASSENGER,
    {
      id: CANCELLED_PASSENGER_ID,
      status: "CANCELLED",
      type: "adult",
      given_name: "Charles",
      family_name: "Babbage",
      birth_date: "1981-12-26",
      gender: "male",
    },
  ],
  tickets: [
    { passenger_index: 0, number: "125-2101234567" },
    { passenger_index: 1, number: "125-2101234568" },
  ],
  refunds: [{ passenger_id: CANCELLED_PASSENGER_ID, amount: 16424, currency: "EUR", reference: "RF4813228666" }],
  updated_at: "2027-03-02T08:12:40.511Z",
};

export const EXAMPLE_EXPIRED_ORDER = {
  ...ORDER_BASE,
  status: "EXPIRED",
  updated_at: "2027-03-01T10:00:14.120Z",
  history: [
    ...ORDER_BASE.history,
    { status: "EXPIRED", at: "2027-03-01T10:00:14.120Z", reason: "the ticketing deadline passed unissued" },
  ],
};

export const EXAMPLE_ISSUE_REQUEST = { payment: { type: "external", reference: "INV-2027-0042" } };

export const EXAMPLE_CANCEL_REQUEST = { reason: "customer request" };

export const EXAMPLE_CANCEL_PASSENGERS_REQUEST = { passenger_ids: [CANCELLED_PASSENGER_ID], reason: "travels later" };

export const EXAMPLE_DELIVERY = {
  id: "dlv_b3JkZXIuYm9va2VkI2V2dDE",
  order_id: ORDER_ID,
  event_type: "order.booked",
  webhook_id: "msg_2f9c1d0e6a7b4c3d8e5f",
  url: "https://agency.example.com/aviaframe/callbacks",
  status: "delivered",
  attempts: [
    { number: 1, at: "2027-03-01T09:30:14.011Z", outcome: "retry", status_code: 503, latency_ms: 87 },
    { number: 2, at: "2027-03-01T09:30:16.034Z", outcome: "delivered", status_code: 200, latency_ms: 64 },
  ],
  replays: 0,
  created_at: "2027-03-01T09:30:13.990Z",
  updated_at: "2027-03-01T09:30:16.098Z",
};

export const EXAMPLE_USAGE = {
  tenant_id: "agency-a",
  from: "2027-02-28",
  to: "2027-03-01",
  totals: { searches: 42, prices: 9, orders: 3, issues: 2, changes: 1 },
  days: [
    { date: "2027-02-28", counts: { searches: 30, prices: 6, orders: 2, issues: 1, changes: 0 } },
    { date: "2027-03-01", counts: { searches: 12, prices: 3, orders: 1, issues: 1, changes: 1 } },
  ],
};

export const EXAMPLE_HEALTH = {
  status: "ok",
  stage: "prod",
  supplier: { name: "drct", breaker: "closed" },
  time: "2027-03-01T09:30:00.000Z",
};

/** The error envelope, with the code of the case it illustrates. */
export const errorExample = (code: string, message: string, details?: Record<string, unknown>, retryable = false) => ({
  error: {
    code,
    message,
    retryable,
    ...(details === undefined ? {} : { details }),
    correlation_id: "3f1e9a52-7c4b-4d8e-9a61-0b2c5d7e8f90",
  },
});

export const EXAMPLE_ORDER_ID = ORDER_ID;
export const EXAMPLE_OFFER_ID = OFFER_ID;

export const EXAMPLE_TEST_DELIVERY = {
  id: "dlv_test_5b0f3c9a2e7d4f18a6c1b2d3",
  event_type: "ping",
  webhook_id: "msg_test_5b0f3c9a2e7d4f18a6c1b2d3",
  url: "https://agency.example.com/aviaframe/callbacks",
  status: "delivered",
  attempts: [{ number: 1, at: "2027-03-01T09:28:00.011Z", outcome: "delivered", status_code: 204, latency_ms: 71 }],
  created_at: "2027-03-01T09:28:00.011Z",
};

export const EXAMPLE_EVENTS = {
  events: [
    {
      id: "evt_0b8e6f5c-2a1d-4c3b-9e7f-5a6b7c8d9e0f",
      type: "order.issued",
      occurred_at: ISSUED_AT,
      order_id: ORDER_ID,
      order_status: "ISSUED",
    },
    {
      id: "evt_7d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a",
      type: "order.booked",
      occurred_at: BOOKED_AT,
      order_id: ORDER_ID,
      order_status: "BOOKED",
    },
  ],
  next_cursor: "eyJwayI6IlRFTkFOVCNhZ2VuY3ktYSIsInNrIjoiMjAyNy0wMy0wMVQwOTozMDoxMy45MDJaIn0",
};

export const EXAMPLE_CHANGE_OFFERS_REQUEST = { departure_date: "2027-03-16" };

const CHANGED_SEGMENTS = [
  {
    origin: "LHR",
    destination: "JFK",
    departs_at: "2027-03-16T11:10:00+00:00",
    arrives_at: "2027-03-16T14:05:00-04:00",
    carrier: "BA",
    flight_number: "BA175",
  },
];

export const EXAMPLE_CHANGE_OFFER = {
  id: "chg_Vb8nQ2xLr5TzK1mW9cYd3sHa",
  valid_until: "2027-03-02T08:25:00.000Z",
  segments: CHANGED_SEGMENTS,
  price_difference: 4200,
  penalty: 0,
  total_due: 4200,
  currency: "EUR",
};

export const EXAMPLE_APPLY_CHANGE_REQUEST = { change_offer_id: EXAMPLE_CHANGE_OFFER.id };

const CHANGED_AT = "2027-03-02T08:12:40.511Z";

export const EXAMPLE_CHANGING_ORDER = {
  ...EXAMPLE_ISSUED_ORDER,
  status: "CHANGING",
  segments: EXAMPLE_OFFER.segments,
  updated_at: CHANGED_AT,
  history: [...EXAMPLE_ISSUED_ORDER.history, { status: "CHANGING", at: CHANGED_AT }],
};

export const EXAMPLE_CHANGED_ORDER = {
  ...EXAMPLE_ISSUED_ORDER,
  segments: CHANGED_SEGMENTS,
  tickets: [{ passenger_index: 0, number: "125-2109876543" }],
  changes: [{ change_offer_id: EXAMPLE_CHANGE_OFFER.id, total_due: 4200, currency: "EUR", applied_at: CHANGED_AT }],
  updated_at: CHANGED_AT,
  history: [
    ...EXAMPLE_CHANGING_ORDER.history,
    { status: "ISSUED", at: CHANGED_AT, reason: `change ${EXAMPLE_CHANGE_OFFER.id} applied` },
  ],
};
