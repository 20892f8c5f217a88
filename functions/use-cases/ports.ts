/**
 * The ports the use cases need. Adapters (functions/adapters) implement them with AWS;
 * tests may implement them with plain objects.
 */

import type { ChangeOffer } from "../domain/change";
import type { Delivery } from "../domain/delivery";
import type { Markup, Offer, Passengers, SearchCriteria, Segment, SupplierOffer, SupplierPrice } from "../domain/offer";
import type { Contact, Order, OrderStatus, Passenger } from "../domain/order";
import type { Priority } from "../domain/slot-queue";
import type { Plan } from "../domain/tenant";

/** Who is calling, under which correlation id, and until when: passed to every supplier call. */
export interface CallContext {
  readonly tenantId: string;
  readonly plan: Plan;
  readonly correlationId: string;
  /** Epoch ms after which no retry starts: the caller will have given up. */
  readonly deadlineAt: number;
  /** Who goes first when calls wait for DRCT's paced operations; by default the operation's class. */
  readonly priority?: Priority;
}

/**
 * DRCT as the use cases see it: already paced, guarded by the breaker and retried; a failure
 * that reaches the caller is a SupplierError (or an AvfError 429 for the tenant's own budget).
 */
export interface OfferSupplier {
  /** A search whose first checks start now, beside the caller's own reads (PreparedSearch). */
  prepareSearch(criteria: SearchCriteria, call: CallContext): PreparedSearch;
  /** The offer's current price and validity at DRCT; `not_found` when unknown or expired. */
  price(supplierOfferId: string, call: CallContext): Promise<SupplierOffer>;
}

/** What DRCT needs to book: its offer, the travellers in clear (only for this call), our key. */
export interface SupplierBooking {
  readonly supplierOfferId: string;
  readonly idempotencyKey: string;
  readonly passengers: readonly Passenger[];
  readonly contact: Contact;
  readonly externalRef?: string;
}

/** An order as DRCT reports it. */
export interface SupplierOrder {
  readonly order_id: string;
  readonly status: "BOOKED" | "ISSUED" | "CANCELLED" | "EXPIRED";
  /** Until when DRCT holds the booking unissued (ISO 8601). */
  readonly ticketing_deadline?: string;
  readonly tickets: readonly { readonly passenger_index: number; readonly ticket_number: string }[];
  /** Each passenger's status at DRCT, with the penalty and refund reference of one cancelled alone. */
  readonly passengers?: readonly {
    readonly passenger_index: number;
    readonly status: "ACTIVE" | "CANCELLED";
    readonly penalty?: number;
    readonly refund_reference?: string;
  }[];
  readonly refund_reference?: string;
  readonly penalty?: number;
  /** The flights as the airline runs them now (a change or a schedule change moves them). */
  readonly segments?: readonly Segment[];
  /** DRCT's schedule changes of them (order read). */
  readonly schedule_changes?: readonly { readonly change_id: string }[];
  /** DRCT's change offers applied to the order, oldest first. */
  readonly applied_changes?: readonly { readonly change_offer_id: string; readonly applied_at: string }[];
}

/** The dates a change asks for (the route and travellers stay). */
export interface ChangeDates {
  readonly departure_date: string;
  readonly return_date?: string;
}

/** An alternative DRCT offers for an order's flights, as DRCT prices it (difference may be negative). */
export interface SupplierChangeOffer {
  readonly change_offer_id: string;
  readonly valid_until: string;
  readonly segments: readonly Segment[];
  readonly price: { readonly currency: string; readonly total: number };
  readonly price_difference: number;
  readonly penalty: number;
}

/** DRCT's order operations, guarded like the offer operations. */
export interface OrderSupplier {
  createOrder(booking: SupplierBooking, call: CallContext): Promise<SupplierOrder>;
  findOrder(idempotencyKey: string, call: CallContext): Promise<SupplierOrder | undefined>;
  issue(drctOrderId: string, idempotencyKey: string, call: CallContext): Promise<SupplierOrder>;
  cancel(drctOrderId: string, call: CallContext): Promise<SupplierOrder>;
  /** Cancels some passengers (by index) at DRCT; repeating it is harmless. */
  cancelPassengers(drctOrderId: string, passengerIndexes: readonly number[], call: CallContext): Promise<SupplierOrder>;
  changeOffers(drctOrderId: string, dates: ChangeDates, call: CallContext): Promise<SupplierChangeOffer[]>;
  /** Applies DRCT's change offer under `idempotencyKey`: DRCT applies a key once and replays it after. */
  applyChange(
    drctOrderId: string,
    supplierChangeOfferId: string,
    idempotencyKey: string,
    call: CallContext,
  ): Promise<SupplierOrder>;
  /** Gives an unissued booking's hold back at DRCT; repeating it is harmless. */
  release(drctOrderId: string, call: CallContext): Promise<SupplierOrder>;
}

export interface Coalesced {
  readonly offers: SupplierOffer[];
  /** `leader` made the DRCT call; `joined` shared another caller's. */
  readonly role: "leader" | "joined";
}

