/**
 * Disruptions through the local runtime (issue #12): airline schedule changes learnt from
 * DRCT's signed notification and from the sweep, accepted or rejected; flight status shared
 * across tenants; delays and cancellations of booked flights as order.flight_disrupted.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { signDrctNotification } from "../../functions/domain/drct-notification";
import { LOCAL_DRCT_NOTIFICATION_SECRET, SEED_TENANTS, testTenant } from "../../lib/local/seed";
import { API_KEYS, type FareNeeds, isoDay, searchBody, sleep, useLocalRuntime } from "./harness";

const INTERVAL_S = 2;

// Each test books at DRCT's pace (a search a second) and waits on workflows: generous on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

interface Segment {
  origin: string;
  destination: string;
  departs_at: string;
  arrives_at: string;
  carrier: string;
  flight_number: string;
  operating_carrier?: string;
}

interface ScheduleChange {
  id: string;
  detected_at: string;
  old_segments: Segment[];
  new_segments: Segment[];
  status: string;
}

interface Order {
  id: string;
  status: string;
  drct_order_id?: string;
  price: { total: number; currency: string };
  segments?: Segment[];
  schedule_changes?: ScheduleChange[];
  refunds?: { passenger_id: string; amount: number; currency: string; reference: string }[];
  cancellation?: { penalty: number; refund_reference?: string };
  disruptions?: { carrier: string; flight_number: string; kind: string; delay_minutes?: number }[];
}

interface SimStats {
  calls: Record<string, number>;
  rate_limit_violations: number;
  notifications: { attempts: number; delivered: number; failed: number };
}

const received: { path: string; headers: Record<string, string>; body: string }[] = [];
let receiver: Server;
let receiverUrl = "";

beforeAll(async () => {
  receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        path: req.url ?? "/",
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const TENANTS = ["d1", "d2", "d3"].map((name) => testTenant(name, { plan: "premium" }));

const api = useLocalRuntime({
  env: {
    CALLBACK_ALLOW_PRIVATE: "true",
    CALLBACK_RETRY_SCHEDULE_S: "0,1,2",
    RECONCILE_INTERVAL_S: String(INTERVAL_S),
    RECONCILE_AFTER_S: "1",
  },
  extraTenants: TENANTS,
});

const webhook = new Webhook(SEED_TENANTS[0]?.webhookSecret ?? "");

const passenger = (given: string) => ({
  type: "adult",
  given_name: given,
  family_name: "Traveller",
  birth_date: "1988-02-03",
  gender: "female",
  document: { type: "passport", number: "X9988776", issuing_country: "FR", nationality: "FR", expires_on: isoDay(900) },
});

/**
 * Books an offer of the test's own route, with callbacks to `/<destination>` on the receiver;
 * `beforeBooking` sees the offer first (to set its flight's status at DRCT).
 */
const book = async (
  destination: string,
  fare: FareNeeds = {},
  options: {
    departure?: string;
    passengers?: number;
    beforeBooking?: (segments: Segment[]) => Promise<void>;
  } = {},
): Promise<Order> => {
  await sleep(1_150);
  const count = options.passengers ?? 1;
  const offer = await api.offerWith(
    API_KEYS.a,
    fare,
    searchBody({
      origin: "MRS",
      destination,
      departure_date: options.departure ?? isoDay(40),
      passengers: { adults: count },
    }),
  );
  await options.beforeBooking?.(offer.segments as unknown as Segment[]);
  const created = await api.call<Order>("/public/orders", {
    body: {
      offer_id: offer.id,
      passengers: Array.from({ length: count }, (_, index) => passenger(["Ana", "Bea", "Cleo"][index] ?? "Dora")),
      contact: { email: "d@example.com", phone: "+33491000000" },
      callback_url: `${receiverUrl}/${destination}`,
    },
    headers: { "idempotency-key": randomUUID() },
  });
  // 202 when DRCT's answer takes longer than the create waits (a loaded machine): it settles soon after.
  expect([201, 202], JSON.stringify(created.body)).toContain(created.status);
  const booked = await waitFor(
    () => getOrder(created.body.id),
    (o) => o.status !== "PENDING" && o.status !== "PENDING_RECONCILE",
    20_000,
  );
  expect(booked.status).toBe("BOOKED");
  return booked;
};

const getOrder = async (id: string): Promise<Order> => (await api.call<Order>(`/public/orders/${id}`)).body;

const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
};

const changesOf = async (id: string) => (await getOrder(id)).schedule_changes ?? [];

const callbacksOf = (destination: string, type: string) =>
  received
    .filter((callback) => callback.path === `/${destination}`)
    .map((callback) => ({ callback, event: JSON.parse(callback.body) as { type: string; data: { order: Order } } }))
    .filter(({ event }) => event.type === type);

