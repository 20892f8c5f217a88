import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import { AvfError, type ErrorCode } from "../../functions/domain/errors";
import { ORDER_STATUSES, type Order, type OrderStatus, UNCERTAIN_STATUSES } from "../../functions/domain/order";
import { toPublicOrder } from "../../functions/domain/order-view";
import { SupplierError, type SupplierFailureKind } from "../../functions/domain/supplier";
import type { Tenant } from "../../functions/domain/tenant";
import { ACTOR_BOOKING, bookOrder, SupplierBusy } from "../../functions/use-cases/book-order";
import { cancelOrder } from "../../functions/use-cases/cancel-order";
import { findUncertainOrders, SWEEP_LIMIT } from "../../functions/use-cases/find-uncertain-orders";
import { ACTOR_TICKETING, issueOrder, ticketOrder } from "../../functions/use-cases/issue-order";
import { flushOrderEvents, moveOrder } from "../../functions/use-cases/order-transitions";
import type {
  AuditEntry,
  AuditTrail,
  BookingWorkflow,
  CallContext,
  EventSink,
  OrderEvent,
  OrderPage,
  OrderRepository,
  OrderSupplier,
  SupplierBooking,
  SupplierOrder,
  TicketingQueue,
  UsageCounts,
  UsageMeter,
  UsageMetric,
} from "../../functions/use-cases/ports";
import { ACTOR_RECONCILIATION, type ReconcileDeps, reconcileOrder } from "../../functions/use-cases/reconcile-order";
import { ADULT, deepFreeze, sampleOrder } from "./fixtures";

