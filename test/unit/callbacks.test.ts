import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import {
  DEFAULT_RETRY_SCHEDULE_S,
  type Delivery,
  type DeliveryStatus,
  nextAttemptDelayMs,
  parseRetrySchedule,
} from "../../functions/domain/delivery";
import { AvfError } from "../../functions/domain/errors";
import type { Order } from "../../functions/domain/order";
import { toPublicOrder } from "../../functions/domain/order-view";
import {
  type CallbackDeps,
  type DeliverDeps,
  deliverCallback,
  deliveryIdFor,
  dispatchCallback,
  replayCallback,
} from "../../functions/use-cases/callbacks";
import type {
  CallbackAttemptResult,
  CallbackQueue,
  CallbackSender,
  DeliveryStore,
  OrderEvent,
  WebhookSecrets,
} from "../../functions/use-cases/ports";
import { deepFreeze, sampleOrder } from "./fixtures";

const T0 = Date.UTC(2031, 2, 10, 8, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------
// In-memory fakes of the ports
// ---------------------------------------------------------------------------------------------

/** Deliveries by id; `save` is conditional on the stored version, like the DynamoDB adapter. */
class FakeDeliveryStore implements DeliveryStore {
  readonly rows = new Map<string, Delivery>();
  readonly creates: ("created" | "exists")[] = [];
  readonly saves: { readonly id: string; readonly ok: boolean }[] = [];
  /** Ids whose next save loses: another writer bumps the stored version just before it. */
  readonly loseNextSave = new Set<string>();

  /** Puts deliveries in directly (test setup), frozen. */
  seed(...deliveries: Delivery[]): void {
    for (const delivery of deliveries) this.rows.set(delivery.id, deepFreeze(structuredClone(delivery)));
  }

  async create(delivery: Delivery): Promise<"created" | "exists"> {
    const result = this.rows.has(delivery.id) ? "exists" : "created";
    if (result === "created") this.rows.set(delivery.id, deepFreeze(structuredClone(delivery)));
    this.creates.push(result);
    return result;
  }

  async find(deliveryId: string): Promise<Delivery | undefined> {
    return this.rows.get(deliveryId);
  }

  async save(previous: Delivery, next: Delivery): Promise<boolean> {
    const racer = this.rows.get(previous.id);
    if (this.loseNextSave.delete(previous.id) && racer !== undefined) {
      this.rows.set(previous.id, deepFreeze({ ...racer, version: racer.version + 1 }));
    }
    const stored = this.rows.get(previous.id);
    const ok = stored !== undefined && stored.version === previous.version && next.id === previous.id;
    if (ok) this.rows.set(next.id, deepFreeze(structuredClone(next)));
    this.saves.push({ id: previous.id, ok });
    return ok;
  }

  /** Newest first, so that code relying on the store's order (rather than `sequence`) shows. */
  async listForOrder(tenantId: string, orderId: string): Promise<Delivery[]> {
    return [...this.rows.values()]
      .filter((delivery) => delivery.tenantId === tenantId && delivery.orderId === orderId)
      .reverse();
  }

  get(id: string): Delivery {
    const delivery = this.rows.get(id);
    if (delivery === undefined) throw new Error(`no delivery ${id} in the fake store`);
    return delivery;
  }
}

type Job = Parameters<CallbackQueue["enqueue"]>[0];

class RecordingQueue implements CallbackQueue {
  readonly jobs: Job[] = [];
  async enqueue(job: Job): Promise<void> {
    this.jobs.push({ ...job });
  }
}

interface Sent {
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly body: string;
  readonly secrets: readonly string[];
  readonly at: number;
}

/** Answers each delivery from its own script, in turn; records what it was asked to send. */
class ScriptedSender implements CallbackSender {
  readonly sent: Sent[] = [];
  private readonly scripts = new Map<string, CallbackAttemptResult[]>();

  script(deliveryId: string, ...results: CallbackAttemptResult[]): this {
    this.scripts.set(deliveryId, [...(this.scripts.get(deliveryId) ?? []), ...results]);
    return this;
  }

  async send(delivery: Delivery, signingSecrets: readonly string[], at: Date): Promise<CallbackAttemptResult> {
    this.sent.push({
      deliveryId: delivery.id,
      webhookId: delivery.webhookId,
      body: delivery.body,
      secrets: [...signingSecrets],
      at: at.getTime(),
    });
    const next = this.scripts.get(delivery.id)?.shift();
    if (next === undefined) throw new Error(`the fake partner has no answer scripted for ${delivery.id}`);
    return next;
  }

  get sentIds(): string[] {
    return this.sent.map((sent) => sent.deliveryId);
  }
}

const secretsOf = (tenantId: string): string[] => [`whsec_new_${tenantId}`, `whsec_old_${tenantId}`];

class FakeSecrets implements WebhookSecrets {
  readonly asked: string[] = [];
  async secretsOf(tenantId: string): Promise<string[]> {
    this.asked.push(tenantId);
    return secretsOf(tenantId);
  }
}

class FakeClock {
  constructor(public ms: number = T0) {}
  readonly now = (): Date => new Date(this.ms);
  set(ms: number): void {
    this.ms = ms;
  }
}

interface World {
  readonly store: FakeDeliveryStore;
  readonly queue: RecordingQueue;
  readonly sender: ScriptedSender;
  readonly secrets: FakeSecrets;
  readonly clock: FakeClock;
  readonly callbackDeps: CallbackDeps;
  readonly deliverDeps: DeliverDeps;
}

const world = (schedule: readonly number[] = [0, 2, 6]): World => {
  const store = new FakeDeliveryStore();
  const queue = new RecordingQueue();
  const sender = new ScriptedSender();
  const secrets = new FakeSecrets();
  const clock = new FakeClock();
  return {
    store,
    queue,
    sender,
    secrets,
    clock,
    callbackDeps: { deliveries: store, queue, now: clock.now },
    deliverDeps: { deliveries: store, sender, secrets, schedule, now: clock.now },
  };
};

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const ORDER: Order = sampleOrder(iso(T0 - 60_000), {
  status: "BOOKED",
  callbackUrl: "https://partner.example.com/hooks/aviaframe",
  drctOrderId: "DRCT-77",
  updatedAt: iso(T0 - 1_000),
  history: [
    { status: "PENDING", at: iso(T0 - 60_000) },
    { status: "BOOKED", at: iso(T0 - 1_000) },
  ],
  version: 2,
});

const event = (overrides: Partial<OrderEvent> = {}, order: Order = ORDER): OrderEvent =>
  deepFreeze({
    id: "evt_booked_1",
    sequence: 2,
    position: 0,
    detail_type: "order.booked",
    occurred_at: iso(T0 - 1_000),
    tenant_id: order.tenantId,
    order_id: order.id,
    correlation_id: "corr-1",
    order: toPublicOrder(order),
    ...overrides,
  });

const CALLBACK_TYPES = ["order.booked", "order.issued", "order.failed", "order.cancelled"] as const;

/** A pending delivery of ORDER, created at T0, no attempts yet. */
const pending = (id: string, overrides: Partial<Delivery> = {}): Delivery => ({
  id,
  tenantId: ORDER.tenantId,
  orderId: ORDER.id,
  eventType: "order.booked",
  sequence: 2,
  webhookId: `msg_${id}`,
  url: "https://partner.example.com/hooks/aviaframe",
  body: JSON.stringify({ type: "order.booked", timestamp: iso(T0), data: { order: { id: ORDER.id } } }),
  correlationId: "corr-1",
  status: "pending",
  attempts: [],
  roundStartedAt: iso(T0),
  roundFirstAttempt: 0,
  replays: 0,
  createdAt: iso(T0),
  updatedAt: iso(T0),
  version: 1,
  ...overrides,
});

const OK: CallbackAttemptResult = { outcome: "delivered", status: 204, latencyMs: 12.4 };
const BAD_REQUEST: CallbackAttemptResult = { outcome: "blocked", status: 400, latencyMs: 7 };
const SERVER_ERROR: CallbackAttemptResult = { outcome: "retry", status: 500, latencyMs: 31 };
const retryAfter = (seconds: number): CallbackAttemptResult => ({
  outcome: "retry",
  status: 503,
  latencyMs: 9,
  retryAfterSeconds: seconds,
});

/** What `promise` rejected with; fails the test when it resolved. */
const rejectionOf = async (promise: Promise<unknown>): Promise<AvfError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AvfError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
};