const stats = () => api.sim<SimStats>("/__sim/stats");

/** A notification as DRCT sends it, signed with the local notification secret unless told otherwise. */
const notify = (body: unknown, signature?: string | null, timestamp = Math.floor(Date.now() / 1000)) => {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== null) {
    headers["drct-signature"] = signature ?? signDrctNotification(LOCAL_DRCT_NOTIFICATION_SECRET, timestamp, raw);
  }
  return api.call<{ error?: { code: string } }>("/drct/notifications", { key: null, rawBody: raw, headers });
};

describe("schedule changes", () => {
  test("DRCT's notification brings a change onto the order within 2 s, with a signed callback; seen again, it is recorded once", async () => {
    const order = await book("LYS");
    expect(order.segments?.length).toBeGreaterThan(0);
    const move = (minutes: number) =>
      api.sim<{ changed: { order_id: string; change_id: string }[] }>("/__sim/schedule-change", {
        drct_order_id: order.drct_order_id,
        minutes,
      });
    // A first change starts the functions on the way (a cold start costs seconds locally); the
    // second one is timed, as a running gateway meets it.
    await move(-15);
    const [warmUp] = await waitFor(
      () => changesOf(order.id),
      (list) => list.length > 0,
      15_000,
    );
    expect(warmUp?.status).toBe("pending");
    const before = (await stats()).notifications.delivered;

    const started = Date.now();
    const moved = await move(95);
    expect(moved.changed).toHaveLength(1);
    const changes = await waitFor(
      () => changesOf(order.id),
      (list) => list.length > 1,
      5_000,
    );
    expect(changes).toHaveLength(2);
    const change = changes[1];
    // On the order (detected and written) within 2 s of the airline's move; reading it back is the test's own time.
    expect(Date.parse(change?.detected_at ?? "") - started).toBeLessThan(2_000);
    expect(change?.id).toMatch(/^sch_/);
    expect(change?.status).toBe("pending");
    expect(change?.old_segments).toEqual(warmUp?.new_segments);
    const shift = (segment: Segment | undefined) => Date.parse(segment?.departs_at ?? "");
    expect(shift(change?.new_segments[0]) - shift(change?.old_segments[0])).toBe(95 * 60_000);
    expect((await getOrder(order.id)).segments).toEqual(change?.new_segments);
    expect((await stats()).notifications.delivered).toBeGreaterThan(before);

    const callbacks = await waitFor(
      async () => callbacksOf("LYS", "order.schedule_changed"),
      (list) => list.length > 1,
      2_000,
    );
    expect(callbacks).toHaveLength(2);
    const last = callbacks[1];
    expect(() => webhook.verify(last?.callback.body ?? "", last?.callback.headers ?? {})).not.toThrow();
    expect(last?.event.data.order.schedule_changes?.[1]).toEqual(change);

    // The same change again: DRCT retrying its notification, then the sweep reading the order.
    const again = await notify({
      id: `ntf_${randomUUID()}`,
      type: "order.schedule_changed",
      created_at: new Date().toISOString(),
      data: { order_id: order.drct_order_id, change_id: moved.changed[0]?.change_id },
    });
    expect(again.status).toBe(202);
    await api.runtime.reconcileNow();
    await sleep(300);
    expect(await changesOf(order.id)).toHaveLength(2);
    expect(callbacksOf("LYS", "order.schedule_changed")).toHaveLength(2);
  });

  test("with DRCT's notifications off, the sweep finds the change within 3 × RECONCILE_INTERVAL_S", async () => {
    const order = await book("TLS");
    await api.sim("/__sim/notifications", { enabled: false });
    try {
      const started = Date.now();
      await api.sim("/__sim/schedule-change", { drct_order_id: order.drct_order_id, minutes: -40 });
      const changes = await waitFor(
        () => changesOf(order.id),
        (list) => list.length > 0,
        3 * INTERVAL_S * 1000,
      );
      expect(changes).toHaveLength(1);
      expect(Date.now() - started).toBeLessThanOrEqual(3 * INTERVAL_S * 1000);
      const callbacks = await waitFor(
        async () => callbacksOf("TLS", "order.schedule_changed"),
        (list) => list.length > 0,
        2_000,
      );
      expect(callbacks).toHaveLength(1);
    } finally {
      await api.sim("/__sim/notifications", { enabled: true });
    }
  });

  test("accept keeps the new times and is acknowledged at DRCT; again it changes nothing; a rejection after it is refused", async () => {
    const order = await book("NTE");
    await api.sim("/__sim/schedule-change", { drct_order_id: order.drct_order_id, minutes: 30 });
    const [change] = await waitFor(
      () => changesOf(order.id),
      (list) => list.length > 0,
      5_000,
    );
    const acks = (await stats()).calls.schedule_change_ack ?? 0;

    const accepted = await api.call<Order>(`/public/orders/${order.id}/schedule-changes/${change?.id}/accept`, {
      method: "POST",
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe("BOOKED");
    expect(accepted.body.schedule_changes?.[0]?.status).toBe("accepted");
    expect(accepted.body.segments).toEqual(change?.new_segments);
    expect((await stats()).calls.schedule_change_ack).toBe(acks + 1);

    const again = await api.call<Order>(`/public/orders/${order.id}/schedule-changes/${change?.id}/accept`, {
      method: "POST",
    });
    expect(again.status).toBe(200);
    expect(again.body.schedule_changes?.[0]?.status).toBe("accepted");

    const rejected = await api.call<{ error: { code: string } }>(
      `/public/orders/${order.id}/schedule-changes/${change?.id}/reject`,
      { body: {}, headers: { "idempotency-key": randomUUID() } },
    );
    expect(rejected.status).toBe(409);
    expect(rejected.body.error.code).toBe("AVF_409_INVALID_STATE");

    const unknown = await api.call<{ error: { code: string } }>(
      `/public/orders/${order.id}/schedule-changes/sch_00000000000000000000/accept`,
      { method: "POST" },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("AVF_404_SCHEDULE_CHANGE_NOT_FOUND");
    const otherTenant = await api.call(`/public/orders/${order.id}/schedule-changes/${change?.id}/accept`, {
      method: "POST",
      key: API_KEYS.b,
    });
    expect(otherTenant.status).toBe(404);
  });

  test("reject cancels an issued non-refundable order with a full refund, once", async () => {
    const order = await book("BOD", { refundable: false }, { passengers: 3 });
    const issue = await api.call<Order>(`/public/orders/${order.id}/issue`, {
      body: { payment: { type: "external", reference: "INV-D" } },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(issue.status).toBe(202);
    const issued = await waitFor(
      () => getOrder(order.id),
      (o) => o.status === "ISSUED",
      10_000,
    );
    expect(issued.status).toBe("ISSUED");
    await api.sim("/__sim/schedule-change", { drct_order_id: order.drct_order_id, minutes: 180 });
    const [change] = await waitFor(
      () => changesOf(order.id),
      (list) => list.length > 0,
      5_000,
    );
    const path = `/public/orders/${order.id}/schedule-changes/${change?.id}/reject`;

    const noKey = await api.call<{ error: { code: string } }>(path, { body: {} });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.code).toBe("AVF_400_IDEMPOTENCY_KEY_REQUIRED");

    const key = randomUUID();
    const rejected = await api.call<Order>(path, {
      body: { reason: "cannot fly later" },
      headers: { "idempotency-key": key },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe("CANCELLED");
    expect(rejected.body.cancellation?.penalty).toBe(0);
    expect(rejected.body.schedule_changes?.[0]?.status).toBe("rejected");
    expect(rejected.body.refunds).toHaveLength(3);
    expect(rejected.body.refunds?.reduce((sum, refund) => sum + refund.amount, 0)).toBe(order.price.total);

    const replay = await api.call<Order>(path, {
      body: { reason: "cannot fly later" },
      headers: { "idempotency-key": key },
    });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const anotherKey = await api.call<Order>(path, { body: {}, headers: { "idempotency-key": randomUUID() } });
    expect(anotherKey.status).toBe(200);
    expect(anotherKey.body.status).toBe("CANCELLED");
    expect((await stats()).calls.cancel).toBeGreaterThan(0);
    const cancelled = await waitFor(
      async () => callbacksOf("BOD", "order.cancelled"),
      (list) => list.length > 0,
      2_000,
    );
    expect(cancelled).toHaveLength(1);
  });

  test("a forged, unsigned or replayed notification is refused with 401 and queues nothing", async () => {
    const order = await book("BIA");
    const body = {
      id: `ntf_${randomUUID()}`,
      type: "order.schedule_changed",
      created_at: new Date().toISOString(),
      data: { order_id: order.drct_order_id, change_id: "SC1" },
    };
    const consumer = api.runtime.functions.get("Consumer-scheduleChanges");
    const consumed = consumer.record.invocations;
    const now = Math.floor(Date.now() / 1000);
    const forged = signDrctNotification("not-the-secret", now, JSON.stringify(body));
    const refusals = [
      await notify(body, null),
      await notify(body, forged),
      await notify(body, "t=abc,v1=zz"),
      await notify(body, undefined, now - 3_600),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(401);
      expect(refusal.body.error?.code).toBe("AVF_401_UNAUTHORIZED");
    }
    const malformed = await notify({ id: "x", type: "something.else", data: {} });
    expect(malformed.status).toBe(400);
    await sleep(1_000);
    expect(consumer.record.invocations).toBe(consumed);
    // The same notification signed with DRCT's secret is queued and read (the check above could fail).
    expect((await notify(body)).status).toBe(202);
    const after = await waitFor(
      async () => consumer.record.invocations,
      (count) => count > consumed,
      10_000,
    );
    expect(after).toBeGreaterThan(consumed);
    // DRCT itself has no change for this booking: the order stays as it was.
    expect((await getOrder(order.id)).schedule_changes ?? []).toHaveLength(0);
  });
});

interface FlightStatus {
  carrier: string;
  flight_number: string;
  date: string;
  status: string;
  delay_minutes?: number;
  departure: { airport: string; scheduled: string; estimated?: string };
  arrival: { airport: string; scheduled: string };
}

const statusPath = (segment: Segment) =>
  `/public/flights/status?carrier=${segment.carrier}&flight_number=${segment.flight_number}&date=${segment.departs_at.slice(0, 10)}`;

describe("flight status", () => {
  test("what the simulator set is returned; 100 concurrent reads of one flight from 5 tenants make ≤ 1 DRCT call", async () => {
    await sleep(1_150);
    const offer = await api.offerWith(API_KEYS.a, {}, searchBody({ origin: "MRS", destination: "GVA" }));
    const [segment] = offer.segments as unknown as Segment[];
    if (segment === undefined) throw new Error("an offer without segments");
    const date = segment.departs_at.slice(0, 10);
    await api.sim("/__sim/flight-status", {
      carrier: segment.carrier,
      flight_number: segment.flight_number,
      date,
      status: "delayed",
      delay_minutes: 45,
    });
    const keys = [API_KEYS.a, API_KEYS.b, ...TENANTS.map((tenant) => tenant.apiKey)];
    const before = (await stats()).calls.flight_status ?? 0;
    const reads = await Promise.all(
      Array.from({ length: 100 }, (_, index) => api.call<FlightStatus>(statusPath(segment), { key: keys[index % 5] })),
    );
    expect(((await stats()).calls.flight_status ?? 0) - before).toBeLessThanOrEqual(1);
    for (const read of reads) {
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ carrier: segment.carrier, date, status: "delayed", delay_minutes: 45 });
      expect(read.body.departure.airport).toBe(segment.origin);
      expect(Date.parse(read.body.departure.estimated ?? "") - Date.parse(read.body.departure.scheduled)).toBe(
        45 * 60_000,
      );
    }
    expect((await stats()).rate_limit_violations).toBe(0);
  });

  test("an unknown flight is 404 AVF_404_FLIGHT_NOT_FOUND; bad input is a 400 envelope", async () => {
    const unknown = await api.call<{ error: { code: string } }>(
      `/public/flights/status?carrier=ZZ&flight_number=9999&date=${isoDay(20)}`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("AVF_404_FLIGHT_NOT_FOUND");
    for (const query of [
      "carrier=lh&flight_number=1&date=2027-01-01",
      "carrier=LH&date=2027-01-01",
      "carrier=LH&flight_number=1&date=2027-02-30",
    ]) {
      const bad = await api.call<{ error: { code: string } }>(`/public/flights/status?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error.code).toBe("AVF_400_VALIDATION");
    }
    expect(
      (await api.call(`/public/flights/status?carrier=LH&flight_number=1&date=${isoDay(2)}`, { key: null })).status,
    ).toBe(401);
  });

  test("a booked flight cancelled by the airline is announced as order.flight_disrupted, once", async () => {
    // Set before the booking: the gateway shares a flight's status for FLIGHT_STATUS_CACHE_S once read.
    let segment: Segment | undefined;
    const order = await book(
      "ZRH",
      {},
      {
        departure: isoDay(1),
        beforeBooking: async ([first]) => {
          segment = first;
          await api.sim("/__sim/flight-status", {
            carrier: first?.carrier,
            flight_number: first?.flight_number,
            date: first?.departs_at.slice(0, 10),
            status: "cancelled",
          });
        },
      },
    );
    if (segment === undefined) throw new Error("an order without segments");
    const disrupted = await waitFor(
      () => getOrder(order.id),
      (o) => (o.disruptions?.length ?? 0) > 0,
      3 * INTERVAL_S * 1000,
    );
    expect(disrupted.disruptions).toEqual([
      expect.objectContaining({ carrier: segment.carrier, flight_number: segment.flight_number, kind: "cancelled" }),
    ]);
    const callbacks = await waitFor(
      async () => callbacksOf("ZRH", "order.flight_disrupted"),
      (list) => list.length > 0,
      2_000,
    );
    expect(callbacks).toHaveLength(1);
    await api.runtime.reconcileNow();
    expect((await getOrder(order.id)).disruptions).toHaveLength(1);
  });
});