const T0 = Date.UTC(2031, 2, 10, 8, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();
const GRACE_MS = 15 * 60_000;

const TENANT: Tenant = {
  tenantId: "tenant-a",
  name: "Agency A",
  plan: "standard",
  markup: { type: "percent", basis_points: 0 },
  defaultCurrency: "EUR",
  status: "active",
};

const OTHER_TENANT: Tenant = { ...TENANT, tenantId: "tenant-b", name: "Agency B" };

const CALL: CallContext = deepFreeze({
  tenantId: "tenant-a",
  plan: "standard",
  correlationId: "corr-1",
  deadlineAt: T0 + 60_000,
});

/** One adult and one infant: a ticket per passenger means two tickets. */
const TWO_PASSENGERS = [
  { ...ADULT, given_name: "ANNA", family_name: "MULLER" },
  { type: "infant", given_name: "LENA", family_name: "MULLER", birth_date: "2030-09-01", gender: "female" },
] as const satisfies Order["passengers"];

/** An order of tenant-a, last changed at `at`, in `status`; frozen. */
const orderAt = (at: number, overrides: Partial<Order> = {}): Order =>
  deepFreeze(sampleOrder(iso(at), { passengers: TWO_PASSENGERS, ...overrides }));

const bookedOrder = (at: number, overrides: Partial<Order> = {}): Order =>
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

const issuingOrder = (at: number, overrides: Partial<Order> = {}): Order =>
  bookedOrder(at, {
    status: "ISSUING",
    version: 3,
    issue: { paymentReference: "INV-1", requestedAt: iso(at) },
    ...overrides,
  });

const drctOrder = (status: SupplierOrder["status"], overrides: Partial<SupplierOrder> = {}): SupplierOrder => ({
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

const drctError = (kind: SupplierFailureKind, supplierCode?: string): SupplierError =>
  new SupplierError(kind, `DRCT ${kind}`, supplierCode === undefined ? {} : { supplierCode });

/** What `promise` rejected with; fails the test when it resolved. */
const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
};

const avfCodeOf = async (promise: Promise<unknown>): Promise<ErrorCode> => {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(AvfError);
  return (error as AvfError).code;
};

// ---------------------------------------------------------------------------------------------
// In-memory fakes of the ports
// ---------------------------------------------------------------------------------------------

/** What the fakes saw, in order: lets a test check that one thing happened before another. */
type Log = string[];

/** Thrown by the fake repository where the DynamoDB one throws OrderConflict. */
class ConcurrentChange extends Error {
  override readonly name = "ConcurrentChange";
}

const keyOf = (tenantId: string, orderId: string): string => `${tenantId}/${orderId}`;

/**
 * Orders by tenant and id, with an outbox of events per order. `save` is conditional on the
 * stored version and status, and puts the move's events in the outbox, like the DynamoDB adapter.
 */
class FakeOrderRepository implements OrderRepository {
  readonly rows = new Map<string, Order>();
  readonly outboxes = new Map<string, OrderEvent[]>();
  readonly saves: { readonly from: OrderStatus; readonly to: OrderStatus; readonly events: readonly string[] }[] = [];
  readonly byStatusCalls: { readonly status: OrderStatus; readonly before: string; readonly limit: number }[] = [];
  readonly pendingCalls: { readonly before: string; readonly limit: number }[] = [];
  /** Order keys whose next save loses: another writer moves the stored order just before it. */
  readonly loseNextSave = new Set<string>();

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
    const key = keyOf(order.tenantId, order.id);
    if (this.rows.has(key)) return "exists";
    this.seed(order, events);
    return "created";
  }

  async get(tenantId: string, orderId: string): Promise<Order | undefined> {
    this.log.push("orders.get");
    return this.rows.get(keyOf(tenantId, orderId));
  }

  async save(previous: Order, next: Order, events: readonly OrderEvent[]): Promise<void> {
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
}

/** Records every batch that reached the bus; fails while `down`. */
class FakeEventSink implements EventSink {
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

class FakeAuditTrail implements AuditTrail {
  readonly entries: AuditEntry[] = [];
  down = false;

  async record(entry: AuditEntry): Promise<void> {
    if (this.down) throw new Error("audit table unavailable");
    this.entries.push(entry);
  }
}

/** A scripted answer: a value to return, or an error to throw. */
type Scripted<T> = T | Error;

/** DRCT with scripted answers per operation; a call with nothing scripted fails the test. */
class FakeOrderSupplier implements OrderSupplier {
  readonly createCalls: { readonly booking: SupplierBooking; readonly call: CallContext }[] = [];
  readonly findCalls: { readonly idempotencyKey: string; readonly call: CallContext }[] = [];
  readonly issueCalls: { readonly drctOrderId: string; readonly idempotencyKey: string }[] = [];
  readonly cancelCalls: string[] = [];
  readonly creates: Scripted<SupplierOrder>[] = [];
  readonly finds: Scripted<SupplierOrder | undefined>[] = [];
  readonly issues: Scripted<SupplierOrder>[] = [];
  readonly cancels: Scripted<SupplierOrder>[] = [];

  constructor(private readonly log: Log) {}

  get callCount(): number {
    return this.createCalls.length + this.findCalls.length + this.issueCalls.length + this.cancelCalls.length;
  }

  async createOrder(booking: SupplierBooking, call: CallContext): Promise<SupplierOrder> {
    this.log.push("drct.createOrder");
    this.createCalls.push({ booking, call });
    return FakeOrderSupplier.answer(this.creates, "createOrder");
  }

  async findOrder(idempotencyKey: string, call: CallContext): Promise<SupplierOrder | undefined> {
    this.log.push("drct.findOrder");
    this.findCalls.push({ idempotencyKey, call });
    return FakeOrderSupplier.answer(this.finds, "findOrder");
  }

  async issue(drctOrderId: string, idempotencyKey: string): Promise<SupplierOrder> {
    this.log.push("drct.issue");
    this.issueCalls.push({ drctOrderId, idempotencyKey });
    return FakeOrderSupplier.answer(this.issues, "issue");
  }

  async cancel(drctOrderId: string): Promise<SupplierOrder> {
    this.log.push("drct.cancel");
    this.cancelCalls.push(drctOrderId);
    return FakeOrderSupplier.answer(this.cancels, "cancel");
  }

  private static answer<T>(script: Scripted<T>[], operation: string): T {
    if (script.length === 0) throw new Error(`unexpected DRCT ${operation}: nothing scripted`);
    const next = script.shift() as Scripted<T>;
    if (next instanceof Error) throw next;
    return next;
  }
}

class FakeTicketingQueue implements TicketingQueue {
  readonly jobs: { tenantId: string; orderId: string; correlationId: string }[] = [];
  down = false;

  constructor(private readonly log: Log) {}

  async enqueue(job: { tenantId: string; orderId: string; correlationId: string }): Promise<void> {
    this.log.push("ticketing.enqueue");
    if (this.down) throw new Error("queue unavailable");
    this.jobs.push(job);
  }
}

class FakeBookingWorkflow implements BookingWorkflow {
  readonly starts: Pick<Order, "id" | "tenantId">[] = [];

  async start(order: Pick<Order, "id" | "tenantId">): Promise<void> {
    this.starts.push({ id: order.id, tenantId: order.tenantId });
  }
}

class FakeUsageMeter implements UsageMeter {
  readonly records: { readonly tenantId: string; readonly metric: UsageMetric; readonly at: string }[] = [];

  async record(tenantId: string, metric: UsageMetric, at: Date): Promise<void> {
    this.records.push({ tenantId, metric, at: at.toISOString() });
  }

  async read(): Promise<{ day: string; counts: UsageCounts }[]> {
    return [];
  }
}

/** Every fake, and deps satisfying every order use case. */
const makeWorld = () => {
  const log: Log = [];
  const clock = { ms: T0 + 1_000 };
  let eventCount = 0;
  const orders = new FakeOrderRepository(log);
  const events = new FakeEventSink(log);
  const audit = new FakeAuditTrail();
  const supplier = new FakeOrderSupplier(log);
  const ticketing = new FakeTicketingQueue(log);
  const booking = new FakeBookingWorkflow();
  const usage = new FakeUsageMeter();
  const warnings: { readonly message: string; readonly error: unknown }[] = [];
  const deps: ReconcileDeps & { readonly usage: UsageMeter } = {
    orders,
    events,
    audit,
    supplier,
    ticketing,
    booking,
    usage,
    graceMs: GRACE_MS,
    now: () => new Date(clock.ms),
    newEventId: () => {
      eventCount += 1;
      return `evt-${eventCount}`;
    },
    warn: (message, error) => {
      warnings.push({ message, error });
    },
  };
  return { log, clock, orders, events, audit, supplier, ticketing, booking, usage, warnings, deps };
};

type World = ReturnType<typeof makeWorld>;

let world: World;

beforeEach(() => {
  world = makeWorld();
});

/** Asserts nothing was written, audited, published or warned about. */
const expectNoMove = (order: Order): void => {
  expect(world.orders.stored(order)).toEqual(order);
  expect(world.orders.saves).toEqual([]);
  expect(world.audit.entries).toEqual([]);
  expect(world.events.published).toEqual([]);
};

// ---------------------------------------------------------------------------------------------
// bookOrder
// ---------------------------------------------------------------------------------------------

describe("bookOrder", () => {
  test("a booking DRCT confirms makes the order BOOKED, announced, audited, with an empty outbox", async () => {
    const order = orderAt(T0, { externalRef: "agency-ref-7" });
    world.orders.seed(order);
    world.supplier.creates.push(drctOrder("BOOKED"));

    expect(await bookOrder(world.deps, order, CALL)).toBe("BOOKED");

    const stored = world.orders.stored(order);
    expect(stored).toMatchObject({ status: "BOOKED", drctOrderId: "DRCT4678548321", version: 2 });
    expect(stored?.updatedAt).toBe(iso(world.clock.ms));
    expect(stored?.history.map((entry) => entry.status)).toEqual(["PENDING", "BOOKED"]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.booked"]);
    const [event] = world.events.all;
    expect(event).toMatchObject({
      sequence: 2,
      tenant_id: "tenant-a",
      order_id: order.id,
      correlation_id: "corr-1",
      occurred_at: iso(world.clock.ms),
    });
    expect(event?.order).toEqual(toPublicOrder(stored as Order));
    expect(event?.order.passengers[0]?.document?.number).toBe("*****567");
    expect(world.orders.outboxOf(order)).toEqual([]);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({
        tenantId: "tenant-a",
        orderId: order.id,
        from: "PENDING",
        to: "BOOKED",
        version: 2,
        actor: ACTOR_BOOKING,
        correlationId: "corr-1",
        at: iso(world.clock.ms),
      }),
    ]);
    expect(ACTOR_BOOKING).toBe("workflow:booking");
    expect(world.warnings).toEqual([]);
  });

  test("DRCT is asked to book under the order's own key, with the order's offer, travellers and reference", async () => {
    const order = orderAt(T0, { externalRef: "agency-ref-7" });
    world.orders.seed(order);
    world.supplier.creates.push(drctOrder("BOOKED"));

    await bookOrder(world.deps, order, CALL);

    expect(world.supplier.createCalls).toHaveLength(1);
    const [{ booking, call } = fail()] = world.supplier.createCalls;
    expect(booking.idempotencyKey).toBe(order.supplierBookingKey);
    expect(booking.idempotencyKey).toBe("bk_ord_01HZX5T8M2");
    expect(booking).toEqual({
      supplierOfferId: "drct-offer-9",
      idempotencyKey: "bk_ord_01HZX5T8M2",
      passengers: order.passengers,
      contact: order.contact,
      externalRef: "agency-ref-7",
    });
    expect(call).toEqual(CALL);
  });

  test.each(["timeout", "server_error"] as const)(
    "no answer from DRCT (%s) makes the order PENDING_RECONCILE, without an event",
    async (kind) => {
      const order = orderAt(T0);
      world.orders.seed(order);
      world.supplier.creates.push(drctError(kind));

      expect(await bookOrder(world.deps, order, CALL)).toBe("PENDING_RECONCILE");

      const stored = world.orders.stored(order);
      expect(stored?.status).toBe("PENDING_RECONCILE");
      expect(stored?.drctOrderId).toBeUndefined();
      expect(stored?.history.at(-1)?.reason).toContain(kind);
      expect(world.events.published).toEqual([]);
      expect(world.audit.entries).toEqual([
        expect.objectContaining({ from: "PENDING", to: "PENDING_RECONCILE", actor: ACTOR_BOOKING }),
      ]);
    },
  );

  test.each(["circuit_open", "rate_limited", "unauthorized"] as const)(
    "DRCT not reachable now (%s) throws SupplierBusy and leaves the order PENDING",
    async (kind) => {
      const order = orderAt(T0);
      world.orders.seed(order);
      world.supplier.creates.push(drctError(kind));

      const error = await rejectionOf(bookOrder(world.deps, order, CALL));

      expect(error).toBeInstanceOf(SupplierBusy);
      expect((error as Error).name).toBe("SupplierBusy");
      expect((error as Error).message).toContain(kind);
      expectNoMove(order);
    },
  );

  test.each([
    ["rejected", "PASSENGER_MISMATCH", "BOOKING_REJECTED"],
    ["not_found", undefined, "OFFER_EXPIRED"],
  ] as const)("a definite refusal (%s) makes the order FAILED with %s → %s", async (kind, supplierCode, code) => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.supplier.creates.push(drctError(kind, supplierCode));

    expect(await bookOrder(world.deps, order, CALL)).toBe("FAILED");

    const stored = world.orders.stored(order);
    expect(stored?.status).toBe("FAILED");
    expect(stored?.failure?.code).toBe(code);
    if (supplierCode !== undefined) expect(stored?.failure?.message).toContain(supplierCode);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.failed"]);
    expect(world.events.all[0]?.order.failure?.code).toBe(code);
    expect(world.audit.entries.map((entry) => [entry.from, entry.to, entry.actor])).toEqual([
      ["PENDING", "FAILED", ACTOR_BOOKING],
    ]);
  });

  test("every failure kind ends in exactly one of: reconcile, busy, failed", async () => {
    const expected: Record<SupplierFailureKind, OrderStatus | "busy"> = {
      timeout: "PENDING_RECONCILE",
      server_error: "PENDING_RECONCILE",
      circuit_open: "busy",
      rate_limited: "busy",
      unauthorized: "busy",
      rejected: "FAILED",
      not_found: "FAILED",
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...(Object.keys(expected) as SupplierFailureKind[])), async (kind) => {
        world = makeWorld();
        const order = orderAt(T0);
        world.orders.seed(order);
        world.supplier.creates.push(drctError(kind));
        const outcome = await bookOrder(world.deps, order, CALL).catch((error: unknown) =>
          error instanceof SupplierBusy ? "busy" : Promise.reject(error),
        );
        expect(outcome).toBe(expected[kind]);
        expect(world.orders.stored(order)?.status).toBe(outcome === "busy" ? "PENDING" : outcome);
        expect(world.audit.entries).toHaveLength(outcome === "busy" ? 0 : 1);
      }),
      { numRuns: 30 },
    );
  });

  test("an error that is not DRCT's propagates and leaves the order PENDING", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.supplier.creates.push(new TypeError("bug in the adapter"));

    expect(await rejectionOf(bookOrder(world.deps, order, CALL))).toBeInstanceOf(TypeError);
    expectNoMove(order);
  });

  test.each(ORDER_STATUSES.filter((status) => status !== "PENDING"))(
    "an order already %s is returned untouched, without calling DRCT",
    async (status) => {
      const order = orderAt(T0, { status, version: 4 });
      world.orders.seed(order);

      expect(await bookOrder(world.deps, order, CALL)).toBe(status);

      expect(world.supplier.callCount).toBe(0);
      expectNoMove(order);
    },
  );
});

