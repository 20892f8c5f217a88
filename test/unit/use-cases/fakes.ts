/**
 * The in-memory fakes of the use cases' ports, and the data the use-case tests share.
 * Each test makes its own world (`makeWorld()`), so no test depends on another.
 */
import { answer, iso, keyOf, type Log, type Scripted, T0 } from "./basics";
import {
  FakeOfferStore,
  FakeOfferSupplier,
  FakeSearchCache,
  FakeSearchCoalescer,
  PLATFORM_MARKUP,
  REPRICE_AFTER_MS,
} from "./offer-fakes";

export * from "./basics";
export * from "./offer-fakes";

import { expect } from "vitest";
import { AvfError, type ErrorCode } from "../../../functions/domain/errors";
import type { SupplierOffer } from "../../../functions/domain/offer";
import type { Order, OrderStatus } from "../../../functions/domain/order";
import { SupplierError, type SupplierFailureKind } from "../../../functions/domain/supplier";
import type { Tenant } from "../../../functions/domain/tenant";
import type { CreateOrderDeps } from "../../../functions/use-cases/create-order";
import type { TransitionDeps } from "../../../functions/use-cases/order-transitions";
import type {
  AuditEntry,
  AuditTrail,
  BookingWorkflow,
  CallContext,
  ChangeDates,
  EventSink,
  OrderEvent,
  OrderPage,
  OrderRepository,
  OrderSummary,
  OrderSupplier,
  SupplierBooking,
  SupplierChangeOffer,
  SupplierOrder,
  TicketingQueue,
  UsageCounts,
  UsageMeter,
  UsageMetric,
} from "../../../functions/use-cases/ports";
import type { PriceOfferDeps } from "../../../functions/use-cases/price-offer";
import type { ReconcileDeps } from "../../../functions/use-cases/reconcile-order";
import type { SearchOffersDeps } from "../../../functions/use-cases/search-offers";
import { ADULT, deepFreeze, sampleOrder } from "../fixtures";

export const GRACE_MS = 15 * 60_000;

export const TENANT: Tenant = {
  tenantId: "tenant-a",
  name: "Agency A",
  plan: "standard",
  markup: { type: "percent", basis_points: 0 },
  defaultCurrency: "EUR",
  status: "active",
};

export const OTHER_TENANT: Tenant = { ...TENANT, tenantId: "tenant-b", name: "Agency B" };

export const CALL: CallContext = deepFreeze({
  tenantId: "tenant-a",
  plan: "standard",
  correlationId: "corr-1",
  deadlineAt: T0 + 60_000,
});

/** One adult and one infant: a ticket per passenger means two tickets. */
export const TWO_PASSENGERS = [
  { ...ADULT, given_name: "ANNA", family_name: "MULLER" },
  { type: "infant", given_name: "LENA", family_name: "MULLER", birth_date: "2030-09-01", gender: "female" },
] as const satisfies Order["passengers"];

/** An order of tenant-a, last changed at `at`, in `status`; frozen. */
export const orderAt = (at: number, overrides: Partial<Order> = {}): Order =>
  deepFreeze(sampleOrder(iso(at), { passengers: TWO_PASSENGERS, ...overrides }));

export const bookedOrder = (at: number, overrides: Partial<Order> = {}): Order =>
  orderAt(at, {
    status: "BOOKED",
    drctOrderId: "DRCT4678548321",
    version: 2,
    history: [
      { status: "PENDING", at: iso(at) },
      { status: "BOOKED", at: iso(at) },
    ],
    ...overrides,
  });

export const issuingOrder = (at: number, overrides: Partial<Order> = {}): Order =>
  bookedOrder(at, {
    status: "ISSUING",
    version: 3,
    issue: { paymentReference: "INV-1", requestedAt: iso(at) },
    ...overrides,
  });

export const drctOrder = (status: SupplierOrder["status"], overrides: Partial<SupplierOrder> = {}): SupplierOrder => ({
  order_id: "DRCT4678548321",
  status,
  tickets:
    status === "BOOKED"
      ? []
      : [
          { passenger_index: 0, ticket_number: "2207088105602" },
          { passenger_index: 1, ticket_number: "2207088105603" },
        ],
  ...overrides,
});

export const drctError = (kind: SupplierFailureKind, supplierCode?: string): SupplierError =>
  new SupplierError(kind, `DRCT ${kind}`, supplierCode === undefined ? {} : { supplierCode });

