/**
 * Partner callbacks through the local runtime: order events → bus → dispatcher → FIFO queue
 * → signed, SSRF-checked sender → a partner's receiver on loopback (CALLBACK_ALLOW_PRIVATE).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SEED_TENANTS } from "../../lib/local/seed";
import { API_KEYS, isoDay, searchBody, sleep, useLocalRuntime } from "./harness";

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

type Behaviour = (count: number, res: ServerResponse) => void;

const received: Received[] = [];
const behaviours = new Map<string, Behaviour>();
const counts = new Map<string, number>();
let receiver: Server;
let receiverUrl = "";

beforeAll(async () => {
  receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({
        path,
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      const behaviour = behaviours.get(path) ?? ((_n, response) => response.writeHead(204).end());
      behaviour(count, res);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const api = useLocalRuntime({
  env: {
    CALLBACK_ALLOW_PRIVATE: "true",
    CALLBACK_RETRY_SCHEDULE_S: "0,1,2,3,4",
    CALLBACK_TIMEOUT_MS: "400",
  },
});

const secretA = SEED_TENANTS[0]?.webhookSecret ?? "";
const passenger = {
  type: "adult",
  given_name: "Paula",
  family_name: "Partner",
  birth_date: "1990-09-09",
  gender: "female",
  document: { type: "passport", number: "C7654321", issuing_country: "ES", nationality: "ES", expires_on: isoDay(900) },
};

interface Delivery {
  id: string;
  event_type: string;
  webhook_id: string;
  status: string;
  attempts: { number: number; outcome: string; status_code?: number }[];
}

let route = 0;
const DESTINATIONS = ["LIS", "OPO", "FAO", "MAD", "BCN", "AGP", "PMI", "IBZ"];

const bookWithCallback = async (path: string): Promise<string> => {
  await sleep(1_150);
  const destination = DESTINATIONS[route++ % DESTINATIONS.length];
  const search = await api.search(API_KEYS.a, searchBody({ origin: "NCE", destination }));
  // Refundable: the ordering test cancels a ticketed order, which a non-refundable fare refuses.
  const offers = search.body.offers as { id: string; fare_rules: { refundable: boolean } }[];
  const offerId = (offers.find((offer) => offer.fare_rules.refundable) ?? offers[0])?.id ?? "";
  const created = await api.call<{ id: string; status: string }>("/public/orders", {
    body: {
      offer_id: offerId,
      passengers: [passenger],
      contact: { email: "p@example.com", phone: "+34911222333" },
      callback_url: `${receiverUrl}${path}`,
    },
    headers: { "idempotency-key": randomUUID() },
  });
  expect(created.status).toBe(201);
  return created.body.id;
};

const deliveriesOf = async (orderId: string) =>
  (await api.call<{ deliveries: Delivery[] }>(`/public/orders/${orderId}/callbacks`)).body.deliveries;

const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(200);
  }
};

describe("signed callbacks, in order", () => {
  test("booked, issued and cancelled arrive in order, each verified by the stock standardwebhooks library", async () => {
    const orderId = await bookWithCallback("/ok");
    await api.call(`/public/orders/${orderId}/issue`, {
      body: { payment: { type: "external", reference: "INV-9" } },
      headers: { "idempotency-key": randomUUID() },
    });
    await waitFor(
      () => api.call<{ status: string }>(`/public/orders/${orderId}`),
      (order) => order.body.status === "ISSUED",
    );
    await api.call(`/public/orders/${orderId}/cancel`, { body: {}, headers: { "idempotency-key": randomUUID() } });

    const mine = await waitFor(
      async () => received.filter((callback) => callback.path === "/ok" && callback.body.includes(orderId)),
      (callbacks) => callbacks.length >= 3,
    );
    expect(mine.map((callback) => (JSON.parse(callback.body) as { type: string }).type)).toEqual([
      "order.booked",
      "order.issued",
      "order.cancelled",
    ]);
    const webhook = new Webhook(secretA);
    for (const callback of mine) {
      const verified = webhook.verify(callback.body, callback.headers) as { data: { order: { id: string } } };
      expect(verified.data.order.id).toBe(orderId);
      expect(callback.headers["x-correlation-id"]).toBeTruthy();
      expect(callback.body).not.toContain("C7654321");
    }
    const first = mine[0] as Received;
    expect(() => webhook.verify(first.body.replace("order.booked", "order.issued"), first.headers)).toThrow();
    const stale = String(Math.floor(Date.now() / 1000) - 600);
    expect(() => webhook.verify(first.body, { ...first.headers, "webhook-timestamp": stale })).toThrow();

    const deliveries = await deliveriesOf(orderId);
    expect(deliveries.map((delivery) => delivery.status)).toEqual(["delivered", "delivered", "delivered"]);
  });
});

describe("retries, blocks, dead letters and replay", () => {
  test("500 three times, then 200: delivered on attempt 4, every attempt in the delivery log", async () => {
    behaviours.set("/flaky", (count, res) => res.writeHead(count <= 3 ? 500 : 200).end());
    const orderId = await bookWithCallback("/flaky");
    const [delivery] = await waitFor(
      () => deliveriesOf(orderId),
      (deliveries) => deliveries[0]?.status === "delivered",
    );
    expect(delivery?.status).toBe("delivered");
    expect(delivery?.attempts.map((attempt) => attempt.status_code)).toEqual([500, 500, 500, 200]);
    const ids = new Set(
      received.filter((callback) => callback.path === "/flaky").map((callback) => callback.headers["webhook-id"]),
    );
    expect(ids.size).toBe(1);
  });

  test("400: blocked after one attempt", async () => {
    behaviours.set("/reject", (_count, res) => res.writeHead(400).end());
    const orderId = await bookWithCallback("/reject");
    const [delivery] = await waitFor(
      () => deliveriesOf(orderId),
      (deliveries) => deliveries[0]?.status === "blocked",
    );
    expect(delivery?.status).toBe("blocked");
    expect(delivery?.attempts).toHaveLength(1);
  });

  test("no answer: dead-lettered after the schedule, then a replay delivers it under the same webhook-id", async () => {
    let answering = false;
    behaviours.set("/silent", (_count, res) => {
      if (answering) res.writeHead(200).end();
    });
    const orderId = await bookWithCallback("/silent");
    const [dead] = await waitFor(
      () => deliveriesOf(orderId),
      (deliveries) => deliveries[0]?.status === "dead_lettered",
      30_000,
    );
    expect(dead?.status).toBe("dead_lettered");
    expect(dead?.attempts).toHaveLength(5);

    answering = true;
    const replay = await api.call(`/public/callbacks/${dead?.id}/replay`, { method: "POST" });
    expect(replay.status).toBe(202);
    expect((await api.call(`/public/callbacks/${dead?.id}/replay`, { key: API_KEYS.b, method: "POST" })).status).toBe(
      404,
    );
    const [delivered] = await waitFor(
      () => deliveriesOf(orderId),
      (deliveries) => deliveries[0]?.status === "delivered",
    );
    expect(delivered?.status).toBe("delivered");
    expect(delivered?.attempts).toHaveLength(6);
    const ids = new Set(
      received.filter((callback) => callback.path === "/silent").map((callback) => callback.headers["webhook-id"]),
    );
    expect([...ids]).toEqual([dead?.webhook_id]);
  });
});
