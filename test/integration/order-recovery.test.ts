/**
 * Bookings whose outcome we do not hear: DRCT commits but never answers, and the gateway
 * itself dies mid-booking. Either way the order ends BOOKED or FAILED, never lost, never
 * booked twice.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { API_KEYS, isoDay, searchBody, sleep, useLocalRuntime } from "./harness";
import { freePort, startGateway } from "./processes";

interface Order {
  id: string;
  status: string;
  drct_order_id?: string;
  history: { status: string }[];
}

/** The environment before this file's in-process runtime set its endpoints: what a user's shell has. */
const userEnv = { ...process.env };

const passenger = {
  type: "adult",
  given_name: "Rita",
  family_name: "Recovery",
  birth_date: "1979-02-03",
  gender: "female",
  document: { type: "passport", number: "X9876543", issuing_country: "FR", nationality: "FR", expires_on: isoDay(900) },
};
const contact = { email: "rita@example.com", phone: "+33123456789" };

describe("DRCT commits the booking but never answers (in process)", () => {
  const api = useLocalRuntime({
    env: {
      RECONCILE_AFTER_S: "1",
      RECONCILE_GRACE_S: "60",
      DRCT_TIMEOUT_MS: "600",
      DRCT_RETRY_BASE_MS: "30",
      BOOKING_WAIT_MS: "500",
    },
  });

  test("the order goes PENDING_RECONCILE, then BOOKED by reconciliation, with one DRCT order", async () => {
    const search = await api.search(API_KEYS.a, searchBody({ origin: "ZRH", destination: "GVA" }));
    const offerId = (search.body.offers as { id: string }[])[0]?.id ?? "";
    await api.call(`/public/offers/${offerId}/price`, { method: "PATCH" });
    // DRCT commits the booking, then never answers; an unanswered booking is not retried blind.
    await api.sim("/__sim/faults", { operation: "order_create", mode: "timeout_after_commit", count: 1 });
    const created = await api.call<Order>("/public/orders", {
      body: { offer_id: offerId, passengers: [passenger], contact },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(created.status).toBe(202);
    expect(["PENDING", "PENDING_RECONCILE"]).toContain(created.body.status);

    const deadline = Date.now() + 20_000;
    let order = created.body;
    while (order.status !== "BOOKED" && Date.now() < deadline) {
      await sleep(250);
      order = (await api.call<Order>(`/public/orders/${created.body.id}`)).body;
    }
    expect(order.status).toBe("BOOKED");
    expect(order.history.map((entry) => entry.status)).toEqual(["PENDING", "PENDING_RECONCILE", "BOOKED"]);
    const stats = await api.sim<{ orders_created: number; calls: { order_create: number } }>("/__sim/stats");
    expect(stats.calls.order_create).toBe(1);
    expect(stats.orders_created).toBe(1);
    // The move's events reach the bus just after the order is written BOOKED (its outbox).
    const published = () => api.runtime.events.map((event) => event["detail-type"]);
    for (const until = Date.now() + 5_000; !published().includes("order.reconciled") && Date.now() < until; ) {
      await sleep(100);
    }
    expect(published()).toEqual(expect.arrayContaining(["order.booked", "order.reconciled"]));
  });
});

describe("the gateway is killed while DRCT is booking (npm start, SIGKILL, restart)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "aviaframe-kill-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = (port: number, simPort: number) =>
    startGateway({
      ...userEnv,
      PORT: String(port),
      DRCT_SIM_PORT: String(simPort),
      DATA_DIR: dataDir,
      POWERTOOLS_LOG_LEVEL: "WARN",
      // The defaults of RECONCILE_AFTER_S (10) and RECONCILE_INTERVAL_S (60): only the sweep at
      // start-up can settle these orders within the test's wait.
      DRCT_TIMEOUT_MS: "3000",
    });

  /**
   * Starts npm start, books with DRCT primed with `fault`, SIGKILLs the gateway 1.5 s into the
   * booking, restarts it, and answers the tenant's orders once they have settled.
   */
  const killMidBooking = async (apiKey: string, route: { origin: string; destination: string }, fault: object) => {
    const [port, simPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${port}`;
    const headers = { "x-api-key": apiKey, "content-type": "application/json" };
    const first = await start(port, simPort);
    const search = await fetch(`${url}/public/offers/search`, {
      method: "POST",
      headers,
      body: JSON.stringify(searchBody(route)),
    });
    const offerId = ((await search.json()) as { offers: { id: string }[] }).offers[0]?.id ?? "";
    await fetch(`http://127.0.0.1:${simPort}/__sim/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ operation: "order_create", count: 1, ...fault }),
    });
    const accepted = fetch(`${url}/public/orders`, {
      method: "POST",
      headers: { ...headers, "idempotency-key": randomUUID() },
      body: JSON.stringify({ offer_id: offerId, passengers: [passenger], contact }),
    }).catch(() => undefined);
    // Killed once the order is written (PENDING) and its booking under way; functions start
    // cold in their own environments, so this waits for that rather than a fixed time.
    for (const until = Date.now() + 15_000; Date.now() < until; await sleep(200)) {
      const list = await fetch(`${url}/public/orders`, { headers: { "x-api-key": apiKey } });
      if (((await list.json()) as { orders: Order[] }).orders.length > 0) break;
    }
    await sleep(500);
    await Promise.all([accepted, first.stop("SIGKILL")]);

    const second = await start(port, simPort);
    const deadline = Date.now() + 25_000;
    let orders: Order[] = [];
    while (Date.now() < deadline) {
      const list = await fetch(`${url}/public/orders`, { headers: { "x-api-key": apiKey } });
      orders = ((await list.json()) as { orders: Order[] }).orders;
      if (orders.length === 1 && (orders[0]?.status === "BOOKED" || orders[0]?.status === "FAILED")) break;
      await sleep(300);
    }
    return { simPort, second, orders };
  };

  test("after a restart the accepted order ends BOOKED, booked once", async () => {
    // DRCT books, then never answers: the gateway is mid-booking when it dies.
    const { simPort, second, orders } = await killMidBooking(
      API_KEYS.a,
      { origin: "VIE", destination: "SZG" },
      { mode: "timeout_after_commit" },
    );
    try {
      expect(orders).toHaveLength(1);
      expect(orders[0]?.status).toBe("BOOKED");
      // DRCT itself holds exactly one booking for this order's key.
      const drct = await fetch(
        `http://127.0.0.1:${simPort}/v1/orders?idempotency_key=${encodeURIComponent(`avf-${orders[0]?.id ?? ""}`)}`,
        {
          headers: {
            authorization: "Bearer drct-local-token",
            accept: "application/json",
            "x-correlation-id": "test",
            "x-avf-tenant-id": "agency-a",
          },
        },
      );
      const drctOrders = ((await drct.json()) as { orders: { order_id: string }[] }).orders;
      expect(drctOrders).toHaveLength(1);
      expect(drctOrders[0]?.order_id).toBe(orders[0]?.drct_order_id);
    } finally {
      await second.stop("SIGTERM");
    }
  }, 90_000);

  test("killed before DRCT heard of it: after a restart the booking resumes under the same key and ends BOOKED", async () => {
    // DRCT sits on the booking (and dies with the process before doing it).
    const { second, orders } = await killMidBooking(
      API_KEYS.b,
      { origin: "BRU", destination: "LUX" },
      { mode: "latency", latency_ms: 10_000 },
    );
    try {
      expect(orders).toHaveLength(1);
      expect(orders[0]?.status).toBe("BOOKED");
      expect(orders[0]?.history.map((entry) => entry.status)).toEqual(["PENDING", "BOOKED"]);
    } finally {
      await second.stop("SIGTERM");
    }
  }, 90_000);
});