/** For destructuring defaults: fails the test when the value was missing. */
function fail(): never {
  throw new Error("missing value");
}

// ---------------------------------------------------------------------------------------------
// reconcileOrder
// ---------------------------------------------------------------------------------------------

describe("reconcileOrder", () => {
  test.each(["PENDING_RECONCILE", "PENDING"] as const)(
    "a %s order DRCT has booked becomes BOOKED, announced as booked and reconciled",
    async (status) => {
      const order = orderAt(T0, { status, version: status === "PENDING" ? 1 : 2 });
      world.orders.seed(order);
      world.supplier.finds.push(drctOrder("BOOKED", { order_id: "DRCT1111111111" }));

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("BOOKED");

      expect(world.supplier.findCalls.map((entry) => entry.idempotencyKey)).toEqual([order.supplierBookingKey]);
      expect(world.supplier.createCalls).toEqual([]);
      expect(world.orders.stored(order)).toMatchObject({ status: "BOOKED", drctOrderId: "DRCT1111111111" });
      expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.booked", "order.reconciled"]);
      expect(new Set(world.events.all.map((event) => event.sequence))).toEqual(new Set([order.version + 1]));
      expect(world.orders.outboxOf(order)).toEqual([]);
      expect(world.audit.entries).toEqual([
        expect.objectContaining({ from: status, to: "BOOKED", actor: ACTOR_RECONCILIATION }),
      ]);
      expect(world.booking.starts).toEqual([]);
    },
  );

  test("a PENDING order DRCT has not seen, within the grace period, has its booking workflow started again", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.clock.ms = T0 + GRACE_MS - 1;
    world.supplier.finds.push(undefined);

    expect(await reconcileOrder(world.deps, order, CALL)).toBe("PENDING");

    expect(world.booking.starts).toEqual([{ id: order.id, tenantId: "tenant-a" }]);
    expect(world.supplier.createCalls).toEqual([]);
    expectNoMove(order);
  });

  test("a PENDING_RECONCILE order DRCT has not seen, within the grace period, is left for the next run", async () => {
    const order = orderAt(T0, { status: "PENDING_RECONCILE", version: 2 });
    world.orders.seed(order);
    world.clock.ms = T0 + GRACE_MS - 1;
    world.supplier.finds.push(undefined);

    expect(await reconcileOrder(world.deps, order, CALL)).toBe("PENDING_RECONCILE");

    expect(world.booking.starts).toEqual([]);
    expect(world.supplier.createCalls).toEqual([]);
    expectNoMove(order);
  });

  test.each(["PENDING", "PENDING_RECONCILE"] as const)(
    "a %s order DRCT still has not seen after the grace period becomes FAILED BOOKING_NOT_CONFIRMED",
    async (status) => {
      const order = orderAt(T0, { status, version: 2 });
      world.orders.seed(order);
      world.clock.ms = T0 + GRACE_MS;
      world.supplier.finds.push(undefined);

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("FAILED");

      expect(world.orders.stored(order)?.failure?.code).toBe("BOOKING_NOT_CONFIRMED");
      expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.failed", "order.reconciled"]);
      expect(world.audit.entries.map((entry) => entry.actor)).toEqual([ACTOR_RECONCILIATION]);
      expect(world.booking.starts).toEqual([]);
    },
  );

  test("an ISSUING order DRCT has issued becomes ISSUED with DRCT's tickets", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.supplier.finds.push(drctOrder("ISSUED"));

    expect(await reconcileOrder(world.deps, order, CALL)).toBe("ISSUED");

    expect(world.orders.stored(order)?.tickets).toEqual([
      { passenger_index: 0, number: "2207088105602" },
      { passenger_index: 1, number: "2207088105603" },
    ]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.issued", "order.reconciled"]);
    expect(world.events.all[0]?.order.tickets).toHaveLength(2);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "ISSUING", to: "ISSUED", actor: ACTOR_RECONCILIATION }),
    ]);
    expect(world.ticketing.jobs).toEqual([]);
  });

  test("an ISSUING order DRCT still has only booked, within the grace period, has its ticketing job queued again", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.clock.ms = T0 + GRACE_MS - 1;
    world.supplier.finds.push(drctOrder("BOOKED"));

    expect(await reconcileOrder(world.deps, order, CALL)).toBe("ISSUING");

    expect(world.ticketing.jobs).toEqual([{ tenantId: "tenant-a", orderId: order.id, correlationId: "corr-1" }]);
    expect(world.supplier.issueCalls).toEqual([]);
    expectNoMove(order);
  });

  test.each([
    ["still only booked", drctOrder("BOOKED")],
    ["unknown", undefined],
  ] as const)(
    "an ISSUING order DRCT has %s after the grace period becomes FAILED TICKETING_NOT_CONFIRMED",
    async (_, found) => {
      const order = issuingOrder(T0);
      world.orders.seed(order);
      world.clock.ms = T0 + GRACE_MS;
      world.supplier.finds.push(found);

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("FAILED");

      expect(world.orders.stored(order)?.failure?.code).toBe("TICKETING_NOT_CONFIRMED");
      expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.failed", "order.reconciled"]);
      expect(world.ticketing.jobs).toEqual([]);
    },
  );

  test("events still in the outbox are published first, before DRCT is asked", async () => {
    // A move whose announcement failed: the order is BOOKED→ISSUING, its order.booked is still pending.
    const order = issuingOrder(T0);
    const stale: OrderEvent = {
      id: "evt-old",
      sequence: 2,
      position: 0,
      detail_type: "order.booked",
      occurred_at: iso(T0),
      tenant_id: "tenant-a",
      order_id: order.id,
      correlation_id: "corr-1",
      order: toPublicOrder(bookedOrder(T0)),
    };
    world.orders.seed(order, [stale]);
    world.supplier.finds.push(drctOrder("BOOKED"));

    await reconcileOrder(world.deps, order, CALL);

    expect(world.events.published).toEqual([[stale]]);
    expect(world.orders.outboxOf(order)).toEqual([]);
    expect(world.log.indexOf("events.publish")).toBeGreaterThanOrEqual(0);
    expect(world.log.indexOf("events.publish")).toBeLessThan(world.log.indexOf("drct.findOrder"));
  });

  test.each(["BOOKED", "ISSUED", "CANCELLED", "FAILED"] as const)(
    "a settled %s order only has its outbox flushed: DRCT is not asked",
    async (status) => {
      const order = orderAt(T0, { status, version: 5 });
      world.orders.seed(order);

      expect(await reconcileOrder(world.deps, order, CALL)).toBe(status);

      expect(world.supplier.callCount).toBe(0);
      expect(world.log).toContain("orders.pendingEvents");
      expectNoMove(order);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// issueOrder
// ---------------------------------------------------------------------------------------------

describe("issueOrder", () => {
  test("a BOOKED order goes ISSUING with the payment reference, one job is queued, and the issue is metered", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);

    const issuing = await issueOrder(world.deps, TENANT, order.id, { reference: "INV-1" });

    expect(issuing.status).toBe("ISSUING");
    expect(issuing.issue).toEqual({ paymentReference: "INV-1", requestedAt: iso(world.clock.ms) });
    expect(world.orders.stored(order)).toEqual(issuing);
    expect(world.ticketing.jobs).toEqual([{ tenantId: "tenant-a", orderId: order.id, correlationId: "corr-1" }]);
    expect(world.usage.records).toEqual([{ tenantId: "tenant-a", metric: "issues", at: iso(world.clock.ms) }]);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "BOOKED", to: "ISSUING", actor: "tenant:tenant-a" }),
    ]);
    // ISSUING announces nothing: the partner hears of ISSUED or FAILED.
    expect(world.events.published).toEqual([]);
    expect(world.log.indexOf("orders.save BOOKED→ISSUING")).toBeLessThan(world.log.indexOf("ticketing.enqueue"));
    expect(world.supplier.callCount).toBe(0);
  });

  test("an unknown order is AVF_404_ORDER_NOT_FOUND", async () => {
    expect(await avfCodeOf(issueOrder(world.deps, TENANT, "ord_missing", { reference: "INV-1" }))).toBe(
      "AVF_404_ORDER_NOT_FOUND",
    );
    expect(world.ticketing.jobs).toEqual([]);
    expect(world.usage.records).toEqual([]);
  });

  test("another tenant's order is AVF_404_ORDER_NOT_FOUND and stays BOOKED", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);

    expect(await avfCodeOf(issueOrder(world.deps, OTHER_TENANT, order.id, { reference: "INV-1" }))).toBe(
      "AVF_404_ORDER_NOT_FOUND",
    );
    expectNoMove(order);
    expect(world.ticketing.jobs).toEqual([]);
  });

  test.each(ORDER_STATUSES.filter((status) => status !== "BOOKED"))(
    "a %s order is AVF_409_INVALID_STATE: nothing moved, queued or metered",
    async (status) => {
      const order = bookedOrder(T0, { status });
      world.orders.seed(order);

      const error = await rejectionOf(issueOrder(world.deps, TENANT, order.id, { reference: "INV-1" }));

      expect(error).toBeInstanceOf(AvfError);
      expect((error as AvfError).code).toBe("AVF_409_INVALID_STATE");
      expect((error as AvfError).details).toEqual({ order_id: order.id, status });
      expectNoMove(order);
      expect(world.ticketing.jobs).toEqual([]);
      expect(world.usage.records).toEqual([]);
    },
  );

  test("a queue failure after the move does not throw: it is warned about and the order stays ISSUING", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    world.ticketing.down = true;

    const issuing = await issueOrder(world.deps, TENANT, order.id, { reference: "INV-1" });

    expect(issuing.status).toBe("ISSUING");
    expect(world.orders.stored(order)?.status).toBe("ISSUING");
    expect(world.warnings).toHaveLength(1);
    expect(world.warnings[0]?.message).toContain("ticketing job not queued");
    expect(world.warnings[0]?.error).toEqual(new Error("queue unavailable"));
  });
});