/** A search prepared ahead: `run` makes it; `drop` lets it go unmade (what it started settles beside the answer). */
export interface PreparedSearch {
  run(): Promise<SupplierOffer[]>;
  drop(): void;
}

/** Makes identical concurrent searches share one DRCT call. */
export interface SearchCoalescer {
  /** Claims the search now (beside the caller's other reads), to lead it or share it when run. */
  begin(key: string, deadlineAt: number): CoalescedSearch;
}

/** A coalesced search whose claim has started: `run` leads or shares it; `drop` lets the claim go unused. */
export interface CoalescedSearch {
  run(lead: () => Promise<SupplierOffer[]>): Promise<Coalesced>;
  drop(): void;
}

export interface CachedSearch {
  readonly offers: Offer[];
  readonly cachedAt: number;
}

/** A tenant's recent search results, never served past an offer's validity. */
export interface SearchCache {
  get(tenantId: string, key: string, now: number): Promise<CachedSearch | undefined>;
  /** This environment has seen the entry, still valid at `now` (a hint, no round trip: `get` decides). */
  likelyHit(tenantId: string, key: string, now: number): boolean;
  put(tenantId: string, key: string, offers: readonly Offer[], now: number): Promise<void>;
}

export interface RememberedOffer {
  readonly offer: Offer;
  readonly supplierOfferId: string;
  /** What DRCT charged when the tenant saw the offer: the baseline a reprice compares to. */
  readonly supplierPrice: SupplierPrice;
  /** The markups applied, as they were then (a tenant's markup may change later). */
  readonly markups: { readonly platform: Markup; readonly tenant: Markup };
  /** Who the offer was searched for: an order must bring exactly these travellers. */
  readonly passengers: Passengers;
  /** When DRCT last confirmed this price (PATCH …/price or an order's reprice). */
  readonly pricedAt?: string;
}

/** Remembers which offers a tenant has seen, so later price and order calls can check ownership and validity. */
export interface OfferStore {
  remember(tenantId: string, offers: readonly RememberedOffer[]): Promise<void>;
  find(tenantId: string, offerId: string): Promise<RememberedOffer | undefined>;
  /** Records a confirmed (re)price: the offer as the tenant may now order it. */
  confirmPrice(tenantId: string, offer: RememberedOffer, pricedAt: string): Promise<void>;
}

export type UsageMetric = "searches" | "prices" | "orders" | "issues" | "changes";

export const USAGE_METRICS: readonly UsageMetric[] = ["searches", "prices", "orders", "issues", "changes"];

/** The change offers a tenant was shown, until they expire (like offers). */
export interface ChangeOfferStore {
  remember(offers: readonly ChangeOffer[]): Promise<void>;
  find(tenantId: string, changeOfferId: string): Promise<ChangeOffer | undefined>;
}

export type UsageCounts = Record<UsageMetric, number>;

export interface UsageMeter {
  /** Adds `count` (default 1; -1 takes back a count recorded ahead of an outcome that failed). */
  record(tenantId: string, metric: UsageMetric, at: Date, count?: number): Promise<void>;
  /** Counts per UTC day from `fromDay` to `toDay` inclusive (YYYY-MM-DD), days without usage left out. */
  read(tenantId: string, fromDay: string, toDay: string): Promise<{ day: string; counts: UsageCounts }[]>;
}

/** An order event, carried in the order's outbox until it is on the bus. */
export interface OrderEvent {
  readonly id: string;
  /** The order version that caused it: events of one order are published in this order. */
  readonly sequence: number;
  /** Its place among the events of the same move (order.booked before order.reconciled). */
  readonly position: number;
  readonly detail_type: string;
  readonly occurred_at: string;
  readonly tenant_id: string;
  readonly order_id: string;
  readonly correlation_id: string;
  /** The order's status after the move: events carry ids and statuses, never personal data. */
  readonly order_status: OrderStatus;
}

/** An order's ids, status, moves and callback URL: nothing personal, nothing to decrypt. */
export interface OrderSummary {
  readonly tenantId: string;
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly version: number;
  readonly history: readonly { readonly status: OrderStatus; readonly events?: readonly string[] }[];
  readonly callbackUrl?: string;
}

export interface OrderPage {
  readonly orders: Order[];
  readonly nextCursor?: string;
}

export interface OrderRepository {
  create(order: Order, events: readonly OrderEvent[]): Promise<"created" | "exists">;
  get(tenantId: string, orderId: string): Promise<Order | undefined>;
  /** What the callback dispatcher checks an event against, read without decrypting anything. */
  summary(tenantId: string, orderId: string): Promise<OrderSummary | undefined>;
  /**
   * Conditional on `previous` being what is stored; throws on a concurrent change. Answers the
   * order's outbox as the write left it (its unpublished events, oldest first), so publishing
   * them needs no read of what was just written.
   */
  save(previous: Order, next: Order, events: readonly OrderEvent[]): Promise<OrderEvent[]>;
  pendingEvents(tenantId: string, orderId: string): Promise<OrderEvent[]>;
  markPublished(tenantId: string, orderId: string, eventIds: readonly string[]): Promise<void>;
  list(tenantId: string, query: { status?: OrderStatus; limit: number; cursor?: string }): Promise<OrderPage>;
  findByStatus(status: OrderStatus, before: string, limit: number): Promise<{ tenantId: string; orderId: string }[]>;
  findWithPendingEvents(before: string, limit: number): Promise<{ tenantId: string; orderId: string }[]>;
  /** Orders whose hold lapsed before `now` (ISO 8601): BOOKED past the deadline, or EXPIRED and not yet released. */
  findLapsedHolds(now: string, limit: number): Promise<{ tenantId: string; orderId: string }[]>;
}

