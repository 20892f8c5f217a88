/**
 * Ticketing deadlines through the local runtime, with DRCT holding unissued bookings for 6 s
 * (DRCT_SIM_HOLD_S=6): the order workflow waits on the deadline in Step Functions, expires
 * what was not issued, DRCT releases it, and the partner hears `order.expired`, signed. One
 * wait serves every case: all orders are booked at once and judged after their deadlines.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, expect, test } from "vitest";
import { SEED_TENANTS } from "../../lib/local/seed";
import { API_KEYS, type ApiResponse, isoDay, searchBody, sleep, useLocalRuntime } from "./harness";

const HOLD_S = 6;
/** Issue requests sent around their order's deadline, from before to after it. */
const RACE_OFFSETS_MS = [-150, 0, 100];

interface Order {
  id: string;
  status: string;
  ticketing_deadline?: string;
  tickets?: unknown[];
  failure?: { code: string };
  history: { status: string; at: string; reason?: string }[];
}

interface Callback {
  headers: Record<string, string>;
  body: string;
}

const callbacks: Callback[] = [];
let receiver: Server;
let receiverUrl = "";

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      callbacks.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const api = useLocalRuntime({
  simHoldS: HOLD_S,
  env: { CALLBACK_ALLOW_PRIVATE: "true", CALLBACK_RETRY_SCHEDULE_S: "0,1,2" },
});

const passenger = {
  type: "adult",
  given_name: "Hana",
  family_name: "Holder",
  birth_date: "1988-04-04",
  gender: "female",
  document: { type: "passport", number: "H4455667", issuing_country: "CZ", nationality: "CZ", expires_on: isoDay(900) },
};

const getOrder = async (id: string) => (await api.call<Order>(`/public/orders/${id}`)).body;

const waitFor = async (id: string, done: (order: Order) => boolean, timeoutMs: number): Promise<Order> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const order = await getOrder(id);
    if (done(order) || Date.now() > until) return order;
    await sleep(150);
  }
};

const issue = (id: string): Promise<ApiResponse<Order & { error?: { code: string } }>> =>
  api.call(`/public/orders/${id}/issue`, {
    body: { payment: { type: "external", reference: "INV-HOLD" } },
    headers: { "idempotency-key": randomUUID() },
  });

test("unissued holds expire at their deadline and are released at DRCT; issue races end one way", async () => {
  // Warm the issue and read functions first: a cold one's start-up would eat into a 6 s hold.
  const nobody = "ord_0000000000000000000000";
  expect((await issue(nobody)).status).toBe(404);
  expect((await api.call(`/public/orders/${nobody}`)).status).toBe(404);
  const offer = await api.offerWith(API_KEYS.a, {}, searchBody({ origin: "PRG", destination: "OSL" }));
  const book = async (withCallback: boolean): Promise<Order> => {
    const created = await api.call<Order>("/public/orders", {
      body: {
        offer_id: offer.id,
        passengers: [passenger],
        contact: { email: "h@example.com", phone: "+420222333444" },
        ...(withCallback ? { callback_url: receiverUrl } : {}),
      },
      headers: { "idempotency-key": randomUUID() },
    });
    expect([201, 202]).toContain(created.status);
    return waitFor(created.body.id, (order) => order.status !== "PENDING", 10_000);
  };
  // One after another: warm functions book in well under the hold, where four cold ones would not.
  const left = await book(true);
  const racers: Order[] = [];
  for (const _offset of RACE_OFFSETS_MS) racers.push(await book(false));

  // BOOKED shows DRCT's deadline: the booking plus the hold.
  for (const order of [left, ...racers]) {
    expect(order.status).toBe("BOOKED");
    const bookedAt = order.history.find((entry) => entry.status === "BOOKED")?.at ?? "";
    const held = Date.parse(order.ticketing_deadline ?? "") - Date.parse(bookedAt);
    expect(held).toBeGreaterThan((HOLD_S - 1) * 1000);
    expect(held).toBeLessThanOrEqual(HOLD_S * 1000);
  }

  // Each racer's issue request goes at its deadline plus its offset.
  const raced = await Promise.all(
    racers.map(async (order, index) => {
      const at = Date.parse(order.ticketing_deadline ?? "") + (RACE_OFFSETS_MS[index] ?? 0);
      await sleep(Math.max(0, at - Date.now()));
      return { id: order.id, answer: await issue(order.id) };
    }),
  );

  const settled = (order: Order) => !["BOOKED", "ISSUING"].includes(order.status);
  const expired = await waitFor(left.id, settled, 20_000);
  expect(expired.status).toBe("EXPIRED");
  expect(expired.ticketing_deadline).toBeUndefined();
  expect(expired.history.at(-1)).toMatchObject({ status: "EXPIRED", reason: "the ticketing deadline passed unissued" });
  const late = await issue(left.id);
  expect(late.status).toBe(409);
  expect(late.body.error?.code).toBe("AVF_409_ORDER_EXPIRED");

  // The races: an accepted issue is ISSUED (DRCT ticketed before its deadline) or FAILED
  // (DRCT refused: the ticketing job reached it too late); a refused one is EXPIRED. Never a
  // ticket on an expired order.
  let expiredRacers = 0;
  for (const { id, answer } of raced) {
    const final = await waitFor(id, settled, 20_000);
    const path = final.history.map((entry) => entry.status);
    if (answer.status === 409) {
      expect(answer.body.error?.code).toBe("AVF_409_ORDER_EXPIRED");
      expect(final.status).toBe("EXPIRED");
      expect(path).not.toContain("ISSUING");
      expect(final.tickets).toBeUndefined();
      expiredRacers += 1;
    } else {
      expect(answer.status).toBe(202);
      expect(path).not.toContain("EXPIRED");
      expect(["ISSUED", "FAILED"]).toContain(final.status);
      if (final.status === "FAILED") {
        expect(final.failure?.code).toBe("TICKETING_DEADLINE_PASSED");
        expect(final.tickets).toBeUndefined();
      }
    }
  }

  // DRCT released exactly the expired bookings, once each.
  await api.runtime.workflowsIdle(20_000);
  const stats = await api.sim<{ calls: Record<string, number>; orders_released: number }>("/__sim/stats");
  expect(stats.orders_released).toBe(1 + expiredRacers);
  expect(stats.calls.release).toBeGreaterThanOrEqual(1 + expiredRacers);

  // The partner heard booked, then expired, both verified with the tenant's secret.
  const webhook = new Webhook(SEED_TENANTS[0]?.webhookSecret ?? "");
  const until = Date.now() + 10_000;
  while (callbacks.length < 2 && Date.now() < until) await sleep(100);
  const types = callbacks.map((callback) => {
    const verified = webhook.verify(callback.body, callback.headers) as { type: string; data: { order: Order } };
    expect(verified.data.order.id).toBe(left.id);
    return verified.type;
  });
  expect(types).toEqual(["order.booked", "order.expired"]);
  const feed = await api.call<{ events: { type: string; order_id: string }[] }>("/public/events?type=order.expired");
  expect(feed.body.events.map((event) => event.order_id)).toContain(left.id);
}, 90_000);