// ---------------------------------------------------------------------------------------------
// ticketOrder
// ---------------------------------------------------------------------------------------------

describe("ticketOrder", () => {
  test("DRCT's issue makes the order ISSUED with a ticket per passenger", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.supplier.issues.push(drctOrder("ISSUED"));

    const issued = await ticketOrder(world.deps, order, CALL, false);

    expect(issued.status).toBe("ISSUED");
    expect(issued.tickets).toEqual([
      { passenger_index: 0, number: "2207088105602" },
      { passenger_index: 1, number: "2207088105603" },
    ]);
    expect(issued.tickets).toHaveLength(order.passengers.length);
    expect(world.orders.stored(order)).toEqual(issued);
    expect(world.supplier.issueCalls).toEqual([
      { drctOrderId: "DRCT4678548321", idempotencyKey: `avf-issue-${order.id}` },
    ]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.issued"]);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "ISSUING", to: "ISSUED", actor: ACTOR_TICKETING }),
    ]);
    expect(ACTOR_TICKETING).toBe("worker:ticketing");
  });

  test.each(["timeout", "server_error", "rate_limited", "circuit_open", "unauthorized"] as const)(
    "a %s before the last try is thrown again for the queue to retry, the order untouched",
    async (kind) => {
      const order = issuingOrder(T0);
      world.orders.seed(order);
      const failure = drctError(kind);
      world.supplier.issues.push(failure);

      expect(await rejectionOf(ticketOrder(world.deps, order, CALL, false))).toBe(failure);

      expect(world.supplier.findCalls).toEqual([]);
      expectNoMove(order);
    },
  );

  test.each([
    [false, "rejected"],
    [true, "rejected"],
    [false, "not_found"],
  ] as const)(
    "a definite refusal (lastTry %s, %s) makes the order FAILED TICKETING_REJECTED",
    async (lastTry, kind) => {
      const order = issuingOrder(T0);
      world.orders.seed(order);
      world.supplier.issues.push(drctError(kind, "INVALID_STATE"));

      const failed = await ticketOrder(world.deps, order, CALL, lastTry);

      expect(failed.status).toBe("FAILED");
      expect(failed.failure?.code).toBe("TICKETING_REJECTED");
      expect(world.orders.stored(order)?.status).toBe("FAILED");
      expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.failed"]);
      expect(world.supplier.findCalls).toEqual([]);
    },
  );

  test("on the last try, DRCT showing the order ISSUED makes it ISSUED with DRCT's tickets", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.supplier.issues.push(drctError("timeout"));
    world.supplier.finds.push(drctOrder("ISSUED"));

    const issued = await ticketOrder(world.deps, order, CALL, true);

    expect(issued.status).toBe("ISSUED");
    expect(issued.tickets).toHaveLength(2);
    expect(world.supplier.findCalls.map((entry) => entry.idempotencyKey)).toEqual([order.supplierBookingKey]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.issued"]);
  });

  test("on the last try, DRCT showing the order only BOOKED makes it FAILED TICKETING_FAILED", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.supplier.issues.push(drctError("server_error"));
    world.supplier.finds.push(drctOrder("BOOKED"));

    const failed = await ticketOrder(world.deps, order, CALL, true);

    expect(failed.failure?.code).toBe("TICKETING_FAILED");
    expect(failed.failure?.message).toContain("server_error");
  });

  test("on the last try, when DRCT cannot be asked either, the original error is thrown and the order untouched", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    const failure = drctError("timeout");
    world.supplier.issues.push(failure);
    world.supplier.finds.push(drctError("circuit_open"));

    expect(await rejectionOf(ticketOrder(world.deps, order, CALL, true))).toBe(failure);
    expectNoMove(order);
  });

  test.each(ORDER_STATUSES.filter((status) => status !== "ISSUING"))(
    "a %s order is returned untouched, without calling DRCT",
    async (status) => {
      const order = issuingOrder(T0, { status });
      world.orders.seed(order);

      expect(await ticketOrder(world.deps, order, CALL, false)).toBe(order);

      expect(world.supplier.callCount).toBe(0);
      expectNoMove(order);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// cancelOrder
// ---------------------------------------------------------------------------------------------

describe("cancelOrder", () => {
  const issuedOrder = (overrides: Partial<Order> = {}): Order =>
    issuingOrder(T0, {
      status: "ISSUED",
      version: 4,
      tickets: [
        { passenger_index: 0, number: "2207088105602" },
        { passenger_index: 1, number: "2207088105603" },
      ],
      ...overrides,
    });

  test("an ISSUED non-refundable order is AVF_409_NOT_CANCELLABLE without asking DRCT", async () => {
    const order = issuedOrder({ refundable: false });
    world.orders.seed(order);

    expect(await avfCodeOf(cancelOrder(world.deps, TENANT, order.id, CALL))).toBe("AVF_409_NOT_CANCELLABLE");

    expect(world.supplier.callCount).toBe(0);
    expectNoMove(order);
  });

  test("a BOOKED order is voided at DRCT and becomes CANCELLED with penalty 0", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    world.supplier.cancels.push(drctOrder("CANCELLED", { tickets: [], penalty: 0 }));

    const cancelled = await cancelOrder(world.deps, TENANT, order.id, CALL);

    expect(cancelled.status).toBe("CANCELLED");
    expect(cancelled.cancellation).toEqual({ penalty: 0, cancelled_at: iso(world.clock.ms) });
    expect(world.supplier.cancelCalls).toEqual(["DRCT4678548321"]);
    expect(world.orders.stored(order)).toEqual(cancelled);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.cancelled"]);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "BOOKED", to: "CANCELLED", actor: "tenant:tenant-a" }),
    ]);
  });

  test("a void DRCT answers without a penalty still records penalty 0", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    world.supplier.cancels.push(drctOrder("CANCELLED", { tickets: [] }));

    const cancelled = await cancelOrder(world.deps, TENANT, order.id, CALL);

    expect(cancelled.cancellation?.penalty).toBe(0);
    expect(cancelled.cancellation).not.toHaveProperty("refund_reference");
  });

  test("an ISSUED refundable order records DRCT's refund reference and penalty", async () => {
    const order = issuedOrder();
    world.orders.seed(order);
    world.supplier.cancels.push(drctOrder("CANCELLED", { refund_reference: "RF4813228666", penalty: 5_000 }));

    const cancelled = await cancelOrder(world.deps, TENANT, order.id, CALL);

    expect(cancelled.cancellation).toEqual({
      refund_reference: "RF4813228666",
      penalty: 5_000,
      cancelled_at: iso(world.clock.ms),
    });
  });

  test("DRCT refusing under the fare rules is AVF_409_NOT_CANCELLABLE, the order untouched", async () => {
    const order = issuedOrder();
    world.orders.seed(order);
    world.supplier.cancels.push(drctError("rejected", "NOT_CANCELLABLE"));

    expect(await avfCodeOf(cancelOrder(world.deps, TENANT, order.id, CALL))).toBe("AVF_409_NOT_CANCELLABLE");
    expectNoMove(order);
  });

  test("DRCT not knowing the order's booking is AVF_502_SUPPLIER_ERROR", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    world.supplier.cancels.push(drctError("not_found"));

    const error = await rejectionOf(cancelOrder(world.deps, TENANT, order.id, CALL));

    expect(error).toBeInstanceOf(AvfError);
    expect((error as AvfError).code).toBe("AVF_502_SUPPLIER_ERROR");
    expect((error as AvfError).details).toEqual({ drct_order_id: "DRCT4678548321" });
    expectNoMove(order);
  });

  test("another DRCT failure propagates as the SupplierError", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    const failure = drctError("timeout");
    world.supplier.cancels.push(failure);

    expect(await rejectionOf(cancelOrder(world.deps, TENANT, order.id, CALL))).toBe(failure);
    expectNoMove(order);
  });

  test.each(["PENDING", "PENDING_RECONCILE", "ISSUING", "CANCELLED", "FAILED"] as const)(
    "a %s order is AVF_409_INVALID_STATE without asking DRCT",
    async (status) => {
      const order = bookedOrder(T0, { status });
      world.orders.seed(order);

      expect(await avfCodeOf(cancelOrder(world.deps, TENANT, order.id, CALL))).toBe("AVF_409_INVALID_STATE");
      expect(world.supplier.callCount).toBe(0);
      expectNoMove(order);
    },
  );

  test("an unknown order is AVF_404_ORDER_NOT_FOUND", async () => {
    expect(await avfCodeOf(cancelOrder(world.deps, TENANT, "ord_missing", CALL))).toBe("AVF_404_ORDER_NOT_FOUND");
    expect(world.supplier.callCount).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// moveOrder and flushOrderEvents
// ---------------------------------------------------------------------------------------------

describe("moveOrder", () => {
  test("a concurrent change propagates: nothing is written, audited or announced", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.orders.loseNextSave.add(keyOf(order.tenantId, order.id));

    const error = await rejectionOf(
      moveOrder(world.deps, order, "BOOKED", ACTOR_BOOKING, { change: { drctOrderId: "D" } }),
    );

    expect(error).toBeInstanceOf(ConcurrentChange);
    expect(world.orders.stored(order)?.version).toBe(2);
    expect(world.orders.stored(order)?.status).toBe("PENDING");
    expect(world.orders.outboxOf(order)).toEqual([]);
    expect(world.audit.entries).toEqual([]);
    expect(world.events.published).toEqual([]);
  });

  test("bookOrder with a stale order propagates the concurrent change after DRCT booked", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.orders.loseNextSave.add(keyOf(order.tenantId, order.id));
    world.supplier.creates.push(drctOrder("BOOKED"));

    expect(await rejectionOf(bookOrder(world.deps, order, CALL))).toBeInstanceOf(ConcurrentChange);
    expect(world.audit.entries).toEqual([]);
  });

  test("an illegal move is AVF_409_INVALID_STATE before anything is written", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);

    expect(await avfCodeOf(moveOrder(world.deps, order, "ISSUED", ACTOR_TICKETING))).toBe("AVF_409_INVALID_STATE");
    expectNoMove(order);
  });

  test("events that fail to publish stay in the outbox, warned about; a later flush publishes them in sequence order", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.events.down = true;

    const booked = await moveOrder(world.deps, order, "BOOKED", ACTOR_BOOKING, {
      change: { drctOrderId: "DRCT1" },
      extraEvents: ["order.reconciled"],
    });
    world.clock.ms += 1_000;
    const cancelled = await moveOrder(world.deps, booked, "CANCELLED", "tenant:tenant-a", {
      change: { cancellation: { penalty: 0, cancelled_at: iso(world.clock.ms) } },
    });

    expect(cancelled.status).toBe("CANCELLED");
    expect(world.orders.stored(order)).toEqual(cancelled);
    expect(world.events.published).toEqual([]);
    expect(world.warnings).toHaveLength(2);
    expect(world.warnings.every((warning) => warning.message.includes("not published"))).toBe(true);
    expect(world.orders.outboxOf(order).map((event) => event.detail_type)).toEqual([
      "order.booked",
      "order.reconciled",
      "order.cancelled",
    ]);
    // The moves themselves were audited regardless.
    expect(world.audit.entries.map((entry) => entry.to)).toEqual(["BOOKED", "CANCELLED"]);

    world.events.down = false;
    await flushOrderEvents(world.deps, order.tenantId, order.id);

    expect(world.events.published).toHaveLength(1);
    expect(world.events.all.map((event) => [event.sequence, event.detail_type])).toEqual([
      [2, "order.booked"],
      [2, "order.reconciled"],
      [3, "order.cancelled"],
    ]);
    expect(world.events.all[0]?.order.status).toBe("BOOKED");
    expect(world.events.all[2]?.order.status).toBe("CANCELLED");
    expect(new Set(world.events.all.map((event) => event.id)).size).toBe(3);
    expect(world.orders.outboxOf(order)).toEqual([]);

    // Nothing is published twice.
    await flushOrderEvents(world.deps, order.tenantId, order.id);
    expect(world.events.published).toHaveLength(1);
  });

  test("the next successful move publishes the earlier, unpublished events first, in one batch", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.events.down = true;
    const booked = await moveOrder(world.deps, order, "BOOKED", ACTOR_BOOKING, { change: { drctOrderId: "DRCT1" } });
    world.events.down = false;

    await moveOrder(world.deps, booked, "CANCELLED", "tenant:tenant-a", {
      change: { cancellation: { penalty: 0, cancelled_at: iso(world.clock.ms) } },
    });

    expect(world.events.published.map((batch) => batch.map((event) => event.detail_type))).toEqual([
      ["order.booked", "order.cancelled"],
    ]);
    expect(world.orders.outboxOf(order)).toEqual([]);
  });

  test("an audit failure does not undo or block the move: it is warned about", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.audit.down = true;

    const booked = await moveOrder(world.deps, order, "BOOKED", ACTOR_BOOKING, { change: { drctOrderId: "DRCT1" } });

    expect(world.orders.stored(order)).toEqual(booked);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.booked"]);
    expect(world.warnings.map((warning) => warning.message)).toEqual(["audit entry not written"]);
  });

  test("a flush of an order with an empty outbox publishes nothing", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);

    await flushOrderEvents(world.deps, order.tenantId, order.id);

    expect(world.log.filter((entry) => entry === "events.publish")).toEqual([]);
    expect(world.warnings).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// findUncertainOrders
