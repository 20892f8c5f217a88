/**
 * The operators' console and /ops/api through the local runtime, without any agency key: a
 * callback whose receiver keeps failing is dead-lettered, shows in /ops/api/dead-letters and
 * in the console (headless Chromium), and a redrive from the console delivers it once the
 * receiver is back; an order's timeline shows its workflow states and DRCT calls; personal
 * data never reaches an operator in clear.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchChromium, offlinePage } from "./browser";
import { API_KEYS, isoDay, searchBody, sleep, useLocalRuntime } from "./harness";

let receiver: Server;
let receiverUrl = "";
let receiverUp = false;
const received: string[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.push(req.url ?? "/");
      res.writeHead(receiverUp ? 204 : 503).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const OPS_KEY = `ops_test_${randomUUID()}`;
const api = useLocalRuntime({
  opsKey: OPS_KEY,
  env: { CALLBACK_ALLOW_PRIVATE: "true", CALLBACK_RETRY_SCHEDULE_S: "0,1", CALLBACK_TIMEOUT_MS: "400" },
});

const ops = <T = Record<string, unknown>>(path: string, method = "GET") =>
  api.call<T>(path, { key: null, method, headers: { "x-ops-key": OPS_KEY } });

const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(200);
  }
};

interface DeadLetters {
  queues: {
    name: string;
    source: string;
    count: number;
    messages: { id: string; delivery_id?: string; order_id?: string; body: unknown }[];
  }[];
}
interface Timeline {
  order: { order_id: string; tenant_id: string; status: string };
  history: { status: string }[];
  executions: { name: string; status: string; states: { name: string; outcome: string }[] }[];
  drct_calls: { operation: string; status: string }[];
  deliveries: { id: string; status: string; attempts: { outcome: string; status_code?: number }[] }[];
  audit: { to: string }[];
}

const PASSENGER = {
  type: "adult",
  given_name: "Grace",
  family_name: "Hopperton",
  birth_date: "1976-12-09",
  gender: "female",
  document: { type: "passport", number: "X9988776", issuing_country: "US", nationality: "US", expires_on: isoDay(900) },
};
const CONTACT = { email: "grace.h@example.com", phone: "+12025550147" };
const PERSONAL = ["Grace", "Hopperton", "1976-12-09", "X9988776", "grace.h@example.com", "+12025550147", "2025550147"];

/**
 * An order whose callback its receiver keeps refusing, once dead-lettered (made once, by
 * whichever test needs it first: the tests run in any order).
 */
