import { AvfError } from "./errors";
import type { PriceBreakdown } from "./offer";

export const ORDER_STATUSES = [
  "PENDING",
  "PENDING_RECONCILE",
  "BOOKED",
  "ISSUING",
  "ISSUED",
  "CANCELLED",
  "FAILED",
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Every legal move of an order (CONTRACT.md §3). ISSUING → BOOKED is not here on purpose: a
 * ticketing attempt that DRCT did not take is retried, not undone.
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ["BOOKED", "PENDING_RECONCILE", "FAILED"],
  PENDING_RECONCILE: ["BOOKED", "FAILED"],
  BOOKED: ["ISSUING", "CANCELLED"],
  ISSUING: ["ISSUED", "FAILED"],
  ISSUED: ["CANCELLED"],
  CANCELLED: [],
  FAILED: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => TRANSITIONS[from].includes(to);

export const isTerminal = (status: OrderStatus): boolean => TRANSITIONS[status].length === 0;

/** Statuses whose real state is only known to DRCT: the reconciliation asks it. */
export const UNCERTAIN_STATUSES: readonly OrderStatus[] = ["PENDING", "PENDING_RECONCILE", "ISSUING"];

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

export interface HistoryEntry {
  readonly status: OrderStatus;
  readonly at: string;
  readonly reason?: string;
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
  readonly tickets?: readonly Ticket[];
  readonly failure?: Failure;
  readonly cancellation?: Cancellation;
  readonly issue?: { readonly paymentReference: string; readonly requestedAt: string };
  readonly refundable: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly HistoryEntry[];
  readonly correlationId: string;
  /** Optimistic concurrency: every write is conditional on it. */
  readonly version: number;
}

export const invalidState = (order: Pick<Order, "id" | "status">, action: string): AvfError =>
  new AvfError("AVF_409_INVALID_STATE", `the order is ${order.status}: it cannot ${action}`, {
    details: { order_id: order.id, status: order.status },
  });

export type OrderChange = Partial<Pick<Order, "drctOrderId" | "tickets" | "failure" | "cancellation" | "issue">>;

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
): Order => {
  if (!canTransition(order.status, to)) throw invalidState(order, `become ${to}`);
  const when = at.toISOString();
  return {
    ...order,
    ...change,
    status: to,
    updatedAt: when,
    history: [...order.history, { status: to, at: when, ...(reason === undefined ? {} : { reason }) }],
    version: order.version + 1,
  };
};

/** The event each status announces to partners and operators (EventBridge detail-type). */
export const EVENT_OF_STATUS: Partial<Record<OrderStatus, string>> = {
  BOOKED: "order.booked",
  ISSUED: "order.issued",
  FAILED: "order.failed",
  CANCELLED: "order.cancelled",
};

/** `P1234567` → `*****567`: enough for an agent to recognise a document, not to use it. */
export const maskDocumentNumber = (number: string): string =>
  number.length <= 3 ? "*".repeat(number.length) : `${"*".repeat(number.length - 3)}${number.slice(-3)}`;

export const maskEmail = (email: string): string => {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}***@${domain}`;
};

export const maskPhone = (phone: string): string => `${"*".repeat(Math.max(0, phone.length - 2))}${phone.slice(-2)}`;