/** What `promise` rejected with; fails the test when it resolved. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
};

export const avfCodeOf = async (promise: Promise<unknown>): Promise<ErrorCode> => {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(AvfError);
  return (error as AvfError).code;
};

// ---------------------------------------------------------------------------------------------
// In-memory fakes of the ports
// ---------------------------------------------------------------------------------------------

/** Thrown by the fake repository where the DynamoDB one throws OrderConflict. */
export class ConcurrentChange extends Error {
  override readonly name = "ConcurrentChange";
}

/**
 * Orders by tenant and id, with an outbox of events per order. `save` is conditional on the
 * stored version and status, and puts the move's events in the outbox, like the DynamoDB adapter.
 */
export class FakeOrderRepository implements OrderRepository {
  readonly rows = new Map<string, Order>();
  readonly outboxes = new Map<string, OrderEvent[]>();
  readonly saves: { readonly from: OrderStatus; readonly to: OrderStatus; readonly events: readonly string[] }[] = [];
  readonly byStatusCalls: { readonly status: OrderStatus; readonly before: string; readonly limit: number }[] = [];
  readonly pendingCalls: { readonly before: string; readonly limit: number }[] = [];
  /** Order keys whose next save loses: another writer moves the stored order just before it. */
  readonly loseNextSave = new Set<string>();
  /** Orders another request writes just before the next create of the same key. */
  readonly racingCreates = new Map<string, Order>();

  constructor(private readonly log: Log) {}

  /** Puts an order (and events still in its outbox) in directly, frozen. */
  seed(order: Order, outbox: readonly OrderEvent[] = []): void {
    const key = keyOf(order.tenantId, order.id);
    this.rows.set(key, deepFreeze(structuredClone(order)));
    if (outbox.length > 0) this.outboxes.set(key, [...outbox]);
  }

  stored(order: Pick<Order, "tenantId" | "id">): Order | undefined {
    return this.rows.get(keyOf(order.tenantId, order.id));
  }

  outboxOf(order: Pick<Order, "tenantId" | "id">): readonly OrderEvent[] {
    return this.outboxes.get(keyOf(order.tenantId, order.id)) ?? [];
  }

  async create(order: Order, events: readonly OrderEvent[]): Promise<"created" | "exists"> {
    this.log.push("orders.create");
    const key = keyOf(order.tenantId, order.id);
    const racer = this.racingCreates.get(key);
    if (racer !== undefined && this.racingCreates.delete(key)) this.seed(racer);
    if (this.rows.has(key)) return "exists";
    this.seed(order, events);
    return "created";
  }

  async get(tenantId: string, orderId: string): Promise<Order | undefined> {
    this.log.push("orders.get");
    return this.rows.get(keyOf(tenantId, orderId));
  }

  async summary(tenantId: string, orderId: string): Promise<OrderSummary | undefined> {
    const order = this.rows.get(keyOf(tenantId, orderId));
    if (order === undefined) return undefined;
    const { tenantId: tenant, id, status, version, history, callbackUrl } = order;
    return {
      tenantId: tenant,
      orderId: id,
      status,
      version,
      history,
      ...(callbackUrl === undefined ? {} : { callbackUrl }),
    };
  }

  async save(previous: Order, next: Order, events: readonly OrderEvent[]): Promise<OrderEvent[]> {
    this.log.push(`orders.save ${previous.status}→${next.status}`);
    const key = keyOf(previous.tenantId, previous.id);
    const racer = this.rows.get(key);
    if (this.loseNextSave.delete(key) && racer !== undefined) {
      this.rows.set(key, deepFreeze({ ...racer, version: racer.version + 1, updatedAt: iso(T0 + 1) }));
    }
    const stored = this.rows.get(key);
    if (
      stored === undefined ||
      stored.version !== previous.version ||
      stored.status !== previous.status ||
      next.id !== previous.id ||
      next.tenantId !== previous.tenantId
    ) {
      throw new ConcurrentChange(`order ${previous.id} changed concurrently`);
    }
    this.rows.set(key, deepFreeze(structuredClone(next)));
    if (events.length > 0) this.outboxes.set(key, [...(this.outboxes.get(key) ?? []), ...events]);
    this.saves.push({ from: previous.status, to: next.status, events: events.map((event) => event.detail_type) });
    return [...(this.outboxes.get(key) ?? [])].sort((a, b) => a.sequence - b.sequence);
  }

