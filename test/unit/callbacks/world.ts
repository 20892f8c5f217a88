import type { Delivery } from "../../../functions/domain/delivery";
import { AvfError } from "../../../functions/domain/errors";
import type { Order } from "../../../functions/domain/order";
import type { CallbackDeps, DeliverDeps } from "../../../functions/use-cases/callbacks";
import type {
  CallbackAttemptResult,
  CallbackQueue,
  CallbackSender,
  CallbackTarget,
  DeliveryStore,
  OrderEvent,
  OrderRepository,
  OrderSummary,
  WebhookSecrets,
} from "../../../functions/use-cases/ports";
import { deepFreeze, sampleOrder } from "../fixtures";

export const T0 = Date.UTC(2031, 2, 10, 8, 0, 0);
export const iso = (ms: number): string => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------
// In-memory fakes of the ports
// ---------------------------------------------------------------------------------------------

/** Deliveries by id; `save` is conditional on the stored version, like the DynamoDB adapter. */
export class FakeDeliveryStore implements DeliveryStore {
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

export type Job = Parameters<CallbackQueue["enqueue"]>[0];

export class RecordingQueue implements CallbackQueue {
  readonly jobs: Job[] = [];
  async enqueue(job: Job): Promise<void> {
    this.jobs.push({ ...job });
  }
}

export interface Sent {
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly body: string;
  readonly secrets: readonly string[];
  readonly at: number;
}

/** Answers each delivery from its own script, in turn; records what it was asked to send. */
export class ScriptedSender implements CallbackSender {
  readonly sent: Sent[] = [];
  private readonly scripts = new Map<string, CallbackAttemptResult[]>();

  script(deliveryId: string, ...results: CallbackAttemptResult[]): this {
    this.scripts.set(deliveryId, [...(this.scripts.get(deliveryId) ?? []), ...results]);
    return this;
  }

  async send(
    delivery: CallbackTarget,
    body: string,
    signingSecrets: readonly string[],
    at: Date,
  ): Promise<CallbackAttemptResult> {
    this.sent.push({
      deliveryId: delivery.id,
      webhookId: delivery.webhookId,
      body,
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

export const secretsOf = (tenantId: string): string[] => [`whsec_new_${tenantId}`, `whsec_old_${tenantId}`];

export class FakeSecrets implements WebhookSecrets {
  readonly asked: string[] = [];
  async secretsOf(tenantId: string): Promise<string[]> {
    this.asked.push(tenantId);
    return secretsOf(tenantId);
  }
}

export class FakeClock {
  constructor(public ms: number = T0) {}
  readonly now = (): Date => new Date(this.ms);
  set(ms: number): void {
    this.ms = ms;
  }
}

/** Stored orders by (tenant, id): what the dispatcher checks events against and attempts build bodies from. */
export class FakeOrders implements Pick<OrderRepository, "get" | "summary"> {
  readonly rows = new Map<string, Order>();
  constructor(...orders: Order[]) {
    for (const order of orders) this.put(order);
  }
  put(order: Order): void {
    this.rows.set(`${order.tenantId}/${order.id}`, order);
  }
  async get(tenantId: string, orderId: string): Promise<Order | undefined> {
    return this.rows.get(`${tenantId}/${orderId}`);
  }
  async summary(tenantId: string, orderId: string): Promise<OrderSummary | undefined> {
    const order = await this.get(tenantId, orderId);
    return order === undefined ? undefined : summaryOf(order);
  }
}

/** What the repository's summary reads of a stored order. */
export const summaryOf = (order: Order): OrderSummary => ({
  tenantId: order.tenantId,
  orderId: order.id,
  status: order.status,
  version: order.version,
  history: order.history,
  ...(order.callbackUrl === undefined ? {} : { callbackUrl: order.callbackUrl }),
});

export interface World {
  readonly store: FakeDeliveryStore;
  readonly queue: RecordingQueue;
  readonly sender: ScriptedSender;
  readonly secrets: FakeSecrets;
  readonly clock: FakeClock;
  readonly orders: FakeOrders;
  readonly callbackDeps: CallbackDeps;
  readonly deliverDeps: DeliverDeps;
}

export const world = (schedule: readonly number[] = [0, 2, 6]): World => {
  const store = new FakeDeliveryStore();
  const queue = new RecordingQueue();
  const sender = new ScriptedSender();
  const secrets = new FakeSecrets();
  const clock = new FakeClock();
  const orders = new FakeOrders(ORDER);
  return {
    store,
    queue,
    sender,
    secrets,
    clock,
    orders,
    callbackDeps: { deliveries: store, queue, orders, now: clock.now },
    deliverDeps: { deliveries: store, orders, sender, secrets, schedule, now: clock.now },
  };
};

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

export const ORDER: Order = sampleOrder(iso(T0 - 60_000), {
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

export const event = (overrides: Partial<OrderEvent> = {}, order: Order = ORDER): OrderEvent =>
  deepFreeze({
    id: "evt_booked_1",
    sequence: 2,
    position: 0,
    detail_type: "order.booked",
    occurred_at: iso(T0 - 1_000),
    tenant_id: order.tenantId,
    order_id: order.id,
    correlation_id: "corr-1",
    order_status: order.status,
    ...overrides,
  });

const MOVES: Record<string, readonly Order["status"][]> = {
  "order.booked": ["PENDING", "BOOKED"],
  "order.issued": ["PENDING", "BOOKED", "ISSUING", "ISSUED"],
  "order.failed": ["PENDING", "FAILED"],
  "order.cancelled": ["PENDING", "BOOKED", "CANCELLED"],
};

/** ORDER after the moves that end in the status `type` announces (its version = its moves). */
export const orderAfter = (type: string, overrides: Partial<Order> = {}): Order => {
  const statuses = MOVES[type] ?? ["PENDING"];
  return {
    ...ORDER,
    status: statuses[statuses.length - 1] ?? "PENDING",
    history: statuses.map((status, index) => ({ status, at: iso(T0 - 60_000 + index * 1_000) })),
    version: statuses.length,
    ...overrides,
  };
};

/** The event of `order`'s last move, as the order's own outbox would have carried it. */
export const eventOf = (type: string, order: Order, overrides: Partial<OrderEvent> = {}): OrderEvent =>
  event({ detail_type: type, sequence: order.version, ...overrides }, order);

export const CALLBACK_TYPES = ["order.booked", "order.issued", "order.failed", "order.cancelled"] as const;

/** A pending delivery of ORDER, created at T0, no attempts yet. */
export const pending = (id: string, overrides: Partial<Delivery> = {}): Delivery => ({
  id,
  tenantId: ORDER.tenantId,
  orderId: ORDER.id,
  eventType: "order.booked",
  sequence: 2,
  webhookId: `msg_${id}`,
  url: "https://partner.example.com/hooks/aviaframe",
  occurredAt: iso(T0),
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

export const OK: CallbackAttemptResult = { outcome: "delivered", status: 204, latencyMs: 12.4 };
export const BAD_REQUEST: CallbackAttemptResult = { outcome: "blocked", status: 400, latencyMs: 7 };
export const SERVER_ERROR: CallbackAttemptResult = { outcome: "retry", status: 500, latencyMs: 31 };
export const retryAfter = (seconds: number): CallbackAttemptResult => ({
  outcome: "retry",
  status: 503,
  latencyMs: 9,
  retryAfterSeconds: seconds,
});

/** What `promise` rejected with; fails the test when it resolved. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<AvfError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AvfError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
};
