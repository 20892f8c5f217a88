import type { AppliedChange, PendingChange } from "./change";
import { AvfError } from "./errors";
import type { FlightDisruption } from "./flight-status";
import type { PriceBreakdown, Segment } from "./offer";
import type { PassengerStatus, Refund } from "./passengers";
import type { ScheduleChange } from "./schedule-change";

export const ORDER_STATUSES = [
  "PENDING",
  "PENDING_RECONCILE",
  "BOOKED",
  "ISSUING",
  "ISSUED",
  "CHANGING",
  "CANCELLED",
  "FAILED",
  "EXPIRED",
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Every legal move of an order (CONTRACT.md §3). ISSUING → BOOKED is not here on purpose: a
 * ticketing attempt that DRCT did not take is retried, not undone. BOOKED → EXPIRED only when
 * the ticketing deadline passed unissued: an order that went ISSUING never expires, and an
 * EXPIRED one never issues (each is one conditional write from BOOKED, so only one can win).
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ["BOOKED", "PENDING_RECONCILE", "FAILED"],
  PENDING_RECONCILE: ["BOOKED", "FAILED"],
  BOOKED: ["ISSUING", "CANCELLED", "EXPIRED"],
  ISSUING: ["ISSUED", "FAILED"],
  ISSUED: ["CANCELLED", "CHANGING"],
  // A change DRCT applied, or one it did not take: either way the order is ISSUED again.
  CHANGING: ["ISSUED"],
  CANCELLED: [],
  FAILED: [],
  EXPIRED: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => TRANSITIONS[from].includes(to);

export const isTerminal = (status: OrderStatus): boolean => TRANSITIONS[status].length === 0;

/** Statuses whose real state is only known to DRCT: the reconciliation asks it. */
export const UNCERTAIN_STATUSES: readonly OrderStatus[] = ["PENDING", "PENDING_RECONCILE", "ISSUING", "CHANGING"];

export type PassengerType = "adult" | "child" | "infant";

export interface TravelDocument {
  readonly type: "passport" | "national_id";
  readonly number: string;
  readonly issuing_country: string;
  readonly nationality: string;
  readonly expires_on: string;
}

export interface Passenger {
  readonly type: PassengerType;
  readonly given_name: string;
  readonly family_name: string;
  readonly birth_date: string;
  readonly gender: "female" | "male" | "unspecified";
  readonly document?: TravelDocument;
}

export interface Contact {
  readonly email: string;
  readonly phone: string;
}

export interface Ticket {
  readonly passenger_index: number;
  readonly number: string;
}

/** One per version: the order's status after that write, and what the write announced. */
export interface HistoryEntry {
  readonly status: OrderStatus;
  readonly at: string;
  readonly reason?: string;
  /**
   * The events the write put in the outbox (absent on entries from before they were kept: the
   * status's own event). The callback dispatcher sends only what the stored order bears out.
   */
  readonly events?: readonly string[];
}

export interface Failure {
  readonly code: string;
  readonly message: string;
}

export interface Cancellation {
  readonly refund_reference?: string;
  readonly penalty: number;
  readonly cancelled_at: string;
}

/** An order as the domain sees it; personal data is clear here and encrypted in storage. */
export interface Order {
  readonly id: string;
  readonly tenantId: string;
  readonly status: OrderStatus;
  readonly offerId: string;
  readonly supplierOfferId: string;
  readonly price: PriceBreakdown;
  readonly passengers: readonly Passenger[];
  readonly contact: Contact;
  readonly callbackUrl?: string;
  readonly externalRef?: string;
  /** The Idempotency-Key DRCT sees for this order's booking: derived from the order id, so every retry and every reconciliation asks for the same booking. */
  readonly supplierBookingKey: string;
  readonly drctOrderId?: string;
  /** Until when DRCT holds the booking unissued (ISO 8601, DRCT's answer to the booking). */
  readonly ticketingDeadline?: string;
  /** When DRCT confirmed an EXPIRED order's hold was given back. */
  readonly releasedAt?: string;
  readonly tickets?: readonly Ticket[];
  /** Each passenger's status, by index (absent: every passenger ACTIVE). */
  readonly passengerStatuses?: readonly PassengerStatus[];
  /** Money returned per cancelled passenger. */
  readonly refunds?: readonly Refund[];
  readonly failure?: Failure;
  readonly cancellation?: Cancellation;
  readonly issue?: { readonly paymentReference: string; readonly requestedAt: string };
  readonly refundable: boolean;
  /** Whether the fare allows voluntary changes (absent on orders from before changes: no). */
  readonly changeable?: boolean;
  /** The flights as the airline runs them now: a change or an airline schedule change replaces them. */
  readonly segments?: readonly Segment[];
  /** The change being applied while CHANGING: written before DRCT is asked, so reconciliation can finish it. */
  readonly pendingChange?: PendingChange;
  /** Changes applied, oldest first. */
  readonly changes?: readonly AppliedChange[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly HistoryEntry[];
  readonly scheduleChanges?: readonly ScheduleChange[];
  /** Delays of an hour or more and cancellations of its flights, as DRCT reported them. */
  readonly disruptions?: readonly FlightDisruption[];
  readonly correlationId: string;
  /** Optimistic concurrency: every write is conditional on it. */
  readonly version: number;
  /** Its passengers and contact were erased (a data-subject request or the retention job). */
  readonly personalDataErased?: boolean;
  /** When its last flight lands: personal data is erased PII_RETENTION_DAYS after it. */
  readonly lastFlightAt?: string;
}

/** A new order that would break an invariant of every order: a bug in the caller, never the client's fault. */
export class OrderInvariantError extends Error {
  readonly violations: readonly string[];

  constructor(violations: readonly string[]) {
    super(`a new order would break its invariants: ${violations.join("; ")}`);
    this.name = "OrderInvariantError";
    this.violations = violations;
  }
}

/** What a new order is made of; the rest (status, history, version, booking key) follows from it. */
export type NewOrderFields = Pick<
  Order,
  | "id"
  | "tenantId"
  | "offerId"
  | "supplierOfferId"
  | "price"
  | "passengers"
  | "contact"
  | "callbackUrl"
  | "externalRef"
  | "refundable"
  | "changeable"
  | "segments"
  | "correlationId"
  | "segments"
  | "lastFlightAt"
> & { readonly createdAt: Date };

/** The key DRCT books an order under: one per order, so every retry asks for the same booking. */
export const supplierBookingKeyFor = (orderId: string): string => `avf-${orderId}`;

const PRICE_COMPONENTS = ["base", "taxes", "provider_fees", "aviaframe_markup", "tenant_markup"] as const;

/** Every invariant of a new order that `fields` break, in words; empty when it is sound. */
export const newOrderViolations = (fields: NewOrderFields): string[] => {
  const violations: string[] = [];
  for (const key of ["id", "tenantId", "offerId", "supplierOfferId", "correlationId"] as const) {
    if (fields[key].trim() === "") violations.push(`${key} is empty`);
  }
  if (Number.isNaN(fields.createdAt.getTime())) violations.push("createdAt is not a valid date");
  if (fields.passengers.length === 0) violations.push("an order has at least one passenger");
  const adults = fields.passengers.filter((passenger) => passenger.type === "adult").length;
  const infants = fields.passengers.filter((passenger) => passenger.type === "infant").length;
  if (fields.passengers.length > 0 && adults === 0) violations.push("an order has at least one adult");
  if (infants > adults) violations.push("each infant travels on an adult's lap: infants ≤ adults");
  const { price } = fields;
  if (!/^[A-Z]{3}$/.test(price.currency)) violations.push(`price.currency ${price.currency} is not an ISO 4217 code`);
  const amounts = [...PRICE_COMPONENTS, "total"] as const;
  const bad = amounts.filter((component) => !Number.isSafeInteger(price[component]) || price[component] < 0);
  for (const component of bad) violations.push(`price.${component} is not a non-negative integer minor amount`);
  const sum = PRICE_COMPONENTS.reduce((total, component) => total + price[component], 0);
  if (bad.length === 0 && price.total !== sum) {
    violations.push(`price.total ${price.total} is not the sum of its components (${sum})`);
  }
  return violations;
};

/**
 * A new order: PENDING since `createdAt`, its history that one step, version 1, booked at
 * DRCT under a key derived from its id. Throws OrderInvariantError when `fields` break an
 * invariant (no passenger, no adult, a price whose total is not its components' sum, an empty id…).
 */
export const newOrder = (fields: NewOrderFields): Order => {
  const violations = newOrderViolations(fields);
  if (violations.length > 0) throw new OrderInvariantError(violations);
  const createdAt = fields.createdAt.toISOString();
  return {
    id: fields.id,
    tenantId: fields.tenantId,
    status: "PENDING",
    offerId: fields.offerId,
    supplierOfferId: fields.supplierOfferId,
    price: fields.price,
    passengers: fields.passengers,
    contact: fields.contact,
    ...(fields.callbackUrl === undefined ? {} : { callbackUrl: fields.callbackUrl }),
    ...(fields.externalRef === undefined ? {} : { externalRef: fields.externalRef }),
    ...(fields.lastFlightAt === undefined ? {} : { lastFlightAt: fields.lastFlightAt }),
    supplierBookingKey: supplierBookingKeyFor(fields.id),
    refundable: fields.refundable,
    ...(fields.changeable === undefined ? {} : { changeable: fields.changeable }),
    ...(fields.segments === undefined ? {} : { segments: fields.segments }),
    createdAt,
    updatedAt: createdAt,
    history: [{ status: "PENDING", at: createdAt }],
    correlationId: fields.correlationId,
    version: 1,
  };
};

export const invalidState = (order: Pick<Order, "id" | "status">, action: string): AvfError =>
  new AvfError("AVF_409_INVALID_STATE", `the order is ${order.status}: it cannot ${action}`, {
    details: { order_id: order.id, status: order.status },
  });

export type OrderChange = Partial<
  Pick<
    Order,
    | "drctOrderId"
    | "ticketingDeadline"
    | "releasedAt"
    | "tickets"
    | "passengerStatuses"
    | "refunds"
    | "segments"
    | "pendingChange"
    | "changes"
    | "failure"
    | "cancellation"
    | "issue"
    | "scheduleChanges"
    | "disruptions"
  >
>;

/**
 * The order after a move to `to`, with the move in its history. Throws AVF_409_INVALID_STATE
 * for a move the lifecycle does not allow, so no caller can skip a step.
 */
export const transition = (
  order: Order,
  to: OrderStatus,
  at: Date,
  change: OrderChange = {},
  reason?: string,
  events?: readonly string[],
): Order => {
  if (!canTransition(order.status, to)) throw invalidState(order, `become ${to}`);
  const when = at.toISOString();
  return {
    ...order,
    ...change,
    status: to,
    updatedAt: when,
    history: [...order.history, historyEntry(to, when, reason, events)],
    version: order.version + 1,
  };
};

/**
 * The order after a write that keeps its status (a schedule change seen, passengers
 * cancelled, a change applied): still one history entry per version, naming its events.
 */
export const amend = (
  order: Order,
  change: Partial<Omit<Order, "id" | "tenantId" | "status" | "history" | "version">>,
  at: Date,
  reason: string,
  events: readonly string[],
): Order => {
  const when = at.toISOString();
  return {
    ...order,
    ...change,
    updatedAt: when,
    history: [...order.history, historyEntry(order.status, when, reason, events)],
    version: order.version + 1,
  };
};

const historyEntry = (
  status: OrderStatus,
  at: string,
  reason: string | undefined,
  events: readonly string[] | undefined,
): HistoryEntry => ({
  status,
  at,
  ...(reason === undefined ? {} : { reason }),
  ...(events === undefined ? {} : { events }),
});

/** The event each status announces to partners and operators (EventBridge detail-type). */
export const EVENT_OF_STATUS: Partial<Record<OrderStatus, string>> = {
  BOOKED: "order.booked",
  ISSUED: "order.issued",
  FAILED: "order.failed",
  CANCELLED: "order.cancelled",
  EXPIRED: "order.expired",
};

/** Whether a BOOKED order's ticketing deadline has passed at `now` (no deadline known: never). */
export const holdLapsed = (order: Pick<Order, "ticketingDeadline">, now: Date): boolean =>
  order.ticketingDeadline !== undefined && now.getTime() >= Date.parse(order.ticketingDeadline);

export const orderExpired = (order: Pick<Order, "id" | "ticketingDeadline">): AvfError =>
  new AvfError("AVF_409_ORDER_EXPIRED", "the order's ticketing deadline has passed: DRCT released the booking", {
    details: {
      order_id: order.id,
      ...(order.ticketingDeadline === undefined ? {} : { ticketing_deadline: order.ticketingDeadline }),
    },
  });

/** `P1234567` → `*****567`: enough for an agent to recognise a document, not to use it. */
export const maskDocumentNumber = (number: string): string =>
  number.length <= 3 ? "*".repeat(number.length) : `${"*".repeat(number.length - 3)}${number.slice(-3)}`;

export const maskEmail = (email: string): string => {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}***@${domain}`;
};

export const maskPhone = (phone: string): string => `${"*".repeat(Math.max(0, phone.length - 2))}${phone.slice(-2)}`;