  /** Oldest first, by sequence, as the DynamoDB adapter sorts them. */
  async pendingEvents(tenantId: string, orderId: string): Promise<OrderEvent[]> {
    this.log.push("orders.pendingEvents");
    return [...(this.outboxes.get(keyOf(tenantId, orderId)) ?? [])].sort((a, b) => a.sequence - b.sequence);
  }

  async markPublished(tenantId: string, orderId: string, eventIds: readonly string[]): Promise<void> {
    const key = keyOf(tenantId, orderId);
    const left = (this.outboxes.get(key) ?? []).filter((event) => !eventIds.includes(event.id));
    if (left.length === 0) this.outboxes.delete(key);
    else this.outboxes.set(key, left);
  }

  async list(tenantId: string, query: { status?: OrderStatus; limit: number; cursor?: string }): Promise<OrderPage> {
    const orders = [...this.rows.values()].filter(
      (order) => order.tenantId === tenantId && (query.status === undefined || order.status === query.status),
    );
    return { orders: orders.slice(0, query.limit) };
  }

  async findByStatus(
    status: OrderStatus,
    before: string,
    limit: number,
  ): Promise<{ tenantId: string; orderId: string }[]> {
    this.byStatusCalls.push({ status, before, limit });
    return [...this.rows.values()]
      .filter((order) => order.status === status && order.updatedAt < before)
      .slice(0, limit)
      .map((order) => ({ tenantId: order.tenantId, orderId: order.id }));
  }

  async findWithPendingEvents(before: string, limit: number): Promise<{ tenantId: string; orderId: string }[]> {
    this.pendingCalls.push({ before, limit });
    return [...this.rows.values()]
      .filter((order) => this.outboxOf(order).length > 0 && order.updatedAt < before)
      .slice(0, limit)
      .map((order) => ({ tenantId: order.tenantId, orderId: order.id }));
  }

  async findLapsedHolds(now: string, limit: number): Promise<{ tenantId: string; orderId: string }[]> {
    return [...this.rows.values()]
      .filter(
        (order) =>
          (order.status === "BOOKED" || (order.status === "EXPIRED" && order.releasedAt === undefined)) &&
          order.ticketingDeadline !== undefined &&
          order.ticketingDeadline < now,
      )
      .slice(0, limit)
      .map((order) => ({ tenantId: order.tenantId, orderId: order.id }));
  }
}

/** Records every batch that reached the bus; fails while `down`. */
export class FakeEventSink implements EventSink {
  readonly published: (readonly OrderEvent[])[] = [];
  down = false;

  constructor(private readonly log: Log) {}

  async publish(events: readonly OrderEvent[]): Promise<void> {
    this.log.push("events.publish");
    if (this.down) throw new Error("event bus unavailable");
    this.published.push([...events]);
  }

  /** Every event that reached the bus, in the order it did. */
  get all(): readonly OrderEvent[] {
    return this.published.flat();
  }
}

export class FakeAuditTrail implements AuditTrail {
  readonly entries: AuditEntry[] = [];
  down = false;

  async record(entry: AuditEntry): Promise<void> {
    if (this.down) throw new Error("audit table unavailable");
    this.entries.push(entry);
  }
}

/** DRCT with scripted answers per operation; a call with nothing scripted fails the test. */
export class FakeOrderSupplier implements OrderSupplier {
  readonly createCalls: { readonly booking: SupplierBooking; readonly call: CallContext }[] = [];
  readonly findCalls: { readonly idempotencyKey: string; readonly call: CallContext }[] = [];
  readonly issueCalls: { readonly drctOrderId: string; readonly idempotencyKey: string }[] = [];
  readonly cancelCalls: string[] = [];
  readonly creates: Scripted<SupplierOrder>[] = [];
  readonly finds: Scripted<SupplierOrder | undefined>[] = [];
  readonly issues: Scripted<SupplierOrder>[] = [];
  readonly cancels: Scripted<SupplierOrder>[] = [];
  readonly releaseCalls: string[] = [];
  readonly changeOfferCalls: { readonly drctOrderId: string; readonly dates: ChangeDates }[] = [];
  readonly changeOfferAnswers: Scripted<SupplierChangeOffer[]>[] = [];
  readonly changeCalls: { readonly drctOrderId: string; readonly changeOfferId: string; readonly key: string }[] = [];
  readonly changes: Scripted<SupplierOrder>[] = [];
  readonly cancelPassengersCalls: { readonly drctOrderId: string; readonly passengerIndexes: readonly number[] }[] = [];
  readonly releases: Scripted<SupplierOrder>[] = [];
  /** Offer prices, for a booking that reconciliation resumes. */
  readonly priceCalls: string[] = [];
  readonly prices: Scripted<SupplierOffer>[] = [];

