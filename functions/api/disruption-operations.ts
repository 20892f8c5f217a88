/** What the disruption routes accept and answer (operations.ts takes them in). */
import type { ErrorCode } from "../domain/errors";
import {
  DrctNotificationRequest,
  FlightStatusQuery,
  FlightStatusSchema,
  RejectScheduleChangeRequest,
  ScheduleChangePath,
} from "./disruption-schemas";
import { EXAMPLE_BOOKED_ORDER, EXAMPLE_OFFER } from "./examples";
import type { Example, OperationDoc } from "./operations";
import { OrderSchema } from "./schemas";

const example = (summary: string, value: unknown): Example => ({ summary, value });

const SUPPLIER_ERRORS: readonly ErrorCode[] = [
  "AVF_429_RATE_LIMITED",
  "AVF_502_SUPPLIER_ERROR",
  "AVF_503_SUPPLIER_UNAVAILABLE",
  "AVF_504_SUPPLIER_TIMEOUT",
];

const [SEGMENT] = EXAMPLE_OFFER.segments;
const MOVED_SEGMENT = { ...SEGMENT, departs_at: "2027-03-14T11:10:00+00:00", arrives_at: "2027-03-14T14:05:00-04:00" };
const DETECTED_AT = "2027-03-05T16:02:41.310Z";
const SCHEDULE_CHANGE = {
  id: "sch_5b0d6f0c1e2a4c8f9a7b3d2e1f0a9b8c",
  detected_at: DETECTED_AT,
  old_segments: [SEGMENT],
  new_segments: [MOVED_SEGMENT],
  status: "pending",
};

export const EXAMPLE_SCHEDULE_CHANGED_ORDER = {
  ...EXAMPLE_BOOKED_ORDER,
  segments: [MOVED_SEGMENT],
  schedule_changes: [SCHEDULE_CHANGE],
  updated_at: DETECTED_AT,
};

const ACCEPTED_ORDER = {
  ...EXAMPLE_SCHEDULE_CHANGED_ORDER,
  schedule_changes: [{ ...SCHEDULE_CHANGE, status: "accepted" }],
};

const REJECTED_AT = "2027-03-05T16:20:00.000Z";
const REJECTED_ORDER = {
  ...EXAMPLE_SCHEDULE_CHANGED_ORDER,
  status: "CANCELLED",
  schedule_changes: [{ ...SCHEDULE_CHANGE, status: "rejected" }],
  cancellation: { refund_reference: "RF-90412", penalty: 0, cancelled_at: REJECTED_AT },
  refunds: [
    {
      passenger_id: "pas_Qm9vZ3L1c2h0bWFya3VwMj_1",
      amount: EXAMPLE_BOOKED_ORDER.price.total,
      currency: EXAMPLE_BOOKED_ORDER.price.currency,
      reference: "RF-90412",
    },
  ],
  updated_at: REJECTED_AT,
  history: [
    ...EXAMPLE_BOOKED_ORDER.history,
    { status: "CANCELLED", at: REJECTED_AT, reason: "the traveller rejected the airline's schedule change" },
  ],
};

export const EXAMPLE_FLIGHT_STATUS = {
  carrier: "BA",
  flight_number: "BA117",
  date: "2027-03-14",
  status: "delayed",
  delay_minutes: 75,
  departure: { airport: "LHR", scheduled: "2027-03-14T09:40:00Z", estimated: "2027-03-14T10:55:00Z" },
  arrival: { airport: "JFK", scheduled: "2027-03-14T16:35:00Z", estimated: "2027-03-14T17:50:00Z" },
};