// ---------------------------------------------------------------------------------------------
// dispatchCallback
// ---------------------------------------------------------------------------------------------

describe("dispatchCallback", () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });

  test.each(CALLBACK_TYPES)("%s of an order with a callback_url becomes a pending delivery", async (type) => {
    const e = event({ detail_type: type, sequence: 7 });
    const delivery = await dispatchCallback(w.callbackDeps, e);

    expect(delivery).toBeDefined();
    expect(w.store.rows.size).toBe(1);
    expect(w.store.get(deliveryIdFor(e.id))).toEqual(delivery);
    expect(delivery).toMatchObject({
      id: deliveryIdFor(e.id),
      tenantId: ORDER.tenantId,
      orderId: ORDER.id,
      eventType: type,
      sequence: 7,
      url: ORDER.callbackUrl,
      correlationId: "corr-1",
      status: "pending",
      attempts: [],
      roundStartedAt: iso(T0),
      roundFirstAttempt: 0,
      replays: 0,
      version: 1,
    });
  });

  test.each(["order.reconciled", "order.created", "order.issuing", "ORDER.BOOKED", ""])(
    "%j makes no delivery and queues nothing",
    async (type) => {
      expect(await dispatchCallback(w.callbackDeps, event({ detail_type: type }))).toBeUndefined();
      expect(w.store.rows.size).toBe(0);
      expect(w.store.creates).toEqual([]);
      expect(w.queue.jobs).toEqual([]);
    },
  );

  test.each(CALLBACK_TYPES)("%s of an order without a callback_url makes no delivery", async (type) => {
    const { callbackUrl: _dropped, ...withoutUrl } = ORDER;
    expect(await dispatchCallback(w.callbackDeps, event({ detail_type: type }, withoutUrl))).toBeUndefined();
    expect(w.store.rows.size).toBe(0);
    expect(w.queue.jobs).toEqual([]);
  });

  test("the body is exactly {type, timestamp, data:{order}} of the event", async () => {
    const e = event({ detail_type: "order.issued", occurred_at: "2031-03-10T07:59:59.123Z" });
    const delivery = await dispatchCallback(w.callbackDeps, e);
    if (delivery === undefined) throw new Error("expected a delivery");

    expect(delivery.body).toBe(
      JSON.stringify({ type: "order.issued", timestamp: "2031-03-10T07:59:59.123Z", data: { order: e.order } }),
    );
    const parsed: unknown = JSON.parse(delivery.body);
    expect(parsed).toStrictEqual({
      type: "order.issued",
      timestamp: "2031-03-10T07:59:59.123Z",
      data: { order: JSON.parse(JSON.stringify(toPublicOrder(ORDER))) },
    });
    // The masked public view, never the raw order (contact, full document number).
    expect(delivery.body).not.toContain("P1234567");
    expect(delivery.body).not.toContain("anna.mueller@example.com");
  });

  test("the first attempt is queued: dedup id = delivery id, group = order id", async () => {
    const delivery = await dispatchCallback(w.callbackDeps, event());
    if (delivery === undefined) throw new Error("expected a delivery");
    expect(w.queue.jobs).toEqual([{ deliveryId: delivery.id, orderId: ORDER.id, dedupId: delivery.id }]);
  });

  test("the same event twice makes one delivery with one id and webhook-id; the second create reports exists", async () => {
    const e = event();
    const first = await dispatchCallback(w.callbackDeps, e);
    w.clock.set(T0 + 90_000);
    const second = await dispatchCallback(w.callbackDeps, e);
    if (first === undefined || second === undefined) throw new Error("expected deliveries");

    expect(w.store.rows.size).toBe(1);
    expect(w.store.creates).toEqual(["created", "exists"]);
    expect(second.id).toBe(first.id);
    expect(second.webhookId).toBe(first.webhookId);
    expect(w.store.get(first.id)).toEqual(first);
    // Queued again (a crash between create and enqueue must not lose the job), but under the same dedup id.
    for (const job of w.queue.jobs) expect(job).toEqual({ deliveryId: first.id, orderId: ORDER.id, dedupId: first.id });
  });

  test("the delivery id and webhook-id follow from the event id alone", async () => {
    const e = event();
    const here = await dispatchCallback(w.callbackDeps, e);
    const elsewhere = world();
    elsewhere.clock.set(T0 + 3_600_000);
    const there = await dispatchCallback(
      elsewhere.callbackDeps,
      event({ sequence: 9, detail_type: "order.cancelled", occurred_at: iso(T0 + 5), correlation_id: "other" }),
    );
    const other = await dispatchCallback(w.callbackDeps, event({ id: "evt_booked_2" }));
    if (here === undefined || there === undefined || other === undefined) throw new Error("expected deliveries");

    expect(here.id).toBe(deliveryIdFor(e.id));
    expect(there.id).toBe(here.id);
    expect(there.webhookId).toBe(here.webhookId);
    expect(other.id).not.toBe(here.id);
    expect(other.webhookId).not.toBe(here.webhookId);
    expect(here.webhookId).not.toBe("");
  });

  test("deliveryIdFor: deterministic, and distinct events get distinct ids", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(deliveryIdFor(a)).toBe(deliveryIdFor(a));
        if (a !== b) expect(deliveryIdFor(a)).not.toBe(deliveryIdFor(b));
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// deliverCallback: one delivery
// ---------------------------------------------------------------------------------------------

describe("deliverCallback", () => {
  let w: World;
  const D = pending("dlv_D");
  beforeEach(() => {
    w = world([0, 2, 6]);
    w.store.seed(D);
  });

  test("2xx → delivered after one attempt, signed with the tenant's secrets, under its webhook-id", async () => {
    w.sender.script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });

    expect(w.sender.sent).toEqual([
      { deliveryId: D.id, webhookId: D.webhookId, body: D.body, secrets: secretsOf(D.tenantId), at: T0 },
    ]);
    const stored = w.store.get(D.id);
    expect(stored.status).toBe("delivered");
    expect(stored.attempts).toEqual([
      { number: 1, at: iso(T0), outcome: "delivered", status_code: 204, latency_ms: 12 },
    ]);
    expect(stored.version).toBe(D.version + 1);
    expect(stored.webhookId).toBe(D.webhookId);
  });

  test("400 → blocked, done, no retry", async () => {
    w.sender.script(D.id, BAD_REQUEST);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    const stored = w.store.get(D.id);
    expect(stored.status).toBe("blocked");
    expect(stored.attempts).toEqual([{ number: 1, at: iso(T0), outcome: "blocked", status_code: 400, latency_ms: 7 }]);
  });

  test("500 → pending, next attempt by the schedule; schedule used up → dead_lettered", async () => {
    w.sender.script(D.id, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR);

    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 2_000 });
    expect(w.store.get(D.id).status).toBe("pending");

    w.clock.set(T0 + 2_000);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 4_000 });
    expect(w.store.get(D.id).status).toBe("pending");

    w.clock.set(T0 + 6_000);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    const stored = w.store.get(D.id);
    expect(stored.status).toBe("dead_lettered");
    expect(
      stored.attempts.map((attempt) => [attempt.number, attempt.at, attempt.outcome, attempt.status_code]),
    ).toEqual([
      [1, iso(T0), "retry", 500],
      [2, iso(T0 + 2_000), "retry", 500],
      [3, iso(T0 + 6_000), "retry", 500],
    ]);
    expect(stored.version).toBe(D.version + 3);
    expect(w.sender.sent.map((sent) => sent.webhookId)).toEqual([D.webhookId, D.webhookId, D.webhookId]);
  });

  test("a late job still counts from the round's start (no drift)", async () => {
    w.sender.script(D.id, SERVER_ERROR);
    w.clock.set(T0 + 500);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 1_500 });
  });

  test("a Retry-After larger than the schedule wins", async () => {
    w.sender.script(D.id, retryAfter(10));
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 10_000 });
  });

  test("a Retry-After smaller than the schedule does not shorten it", async () => {
    w.sender.script(D.id, retryAfter(1));
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 2_000 });
  });

  test("a Retry-After does not extend a used-up schedule", async () => {
    w.store.seed(
      pending(D.id, {
        attempts: [
          { number: 1, at: iso(T0), outcome: "retry", status_code: 500, latency_ms: 1 },
          { number: 2, at: iso(T0 + 2_000), outcome: "retry", status_code: 500, latency_ms: 1 },
        ],
        version: 3,
      }),
    );
    w.sender.script(D.id, retryAfter(60));
    w.clock.set(T0 + 6_000);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    expect(w.store.get(D.id).status).toBe("dead_lettered");
  });

  test("a timeout (no status) is recorded with its error and no status code", async () => {
    w.sender.script(D.id, { outcome: "retry", error: "timeout after 10000 ms", latencyMs: 10_000.6 });
    await deliverCallback(w.deliverDeps, D.id);
    const [attempt] = w.store.get(D.id).attempts;
    expect(attempt).toStrictEqual({
      number: 1,
      at: iso(T0),
      outcome: "retry",
      error: "timeout after 10000 ms",
      latency_ms: 10_001,
    });
  });

  test.each<DeliveryStatus>(["delivered", "blocked", "dead_lettered"])(
    "a %s delivery is not sent again",
    async (status) => {
      const settled = pending(D.id, { status, version: 4 });
      w.store.seed(settled);
      w.sender.script(D.id, OK);
      expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
      expect(w.sender.sent).toEqual([]);
      expect(w.store.saves).toEqual([]);
      expect(w.store.get(D.id)).toEqual(settled);
    },
  );

  test("an unknown delivery is done without sending", async () => {
    expect(await deliverCallback(w.deliverDeps, "dlv_nope")).toEqual({ done: true });
    expect(w.sender.sent).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// deliverCallback: an order's deliveries go out in sequence
// ---------------------------------------------------------------------------------------------

describe("ordering within an order", () => {
  let w: World;
  const E = pending("dlv_E", { sequence: 2, eventType: "order.booked" });
  const D = pending("dlv_D", { sequence: 5, eventType: "order.issued" });
  /** Settled earlier deliveries of the same order: never resent. */
  const C = pending("dlv_C", { sequence: 1, status: "delivered" });
  const B = pending("dlv_B", { sequence: 0, status: "dead_lettered" });
  /** Pending, lower sequence, but other orders (same tenant, and same order id under another tenant). */
  const otherOrder = pending("dlv_X", { orderId: "ord_OTHER", sequence: 1 });
  const otherTenant = pending("dlv_Y", { tenantId: "tenant-b", sequence: 1 });

  beforeEach(() => {
    w = world([0, 2, 6]);
    // D stored before E, so the store's own order is not the sequence order.
    w.store.seed(otherOrder, D, C, otherTenant, E, B);
    for (const id of [otherOrder.id, otherTenant.id, C.id, B.id]) w.sender.script(id, OK);
  });

  const untouched = () => {
    for (const other of [otherOrder, otherTenant, C, B]) expect(w.store.get(other.id)).toEqual(other);
    expect(w.sender.sentIds).not.toContain(otherOrder.id);
    expect(w.sender.sentIds).not.toContain(otherTenant.id);
    expect(w.store.saves.map((save) => save.id)).not.toContain(otherOrder.id);
    expect(w.store.saves.map((save) => save.id)).not.toContain(otherTenant.id);
  };

  test("D's job sends the earlier pending E first, then D", async () => {
    w.sender.script(E.id, OK).script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    expect(w.sender.sentIds).toEqual([E.id, D.id]);
    expect(w.store.get(E.id).status).toBe("delivered");
    expect(w.store.get(D.id).status).toBe("delivered");
    untouched();
  });

  test("several earlier pending deliveries go out oldest event first, whatever the store's order", async () => {
    const F = pending("dlv_F", { sequence: 3, eventType: "order.issued" });
    w.store.seed(F);
    w.sender.script(E.id, OK).script(F.id, OK).script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    expect(w.sender.sentIds).toEqual([E.id, F.id, D.id]);
    untouched();
  });

  test("when E needs a retry, the job waits for E's delay and D is not sent", async () => {
    // E already failed once at T0; its second attempt (now, T0+1 s) is due again at T0+6 s.
    const e1 = pending(E.id, {
      sequence: 2,
      attempts: [{ number: 1, at: iso(T0), outcome: "retry", status_code: 500, latency_ms: 3 }],
      version: 2,
    });
    w.store.seed(e1);
    w.clock.set(T0 + 1_000);
    w.sender.script(E.id, SERVER_ERROR).script(D.id, OK);

    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: false, retryInMs: 5_000 });
    expect(w.sender.sentIds).toEqual([E.id]);
    expect(w.store.get(D.id)).toEqual(D);
    expect(w.store.get(E.id).attempts).toHaveLength(2);
    untouched();
  });

  test("an earlier delivery that settles for good (blocked) does not hold D back", async () => {
    w.sender.script(E.id, BAD_REQUEST).script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, D.id)).toEqual({ done: true });
    expect(w.sender.sentIds).toEqual([E.id, D.id]);
    expect(w.store.get(E.id).status).toBe("blocked");
    untouched();
  });

  test("E's own job does not wait for, or send, the later D", async () => {
    w.sender.script(E.id, OK).script(D.id, OK);
    expect(await deliverCallback(w.deliverDeps, E.id)).toEqual({ done: true });
    expect(w.sender.sentIds).toEqual([E.id]);
    expect(w.store.get(D.id)).toEqual(D);
    untouched();
  });

  test("a lost version race on the delivery itself returns done", async () => {
    const alone = world([0, 2, 6]);
    alone.store.seed(D);
    alone.store.loseNextSave.add(D.id);
    alone.sender.script(D.id, SERVER_ERROR);
    expect(await deliverCallback(alone.deliverDeps, D.id)).toEqual({ done: true });
    expect(alone.sender.sentIds).toEqual([D.id]);
    expect(alone.store.saves).toEqual([{ id: D.id, ok: false }]);
    // The other writer's version stands; this job's attempt was not written over it.
    expect(alone.store.get(D.id).attempts).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// replayCallback
// ---------------------------------------------------------------------------------------------

describe("replayCallback", () => {
  let w: World;
  const DEAD = pending("dlv_DEAD", {
    status: "dead_lettered",
    attempts: [
      { number: 1, at: iso(T0), outcome: "retry", status_code: 500, latency_ms: 5 },
      { number: 2, at: iso(T0 + 2_000), outcome: "retry", status_code: 500, latency_ms: 5 },
      { number: 3, at: iso(T0 + 6_000), outcome: "retry", status_code: 500, latency_ms: 5 },
    ],
    updatedAt: iso(T0 + 6_000),
    version: 4,
  });

  beforeEach(() => {
    w = world([0, 2, 6]);
    w.store.seed(DEAD);
  });

  test("another tenant's delivery → AVF_404_NOT_FOUND, nothing changed or queued", async () => {
    const error = await rejectionOf(replayCallback(w.callbackDeps, "tenant-b", DEAD.id));
    expect(error.code).toBe("AVF_404_NOT_FOUND");
    expect(error.status).toBe(404);
    expect(w.store.get(DEAD.id)).toEqual(DEAD);
    expect(w.store.saves).toEqual([]);
    expect(w.queue.jobs).toEqual([]);
  });

  test("an unknown delivery → AVF_404_NOT_FOUND", async () => {
    const error = await rejectionOf(replayCallback(w.callbackDeps, DEAD.tenantId, "dlv_nope"));
    expect(error.code).toBe("AVF_404_NOT_FOUND");
  });

  test("a pending delivery → 409 AVF_409_INVALID_STATE", async () => {
    const busy = pending("dlv_BUSY");
    w.store.seed(busy);
    const error = await rejectionOf(replayCallback(w.callbackDeps, busy.tenantId, busy.id));
    expect(error.code).toBe("AVF_409_INVALID_STATE");
    expect(error.status).toBe(409);
    expect(w.store.get(busy.id)).toEqual(busy);
    expect(w.queue.jobs).toEqual([]);
  });

  test("a dead-lettered delivery becomes pending in a new round, same webhook-id, queued as <id>-r1", async () => {
    const replayAt = T0 + 100_000;
    w.clock.set(replayAt);
    const next = await replayCallback(w.callbackDeps, DEAD.tenantId, DEAD.id);

    expect(next).toEqual({
      ...DEAD,
      status: "pending",
      replays: 1,
      roundStartedAt: iso(replayAt),
      roundFirstAttempt: 3,
      updatedAt: iso(replayAt),
      version: DEAD.version + 1,
    });
    expect(next.webhookId).toBe(DEAD.webhookId);
    expect(w.store.get(DEAD.id)).toEqual(next);
    expect(w.queue.jobs).toEqual([{ deliveryId: DEAD.id, orderId: DEAD.orderId, dedupId: `${DEAD.id}-r1` }]);
  });

  test("after a replay the schedule counts from the replay, and runs out again", async () => {
    const replayAt = T0 + 100_000;
    w.clock.set(replayAt);
    await replayCallback(w.callbackDeps, DEAD.tenantId, DEAD.id);
    w.sender.script(DEAD.id, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR);

    expect(await deliverCallback(w.deliverDeps, DEAD.id)).toEqual({ done: false, retryInMs: 2_000 });
    w.clock.set(replayAt + 2_000);
    expect(await deliverCallback(w.deliverDeps, DEAD.id)).toEqual({ done: false, retryInMs: 4_000 });
    w.clock.set(replayAt + 6_000);
    expect(await deliverCallback(w.deliverDeps, DEAD.id)).toEqual({ done: true });

    const stored = w.store.get(DEAD.id);
    expect(stored.status).toBe("dead_lettered");
    expect(stored.attempts.map((attempt) => attempt.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(w.sender.sent.map((sent) => sent.webhookId))).toEqual(new Set([DEAD.webhookId]));

    // A second replay gets its own dedup id.
    w.clock.set(replayAt + 60_000);
    const again = await replayCallback(w.callbackDeps, DEAD.tenantId, DEAD.id);
    expect(again.replays).toBe(2);
    expect(again.roundFirstAttempt).toBe(6);
    expect(w.queue.jobs.map((job) => job.dedupId)).toEqual([`${DEAD.id}-r1`, `${DEAD.id}-r2`]);
  });

  test("end to end: dispatched, dead-lettered, replayed, delivered under one webhook-id", async () => {
    const e = event({ detail_type: "order.issued", sequence: 4 });
    const created = await dispatchCallback(w.callbackDeps, e);
    if (created === undefined) throw new Error("expected a delivery");
    w.sender.script(created.id, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR, OK);
    for (const at of [0, 2_000, 6_000]) {
      w.clock.set(T0 + at);
      await deliverCallback(w.deliverDeps, created.id);
    }
    expect(w.store.get(created.id).status).toBe("dead_lettered");

    w.clock.set(T0 + 3_600_000);
    await replayCallback(w.callbackDeps, e.tenant_id, created.id);
    expect(await deliverCallback(w.deliverDeps, created.id)).toEqual({ done: true });

    const stored = w.store.get(created.id);
    expect(stored.status).toBe("delivered");
    expect(stored.attempts).toHaveLength(4);
    expect(w.sender.sent.map((sent) => sent.webhookId)).toEqual(Array(4).fill(created.webhookId));
    expect(w.queue.jobs.map((job) => job.dedupId)).toEqual([created.id, `${created.id}-r1`]);
  });
});

// ---------------------------------------------------------------------------------------------
// Domain: the retry schedule
// ---------------------------------------------------------------------------------------------

describe("parseRetrySchedule", () => {
  test("accepts the CONTRACT default", () => {
    const text = "0,2,6,12,20,30,45,65,90,120,155,195,235,270,300";
    expect(parseRetrySchedule(text)).toEqual([0, 2, 6, 12, 20, 30, 45, 65, 90, 120, 155, 195, 235, 270, 300]);
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE_S.join(","))).toEqual([...DEFAULT_RETRY_SCHEDULE_S]);
  });

  test("accepts spaces, a single entry and repeated entries", () => {
    expect(parseRetrySchedule(" 0, 2 ,6 ")).toEqual([0, 2, 6]);
    expect(parseRetrySchedule("5")).toEqual([5]);
    expect(parseRetrySchedule("0,0,3,3")).toEqual([0, 0, 3, 3]);
  });

  test.each(["0,6,2", "10,0", "0,-1,2", "-1", "0,abc,6", "0,2,six", "NaN", "0,Infinity", "1;2;3"])(
    "rejects %j",
    (text) => {
      expect(() => parseRetrySchedule(text)).toThrow(/not a retry schedule/);
    },
  );

  test("any non-decreasing list of non-negative seconds round-trips", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 100_000 }), { minLength: 1, maxLength: 30 }), (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        expect(parseRetrySchedule(sorted.join(","))).toEqual(sorted);
      }),
    );
  });

  test("any list with a decrease, or a negative entry, is rejected", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1_000, max: 1_000 }), { minLength: 1, maxLength: 20 }), (values) => {
        const decreases = values.some((value, index) => index > 0 && value < (values[index - 1] ?? 0));
        const negative = values.some((value) => value < 0);
        fc.pre(decreases || negative);
        expect(() => parseRetrySchedule(values.join(","))).toThrow();
      }),
    );
  });

  // BUG: Number("") is 0, so an empty entry passes as 0 seconds: "0,,6" parses as [0, 0, 6] and
  // ",2,6" as [0, 2, 6]. A typo in CALLBACK_RETRY_SCHEDULE_S is silently accepted as an extra attempt.
  test("rejects an empty entry (BUG: parsed as 0)", () => {
    expect(() => parseRetrySchedule("0,,6")).toThrow(/not a retry schedule/);
  });

  // BUG: the same cause: CALLBACK_RETRY_SCHEDULE_S="" (set but empty; zod's default only covers an
  // unset variable) parses as [0] — one attempt, then every callback is dead-lettered — instead of failing loudly.
  test("rejects an empty or blank setting (BUG: parsed as [0])", () => {
    expect(() => parseRetrySchedule("")).toThrow(/not a retry schedule/);
    expect(() => parseRetrySchedule("  ")).toThrow(/not a retry schedule/);
  });
});