/** An order's personal data as a data-subject request reaches it (the orders table). */
export interface PersonalDataStore {
  /** Removes the order's passengers, contact and email index for good; false when there is no such order. */
  erase(tenantId: string, orderId: string): Promise<boolean>;
  /** The tenant's order ids whose contact email has this blind index. */
  findByEmailIndex(tenantId: string, index: string): Promise<string[]>;
  /** Orders still holding personal data whose last flight landed before `before` (ISO). */
  findDueForErasure(before: string, limit: number): Promise<{ tenantId: string; orderId: string }[]>;
}

/**
 * The keyed blind index of a contact email (HMAC under a secret key, tenant-bound): stored
 * with the order so a data-subject search can find it, while the email itself is stored only
 * encrypted. The same email gives another index for another tenant.
 */
export interface EmailIndex {
  indexOf(tenantId: string, email: string): Promise<string>;
}

export type PersonalDataAction = "export" | "erase" | "search" | "retention_erase";

/** Who asked for whose personal data, when; never the data (a search records how many it found). */
export interface PersonalDataAuditEntry {
  readonly tenantId: string;
  readonly action: PersonalDataAction;
  readonly orderId?: string;
  readonly results?: number;
  readonly actor: string;
  readonly correlationId: string;
  readonly at: string;
}

export interface PersonalDataAudit {
  recordAccess(entry: PersonalDataAuditEntry): Promise<void>;
}

export interface EventSink {
  publish(events: readonly OrderEvent[]): Promise<void>;
}

export interface AuditEntry {
  readonly tenantId: string;
  readonly orderId: string;
  readonly from: OrderStatus | null;
  readonly to: OrderStatus;
  readonly version: number;
  /** Who moved it: `tenant:<id>` (API), `workflow:booking`, `worker:ticketing`, `reconciliation`. */
  readonly actor: string;
  readonly correlationId: string;
  readonly at: string;
  readonly reason?: string;
}

export interface AuditTrail {
  record(entry: AuditEntry): Promise<void>;
}

export interface BookingWorkflow {
  /**
   * Makes sure the booking workflow of a PENDING order runs: starts it, leaves the one that
   * runs, or starts it again when the one before died (a crash) with the order still PENDING.
   */
  start(order: Pick<Order, "id" | "tenantId">): Promise<void>;
}

export interface TicketingQueue {
  enqueue(job: { tenantId: string; orderId: string; correlationId: string }): Promise<void>;
}

export interface DeliveryStore {
  create(delivery: Delivery): Promise<"created" | "exists">;
  find(deliveryId: string): Promise<Delivery | undefined>;
  /** Conditional on `previous.version`; false when another writer got there first. */
  save(previous: Delivery, next: Delivery): Promise<boolean>;
  listForOrder(tenantId: string, orderId: string): Promise<Delivery[]>;
}

export interface CallbackQueue {
  /** One message group per order: a partner sees an order's callbacks in order. */
  enqueue(job: { deliveryId: string; orderId: string; dedupId: string }): Promise<void>;
}

/** What one HTTP attempt of a callback came to. */
export interface CallbackAttemptResult {
  readonly outcome: "delivered" | "retry" | "blocked";
  readonly status?: number;
  readonly error?: string;
  readonly latencyMs: number;
  readonly retryAfterSeconds?: number;
}

/** Where and under which ids one callback goes; its body is built when it is sent. */
export type CallbackTarget = Pick<Delivery, "id" | "url" | "webhookId" | "correlationId">;

export interface CallbackSender {
  send(
    target: CallbackTarget,
    body: string,
    signingSecrets: readonly string[],
    at: Date,
  ): Promise<CallbackAttemptResult>;
}

/** A tenant's webhook signing secrets, newest first (two during a rotation: both sign). */
export interface WebhookSecrets {
  secretsOf(tenantId: string): Promise<string[]>;
}

/** An order event as the tenant's event feed keeps it: ids, type, time and status, never personal data. */
export interface FeedEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly orderId: string;
  readonly orderStatus: string;
}

export interface FeedPage {
  readonly events: FeedEvent[];
  readonly nextCursor?: string;
}

/** The tenant's recent order events, newest first (GET /public/events). */
export interface EventFeed {
  /** Idempotent: recording the same event again changes nothing. */
  record(event: FeedEvent): Promise<void>;
  /** Refuses a cursor it did not give this tenant (AVF_400_VALIDATION). */
  list(tenantId: string, query: { type?: string; limit: number; cursor?: string }): Promise<FeedPage>;
}