export const DISRUPTION_OPERATIONS = {
  acceptScheduleChange: {
    tag: "Orders",
    description:
      "Keeps the airline's new times for a `pending` schedule change of a BOOKED or ISSUED order (the change is acknowledged at DRCT). Accepting again answers the order as it is; a rejected change cannot be accepted (409 AVF_409_INVALID_STATE).",
    path: ScheduleChangePath,
    responses: {
      "200": {
        description: "The order, its schedule change `accepted`.",
        schema: OrderSchema,
        examples: { accepted: example("New times kept", ACCEPTED_ORDER) },
      },
    },
    errors: [
      "AVF_404_ORDER_NOT_FOUND",
      "AVF_404_SCHEDULE_CHANGE_NOT_FOUND",
      "AVF_409_INVALID_STATE",
      ...SUPPLIER_ERRORS,
    ],
  },
  rejectScheduleChange: {
    tag: "Orders",
    description:
      "The traveller does not fly at the new times: the order is cancelled at DRCT as an involuntary cancellation, refunded in full whatever the fare rules (`refunds` sum to `price.total`, `penalty` 0), once per Idempotency-Key; rejecting a change already rejected answers the cancelled order. `order.cancelled` follows as a callback.",
    path: ScheduleChangePath,
    request: {
      schema: RejectScheduleChangeRequest,
      examples: {
        reason: example("With a reason", { reason: "the traveller cannot fly later" }),
        none: example("Without a body", {}),
      },
    },
    responses: {
      "200": {
        description: "CANCELLED, refunded in full.",
        schema: OrderSchema,
        examples: { rejected: example("Cancelled, full refund", REJECTED_ORDER) },
        headers: ["IdempotentReplayed"],
      },
    },
    errors: [
      "AVF_400_IDEMPOTENCY_KEY_REQUIRED",
      "AVF_409_IDEMPOTENCY_MISMATCH",
      "AVF_409_REQUEST_IN_PROGRESS",
      "AVF_404_ORDER_NOT_FOUND",
      "AVF_404_SCHEDULE_CHANGE_NOT_FOUND",
      "AVF_409_INVALID_STATE",
      ...SUPPLIER_ERRORS,
    ],
  },
  getFlightStatus: {
    tag: "Flights",
    description:
      "The live status of one flight on one day (scheduled, delayed, departed, landed, cancelled) with scheduled, estimated and actual times at each airport. Shared by every caller for a short while (`FLIGHT_STATUS_CACHE_S`, 30 s), and concurrent reads of one flight make one DRCT call (`x-coalesced: true` on the ones that shared it). `flight_number` may carry the carrier code (`BA117`) or not (`117`).",
    query: FlightStatusQuery,
    responses: {
      "200": {
        description: "The flight's status.",
        schema: FlightStatusSchema,
        examples: { delayed: example("Delayed 75 minutes", EXAMPLE_FLIGHT_STATUS) },
        headers: ["XCoalesced"],
      },
    },
    errors: ["AVF_404_FLIGHT_NOT_FOUND", ...SUPPLIER_ERRORS],
  },
  receiveDrctNotification: {
    tag: "Supplier",
    description:
      'For DRCT only, not for agencies: DRCT\'s notifications that a booking changed (`order.schedule_changed`), signed `drct-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the notification secret (Secrets Manager `drct-notification-secret`). A missing or wrong signature, or a timestamp more than 5 minutes away, is refused with 401 and changes nothing; a verified notification is queued (one group per DRCT order) and answered 202 at once.',
    request: {
      schema: DrctNotificationRequest,
      examples: {
        changed: example("A booking's schedule changed", {
          id: "ntf_2f6c9a1e-4b7d-4e0f-8a15-2c9d7b4e1f03",
          type: "order.schedule_changed",
          created_at: DETECTED_AT,
          data: { order_id: "DRCT-7F2A91C4", change_id: "SC4821907733" },
        }),
      },
    },
    responses: { "202": { description: "Verified and queued." } },
    errors: ["AVF_401_UNAUTHORIZED"],
  },
} as const satisfies Record<string, OperationDoc>;

export const EXAMPLE_DISRUPTED_ORDER = {
  ...EXAMPLE_BOOKED_ORDER,
  segments: [SEGMENT],
  disruptions: [
    {
      carrier: "BA",
      flight_number: "BA117",
      date: "2027-03-14",
      kind: "delayed",
      delay_minutes: 75,
      detected_at: "2027-03-14T07:12:09.551Z",
    },
  ],
  updated_at: "2027-03-14T07:12:09.551Z",
};
