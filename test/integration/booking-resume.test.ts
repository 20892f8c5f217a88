/**
 * A booking DRCT never received (its request dropped): reconciliation does not wait out the
 * grace period, it books again under the same key while the offer is on sale at the price the
 * agency accepted, and fails the order with a reason otherwise. Never two DRCT bookings.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { API_KEYS, isoDay, searchBody, sleep, useLocalRuntime } from "./harness";

interface Order {
  id: string;
  status: string;
  drct_order_id?: string;
  failure?: { code: string; message: string };
  history: { status: string }[];
}
interface SimStats {
  orders_created: number;
  calls: { order_create: number };
}

const passenger = {
  type: "adult",
  given_name: "Rosa",
  family_name: "Resume",
  birth_date: "1981-05-06",
  gender: "female",
  document: { type: "passport", number: "R1234567", issuing_country: "PT", nationality: "PT", expires_on: isoDay(900) },
};

const api = useLocalRuntime({
  env: {
    RECONCILE_AFTER_S: "1",
    RECONCILE_GRACE_S: "120",
    DRCT_TIMEOUT_MS: "600",
    DRCT_RETRY_BASE_MS: "30",
    BOOKING_WAIT_MS: "300",
  },
});

/** Searches a route of the test's own, confirms the price and books with DRCT dropping the create. */
const bookDropped = async (destination: string) => {
  await sleep(1_150);
  const offer = await api.offerWith(API_KEYS.a, {}, searchBody({ origin: "OPO", destination }));
  expect((await api.call(`/public/offers/${offer.id}/price`, { method: "PATCH" })).status).toBe(200);
  const before = await api.sim<SimStats>("/__sim/stats");
  await api.sim("/__sim/faults", { operation: "order_create", mode: "drop", count: 1 });
  const created = await api.call<Order>("/public/orders", {
    body: {
      offer_id: offer.id,
      passengers: [passenger],
      contact: { email: "rosa@example.com", phone: "+351210000000" },
    },
    headers: { "idempotency-key": randomUUID() },
  });
  expect(created.status).toBe(202);
  return { order: created.body, before };
};

const settled = async (id: string): Promise<Order> => {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const order = (await api.call<Order>(`/public/orders/${id}`)).body;
    if (["BOOKED", "FAILED"].includes(order.status) || Date.now() > deadline) return order;
    await sleep(200);
  }
};

describe("a booking DRCT never received is resumed", () => {
  test("the offer still on sale at its price: booked again under the same key → BOOKED, one DRCT booking", async () => {
    const { order, before } = await bookDropped("LIS");
    const final = await settled(order.id);
    expect(final.status).toBe("BOOKED");
    expect(final.drct_order_id).toMatch(/^DRCT/);
    expect(final.history.map((entry) => entry.status)).toEqual(["PENDING", "PENDING_RECONCILE", "BOOKED"]);
    const after = await api.sim<SimStats>("/__sim/stats");
    expect(after.calls.order_create - before.calls.order_create).toBe(2);
    expect(after.orders_created - before.orders_created).toBe(1);
  });

  test("the price rose meanwhile: FAILED PRICE_CHANGED, nothing booked", async () => {
    const { order, before } = await bookDropped("FNC");
    await api.sim("/__sim/reprice", { delta_minor: 1_500 });
    const final = await settled(order.id);
    expect(final.status).toBe("FAILED");
    expect(final.failure?.code).toBe("PRICE_CHANGED");
    expect((await api.sim<SimStats>("/__sim/stats")).orders_created).toBe(before.orders_created);
  });

  test("the offer expired meanwhile: FAILED OFFER_EXPIRED, nothing booked", async () => {
    const { order, before } = await bookDropped("PDL");
    await api.sim("/__sim/expire");
    const final = await settled(order.id);
    expect(final.status).toBe("FAILED");
    expect(final.failure?.code).toBe("OFFER_EXPIRED");
    expect((await api.sim<SimStats>("/__sim/stats")).orders_created).toBe(before.orders_created);
  });
});