  constructor(private readonly log: Log) {}

  get callCount(): number {
    return (
      this.createCalls.length +
      this.findCalls.length +
      this.issueCalls.length +
      this.cancelCalls.length +
      this.releaseCalls.length +
      this.changeOfferCalls.length +
      this.changeCalls.length +
      this.cancelPassengersCalls.length +
      this.priceCalls.length
    );
  }

  async price(supplierOfferId: string): Promise<SupplierOffer> {
    this.log.push("drct.price");
    this.priceCalls.push(supplierOfferId);
    return answer(this.prices, "price");
  }

  async createOrder(booking: SupplierBooking, call: CallContext): Promise<SupplierOrder> {
    this.log.push("drct.createOrder");
    this.createCalls.push({ booking, call });
    return answer(this.creates, "createOrder");
  }

  async findOrder(idempotencyKey: string, call: CallContext): Promise<SupplierOrder | undefined> {
    this.log.push("drct.findOrder");
    this.findCalls.push({ idempotencyKey, call });
    return answer(this.finds, "findOrder");
  }

  async issue(drctOrderId: string, idempotencyKey: string): Promise<SupplierOrder> {
    this.log.push("drct.issue");
    this.issueCalls.push({ drctOrderId, idempotencyKey });
    return answer(this.issues, "issue");
  }

  async cancel(drctOrderId: string): Promise<SupplierOrder> {
    this.log.push("drct.cancel");
    this.cancelCalls.push(drctOrderId);
    return answer(this.cancels, "cancel");
  }

  async cancelPassengers(drctOrderId: string, passengerIndexes: readonly number[]): Promise<SupplierOrder> {
    this.log.push("drct.cancelPassengers");
    this.cancelPassengersCalls.push({ drctOrderId, passengerIndexes: [...passengerIndexes] });
    return answer(this.cancels, "cancelPassengers");
  }

  async changeOffers(drctOrderId: string, dates: ChangeDates): Promise<SupplierChangeOffer[]> {
    this.log.push("drct.changeOffers");
    this.changeOfferCalls.push({ drctOrderId, dates });
    return answer(this.changeOfferAnswers, "changeOffers");
  }

  async applyChange(drctOrderId: string, changeOfferId: string, key: string): Promise<SupplierOrder> {
    this.log.push("drct.applyChange");
    this.changeCalls.push({ drctOrderId, changeOfferId, key });
    return answer(this.changes, "applyChange");
  }

  async release(drctOrderId: string): Promise<SupplierOrder> {
    this.log.push("drct.release");
    this.releaseCalls.push(drctOrderId);
    return answer(this.releases, "release");
  }
}

export class FakeTicketingQueue implements TicketingQueue {
  readonly jobs: { tenantId: string; orderId: string; correlationId: string }[] = [];
  down = false;

  constructor(private readonly log: Log) {}

  async enqueue(job: { tenantId: string; orderId: string; correlationId: string }): Promise<void> {
    this.log.push("ticketing.enqueue");
    if (this.down) throw new Error("queue unavailable");
    this.jobs.push(job);
  }
}

/** Records every start; fails while `down`; `onStart` stands for what the workflow does meanwhile. */
export class FakeBookingWorkflow implements BookingWorkflow {
  readonly starts: Pick<Order, "id" | "tenantId">[] = [];
  down = false;
  onStart: (order: Pick<Order, "id" | "tenantId">) => void = () => {};

  constructor(private readonly log: Log) {}

  async start(order: Pick<Order, "id" | "tenantId">): Promise<void> {
    this.log.push("booking.start");
    if (this.down) throw new Error("step functions unavailable");
    this.starts.push({ id: order.id, tenantId: order.tenantId });
    this.onStart(order);
  }
}

/** Counts what is recorded; reads it back per tenant and UTC day, days without usage left out, like DynamoDB. */
export class FakeUsageMeter implements UsageMeter {
  readonly records: {
    readonly tenantId: string;
    readonly metric: UsageMetric;
    readonly at: string;
    readonly count?: number;
  }[] = [];
  readonly reads: { readonly tenantId: string; readonly fromDay: string; readonly toDay: string }[] = [];