let deadLettered: Promise<{ orderId: string; letters: Awaited<ReturnType<typeof ops<DeadLetters>>> }> | undefined;
const deadLetteredOrder = () => {
  deadLettered ??= (async () => {
    const offer = await api.offerWith(API_KEYS.a, {}, searchBody({ origin: "BER", destination: "VIE" }));
    const created = await api.call<{ id: string }>("/public/orders", {
      body: { offer_id: offer.id, passengers: [PASSENGER], contact: CONTACT, callback_url: receiverUrl },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(created.status).toBe(201);
    const orderId = created.body.id;
    const letters = await waitFor(
      () => ops<DeadLetters>("/ops/api/dead-letters"),
      (response) =>
        response.body.queues.some((queue) => queue.messages.some((message) => message.order_id === orderId)),
    );
    return { orderId, letters };
  })();
  return deadLettered;
};

describe("/ops/api", () => {
  test("answers only with the ops key: no key, an agency's key or a wrong key get 401", async () => {
    const refused: Record<string, string>[] = [{}, { "x-api-key": API_KEYS.a }, { "x-ops-key": "not-it" }];
    for (const headers of refused) {
      const response = await api.call("/ops/api/dead-letters", { key: null, headers });
      expect(response.status).toBe(401);
      expect((response.body as { error: { code: string } }).error.code).toBe("AVF_401_UNAUTHORIZED");
    }
    expect((await ops("/ops/api/dead-letters")).status).toBe(200);
    expect((await ops("/ops/api/dead-letters/nope/redrive", "POST")).status).toBe(404);
  });

  test("a callback its receiver keeps refusing is dead-lettered and listed, ids in clear, personal data nowhere", async () => {
    const { orderId, letters } = await deadLetteredOrder();
    const callbacks = letters.body.queues.find((queue) => queue.name === "callbacks");
    expect(callbacks?.source).toBe("callbacks");
    expect(callbacks?.count).toBeGreaterThanOrEqual(1);
    const mine = callbacks?.messages.find((message) => message.order_id === orderId);
    expect(mine?.delivery_id).toMatch(/^dlv_/);
    expect(letters.body.queues.map((queue) => queue.name).sort()).toEqual([
      "callbacks",
      "scheduleChanges",
      "ticketing",
    ]);
    const text = JSON.stringify(letters.body);
    for (const value of PERSONAL) expect(text).not.toContain(value);
    expect(received.length).toBeGreaterThanOrEqual(2);
    // A search, a booking and the callback's two attempts: seconds alone, more on a loaded machine.
  }, 60_000);

  test("the order's timeline: history, its workflow's states, DRCT calls, the delivery's attempts, audit", async () => {
    const { orderId } = await deadLetteredOrder();
    const timeline = await ops<Timeline>(`/ops/api/orders/${orderId}`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.order).toMatchObject({ order_id: orderId, tenant_id: "agency-a", status: "BOOKED" });
    expect(timeline.body.history.map((entry) => entry.status)).toEqual(["PENDING", "BOOKED"]);
    const [execution] = timeline.body.executions;
    expect(execution?.name).toBe(orderId);
    // Booked: the workflow now holds the order until its ticketing deadline (a Wait state).
    expect(execution?.status).toBe("RUNNING");
    expect(execution?.states.map((state) => state.name)).toContain("Book with DRCT");
    const [current, ...done] = [...(execution?.states ?? [])].reverse();
    expect(current?.outcome).toBe("running");
    expect(done.every((state) => state.outcome === "succeeded")).toBe(true);
    expect(timeline.body.drct_calls.map((call) => call.operation)).toContain("order_create");
    const [delivery] = timeline.body.deliveries;
    // Dead-lettered after two refusals, or, once the console test has redriven it, delivered.
    const codes = delivery?.attempts.map((attempt) => attempt.status_code) ?? [];
    expect(codes.slice(0, 2)).toEqual([503, 503]);
    if (delivery?.status === "delivered") expect(codes.at(-1)).toBe(204);
    else expect([delivery?.status, codes.length]).toEqual(["dead_lettered", 2]);
    expect(timeline.body.audit.map((entry) => entry.to)).toContain("BOOKED");
    const text = JSON.stringify(timeline.body);
    for (const value of PERSONAL) expect(text).not.toContain(value);
    // Found without its tenant too; another id is 404.
    expect((await ops(`/ops/api/orders/${orderId}?tenant_id=agency-a`)).status).toBe(200);
    expect((await ops("/ops/api/orders/ord_missing")).status).toBe(404);
  }, 60_000);

  test("orders by status across tenants, the unsettled long enough first", async () => {
    const { orderId } = await deadLetteredOrder();
    const board = await ops<{ orders: { order_id: string; status: string; stuck: boolean }[] }>(
      "/ops/api/orders?status=BOOKED",
    );
    expect(board.status).toBe(200);
    expect(board.body.orders.find((order) => order.order_id === orderId)).toMatchObject({ stuck: false });
    expect(board.body.orders.every((order) => order.status === "BOOKED")).toBe(true);
    expect((await ops("/ops/api/orders?status=LOST")).status).toBe(400);
    const other = await ops<{ orders: unknown[] }>("/ops/api/orders?tenant_id=agency-b&status=BOOKED");
    expect(other.body.orders).toEqual([]);
  }, 60_000);

  test("the supplier's breaker, budgets and recent DRCT outcomes", async () => {
    await deadLetteredOrder(); // a search and a booking made DRCT calls
    const supplier = await ops<{
      breaker: { status?: string };
      budgets: { bucket: string }[];
      recent_calls: { operation: string }[];
      recent_outcomes: Record<string, number>;
    }>("/ops/api/supplier");
    expect(supplier.status).toBe(200);
    expect(supplier.body.breaker.status ?? "closed").toBe("closed");
    // The account's search slots (one per second) and the booking's account-wide bucket.
    const buckets = supplier.body.budgets.map((budget) => budget.bucket);
    expect(buckets).toContain("SLOTS#account#drct#search");
    expect(buckets).toContain("RATE#account#drct#order_create");
    expect(supplier.body.recent_calls.map((call) => call.operation)).toContain("order_create");
    expect(supplier.body.recent_outcomes["2xx"]).toBeGreaterThanOrEqual(2);
  }, 60_000);
});

describe("the console in headless Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  test("renders orders and a timeline, and redrives the dead letter, which is then delivered", async () => {
    const { orderId } = await deadLetteredOrder();
    const page = await fetch(`${api.runtime.apiUrl}/ops`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'");
    expect(await page.text()).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!127)/);

    const { page: tab, refused, failures } = await offlinePage(browser);
    await tab.goto(`${api.runtime.apiUrl}/ops?ops_key=${OPS_KEY}`, { waitUntil: "load" });
    expect(new URL(tab.url()).search).toBe("");
    await tab.waitForSelector(`a[data-order-id="${orderId}"]`, { timeout: 15_000 });
    await tab.click(`a[data-order-id="${orderId}"]`);
    await tab.waitForSelector(`#timeline .execution[data-execution="${orderId}"]`, { timeout: 15_000 });
    const timeline = await tab.$eval("#timeline", (element) => element.textContent ?? "");
    expect(timeline).toContain("Book with DRCT");
    expect(timeline).toContain("order_create");
    for (const value of PERSONAL) expect(timeline).not.toContain(value);

    await tab.click('nav button[data-view="dead-letters"]');
    await tab.waitForSelector('.dlq[data-queue="callbacks"] button[data-redrive]', { timeout: 15_000 });
    const letters = await tab.$eval('.dlq[data-queue="callbacks"]', (element) => element.textContent ?? "");
    expect(letters).toContain(orderId);
    receiverUp = true;
    await tab.click('.dlq[data-queue="callbacks"] button[data-redrive]');
    await tab.waitForSelector('.dlq[data-queue="callbacks"] .redrive-started', { timeout: 15_000 });
    expect(refused).toEqual([]);
    expect(failures).toEqual([]);
    await tab.close();

    const delivered = await waitFor(
      () => ops<Timeline>(`/ops/api/orders/${orderId}`),
      (response) => response.body.deliveries[0]?.status === "delivered",
    );
    const [delivery] = delivered.body.deliveries;
    expect(delivery?.status).toBe("delivered");
    expect(delivery?.attempts.map((attempt) => attempt.status_code)).toEqual([503, 503, 204]);
    const after = await waitFor(
      () => ops<DeadLetters>("/ops/api/dead-letters"),
      (response) => response.body.queues.every((queue) => queue.messages.every((m) => m.order_id !== orderId)),
    );
    expect(after.body.queues.flatMap((queue) => queue.messages).map((message) => message.order_id)).not.toContain(
      orderId,
    );
  }, 60_000);
});