describe("nextAttemptDelayMs", () => {
  test("the example of the schedule [0,2,6]", () => {
    expect(nextAttemptDelayMs([0, 2, 6], 1, T0, T0)).toBe(2_000);
    expect(nextAttemptDelayMs([0, 2, 6], 2, T0, T0 + 2_000)).toBe(4_000);
    expect(nextAttemptDelayMs([0, 2, 6], 3, T0, T0 + 6_000)).toBeUndefined();
    expect(nextAttemptDelayMs([0, 2, 6], 1, T0, T0, 10)).toBe(10_000);
    expect(nextAttemptDelayMs([0, 2, 6], 1, T0, T0, 1)).toBe(2_000);
    expect(nextAttemptDelayMs([0, 2, 6], 2, T0, T0 + 60_000)).toBe(0);
  });

  const scheduleArb = fc
    .array(fc.nat({ max: 3_600 }), { maxLength: 20 })
    .map((values) => [...values].sort((a, b) => a - b));
  const retryAfterArb = fc.option(fc.oneof(fc.nat({ max: 86_400 }), fc.double({ min: 0, max: 86_400, noNaN: true })), {
    nil: undefined,
  });

  test("never negative, undefined exactly when the round is used up, never before Retry-After", () => {
    fc.assert(
      fc.property(
        scheduleArb,
        fc.nat({ max: 25 }),
        fc.integer({ min: T0 - 86_400_000, max: T0 + 86_400_000 }),
        fc.integer({ min: -60_000, max: 7_200_000 }),
        retryAfterArb,
        (schedule, attemptsInRound, roundStartedAt, elapsed, retryAfterSeconds) => {
          const delay = nextAttemptDelayMs(
            schedule,
            attemptsInRound,
            roundStartedAt,
            roundStartedAt + elapsed,
            retryAfterSeconds,
          );
          expect(delay === undefined).toBe(attemptsInRound >= schedule.length);
          if (delay === undefined) return;
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeGreaterThanOrEqual((retryAfterSeconds ?? 0) * 1_000);
        },
      ),
    );
  });

  test("without Retry-After: the time left until round start + schedule[attemptsInRound] s, or 0 when past", () => {
    fc.assert(
      fc.property(
        scheduleArb.filter((schedule) => schedule.length > 0),
        fc.nat(),
        fc.integer({ min: -60_000, max: 7_200_000 }),
        (schedule, pick, elapsed) => {
          const attemptsInRound = pick % schedule.length;
          const due = T0 + (schedule[attemptsInRound] ?? 0) * 1_000;
          expect(nextAttemptDelayMs(schedule, attemptsInRound, T0, T0 + elapsed)).toBe(
            Math.max(0, due - (T0 + elapsed)),
          );
        },
      ),
    );
  });
});