  async record(tenantId: string, metric: UsageMetric, at: Date, count = 1): Promise<void> {
    this.records.push({ tenantId, metric, at: at.toISOString(), ...(count === 1 ? {} : { count }) });
  }

  async read(tenantId: string, fromDay: string, toDay: string): Promise<{ day: string; counts: UsageCounts }[]> {
    this.reads.push({ tenantId, fromDay, toDay });
    const days = new Map<string, UsageCounts>();
    for (const record of this.records) {
      const day = record.at.slice(0, 10);
      if (record.tenantId !== tenantId || day < fromDay || day > toDay) continue;
      const counts = days.get(day) ?? { searches: 0, prices: 0, orders: 0, issues: 0, changes: 0 };
      days.set(day, { ...counts, [record.metric]: counts[record.metric] + (record.count ?? 1) });
    }
    return [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, counts]) => ({ day, counts }));
  }
}

/** Every fake, and deps satisfying every order use case. */
export const makeWorld = () => {
  const log: Log = [];
  const clock = { ms: T0 + 1_000 };
  let eventCount = 0;
  const orders = new FakeOrderRepository(log);
  const events = new FakeEventSink(log);
  const audit = new FakeAuditTrail();
  const supplier = new FakeOrderSupplier(log);
  const ticketing = new FakeTicketingQueue(log);
  const booking = new FakeBookingWorkflow(log);
  const usage = new FakeUsageMeter();
  const offers = new FakeOfferStore(log);
  const offerSupplier = new FakeOfferSupplier(log);
  const cache = new FakeSearchCache(log);
  const coalescer = new FakeSearchCoalescer(log);
  const warnings: { readonly message: string; readonly error: unknown }[] = [];
  /** Callback URLs the URL rules refuse, with the reason. */
  const callbackRefusals = new Map<string, string>();
  /** Every order createOrder waited on the booking of. */
  const awaited: Order[] = [];
  /** Until when each wait for a booking was allowed to last. */
  const awaitedUntil: number[] = [];
  const transitionDeps: TransitionDeps = {
    orders,
    events,
    audit,
    now: () => new Date(clock.ms),
    newEventId: () => {
      eventCount += 1;
      return `evt-${eventCount}`;
    },
    warn: (message, error) => {
      warnings.push({ message, error });
    },
  };
  const deps: ReconcileDeps & { readonly usage: UsageMeter; readonly ticketing: TicketingQueue } = {
    ...transitionDeps,
    supplier,
    ticketing,
    booking,
    usage,
    graceMs: GRACE_MS,
  };
  const offerDeps: SearchOffersDeps & PriceOfferDeps = {
    supplier: offerSupplier,
    coalescer,
    cache,
    offers,
    usage,
    platformMarkup: PLATFORM_MARKUP,
    now: () => clock.ms,
  };
  const createDeps: CreateOrderDeps = {
    ...transitionDeps,
    offers,
    supplier: offerSupplier,
    usage,
    booking,
    platformMarkup: PLATFORM_MARKUP,
    checkCallbackUrl: async (url) => {
      log.push("callback.check");
      return callbackRefusals.get(url);
    },
    awaitBooking: async (order, deadlineAt) => {
      log.push("booking.await");
      awaited.push(order);
      awaitedUntil.push(deadlineAt);
      return orders.stored(order) ?? order;
    },
    repriceAfterMs: REPRICE_AFTER_MS,
  };
  return {
    log,
    clock,
    orders,
    events,
    audit,
    supplier,
    ticketing,
    booking,
    usage,
    offers,
    offerSupplier,
    cache,
    coalescer,
    warnings,
    callbackRefusals,
    awaited,
    awaitedUntil,
    deps,
    offerDeps,
    createDeps,
  };
};

export type World = ReturnType<typeof makeWorld>;

/** Asserts nothing was written, audited, published or warned about. */
export const expectNoMove = (world: World, order: Order): void => {
  expect(world.orders.stored(order)).toEqual(order);
  expect(world.orders.saves).toEqual([]);
  expect(world.audit.entries).toEqual([]);
  expect(world.events.published).toEqual([]);
};

/** For destructuring defaults: fails the test when the value was missing. */
export function fail(): never {
  throw new Error("missing value");
}