// ---------------------------------------------------------------------------------------------

describe("findUncertainOrders", () => {
  const AFTER_MS = 5 * 60_000;
  const NOW = new Date(T0 + 60 * 60_000);
  const CUTOFF = NOW.getTime() - AFTER_MS;

  const pendingEvent = (order: Order): OrderEvent => ({
    id: `evt-${order.id}`,
    sequence: order.version,
    position: 0,
    detail_type: "order.issued",
    occurred_at: order.updatedAt,
    tenant_id: order.tenantId,
    order_id: order.id,
    correlation_id: order.correlationId,
    order: toPublicOrder(order),
  });

  test("an order found both by status and by pending events is listed once", async () => {
    const order = issuingOrder(CUTOFF - 1);
    world.orders.seed(order, [pendingEvent(order)]);

    expect(await findUncertainOrders(world.orders, NOW, AFTER_MS)).toEqual([
      { order_id: order.id, tenant_id: "tenant-a" },
    ]);
  });

  test("the same order id under two tenants is two entries", async () => {
    world.orders.seed(orderAt(CUTOFF - 1));
    world.orders.seed(orderAt(CUTOFF - 1, { tenantId: "tenant-b" }));

    const found = await findUncertainOrders(world.orders, NOW, AFTER_MS);

    expect(found).toHaveLength(2);
    expect(new Set(found.map((ref) => ref.tenant_id))).toEqual(new Set(["tenant-a", "tenant-b"]));
  });

  test("every uncertain status and the outbox are asked with the cutoff now − afterMs and SWEEP_LIMIT", async () => {
    world.orders.seed(orderAt(CUTOFF - 1, { id: "ord_old" }));
    world.orders.seed(orderAt(CUTOFF, { id: "ord_at_cutoff" }));
    world.orders.seed(orderAt(CUTOFF + 1, { id: "ord_recent" }));

    const found = await findUncertainOrders(world.orders, NOW, AFTER_MS);

    expect(found).toEqual([{ order_id: "ord_old", tenant_id: "tenant-a" }]);
    expect(world.orders.byStatusCalls.map((call) => call.status).sort()).toEqual([...UNCERTAIN_STATUSES].sort());
    expect(world.orders.byStatusCalls.every((call) => call.before === iso(CUTOFF))).toBe(true);
    expect(world.orders.byStatusCalls.every((call) => call.limit === SWEEP_LIMIT)).toBe(true);
    expect(world.orders.pendingCalls).toEqual([{ before: iso(CUTOFF), limit: SWEEP_LIMIT }]);
  });

  test("settled orders are not listed unless their events are pending", async () => {
    const settled = bookedOrder(CUTOFF - 1, { id: "ord_settled" });
    const unannounced = bookedOrder(CUTOFF - 1, { id: "ord_unannounced" });
    world.orders.seed(settled);
    world.orders.seed(unannounced, [pendingEvent(unannounced)]);

    expect(await findUncertainOrders(world.orders, NOW, AFTER_MS)).toEqual([
      { order_id: "ord_unannounced", tenant_id: "tenant-a" },
    ]);
  });

  test("the list is capped at SWEEP_LIMIT", async () => {
    for (let index = 0; index < SWEEP_LIMIT + 50; index += 1) {
      world.orders.seed(orderAt(CUTOFF - 1 - index, { id: `ord_p${index}`, status: "PENDING_RECONCILE" }));
      world.orders.seed(issuingOrder(CUTOFF - 1 - index, { id: `ord_i${index}` }));
    }

    const found = await findUncertainOrders(world.orders, NOW, AFTER_MS);

    expect(found).toHaveLength(SWEEP_LIMIT);
    expect(new Set(found.map((ref) => ref.order_id)).size).toBe(SWEEP_LIMIT);
  });

  test("property: the list is the eligible orders, each once, up to SWEEP_LIMIT", async () => {
    const orderArb = fc.record({
      tenant: fc.constantFrom("tenant-a", "tenant-b"),
      status: fc.constantFrom(...ORDER_STATUSES),
      ageMs: fc.integer({ min: 0, max: 2 * AFTER_MS }),
      pending: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(orderArb, { maxLength: 600 }),
        fc.integer({ min: 0, max: 20 }),
        async (specs, duplicates) => {
          const orders = new FakeOrderRepository([]);
          const eligible = new Set<string>();
          specs.forEach((spec, index) => {
            // Some ids repeat across tenants, so dedup must be by tenant and id.
            const id = `ord_${index % Math.max(1, specs.length - duplicates)}`;
            const order = orderAt(NOW.getTime() - spec.ageMs, { id, tenantId: spec.tenant, status: spec.status });
            orders.rows.delete(keyOf(spec.tenant, id));
            orders.outboxes.delete(keyOf(spec.tenant, id));
            orders.seed(order, spec.pending ? [pendingEvent(order)] : []);
          });
          for (const order of orders.rows.values()) {
            const old = Date.parse(order.updatedAt) < NOW.getTime() - AFTER_MS;
            const uncertain = UNCERTAIN_STATUSES.includes(order.status) || orders.outboxOf(order).length > 0;
            if (old && uncertain) eligible.add(keyOf(order.tenantId, order.id));
          }

          const found = await findUncertainOrders(orders, NOW, AFTER_MS);

          const keys = found.map((ref) => keyOf(ref.tenant_id, ref.order_id));
          expect(new Set(keys).size).toBe(keys.length);
          expect(keys.every((key) => eligible.has(key))).toBe(true);
          expect(keys).toHaveLength(Math.min(SWEEP_LIMIT, eligible.size));
        },
      ),
      { numRuns: 60 },
    );
  });
});
