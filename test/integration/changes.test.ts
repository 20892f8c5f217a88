/**
 * Voluntary changes through the local runtime: change offers for an issued order, then one
 * applied — exactly once at DRCT, even sent 20 times at once under one key while DRCT applies
 * it and never answers (timeout_after_commit): the order waits CHANGING and the reconciliation
 * finishes it from what DRCT shows.
 */
import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { API_KEYS, type ApiResponse, type FareNeeds, searchBody, sleep, useLocalRuntime } from "./harness";

interface Segment {
  departs_at: string;
}
interface Order {
  id: string;
  status: string;
  segments?: Segment[];
  tickets?: { number: string }[];
  changes?: { change_offer_id: string; total_due: number }[];
  history: { status: string }[];
  error?: { code: string };
}
interface ChangeOffer {
  id: string;
  valid_until: string;
  segments: Segment[];
  price_difference: number;
  penalty: number;
  total_due: number;
  currency: string;
}

const api = useLocalRuntime({
  // No retry of DRCT calls here: a change DRCT never answered is left to the reconciliation.
  env: { DRCT_TIMEOUT_MS: "1000", DRCT_MAX_RETRIES: "0", RECONCILE_AFTER_S: "1", RECONCILE_GRACE_S: "60" },
});

const passenger = {
  type: "adult",
  given_name: "Carla",
  family_name: "Change",
  birth_date: "1979-07-07",
  gender: "female",
};

const book = async (fare: FareNeeds): Promise<Order> => {
  // One search serves both bookings: the second is answered from the tenant's cache.
  const offer = await api.offerWith(API_KEYS.a, fare, searchBody({ origin: "MAD", destination: "OPO" }));
  const created = await api.call<Order>("/public/orders", {
    body: { offer_id: offer.id, passengers: [passenger], contact: { email: "c@example.com", phone: "+34911222333" } },
    headers: { "idempotency-key": randomUUID() },
  });
  expect(created.status).toBe(201);
  return created.body;
};

const waitFor = async (id: string, done: (order: Order) => boolean, timeoutMs = 20_000): Promise<Order> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const order = (await api.call<Order>(`/public/orders/${id}`)).body;
    if (done(order) || Date.now() > until) return order;
    await sleep(200);
  }
};

const changeOffers = (id: string, body: unknown, key: string = API_KEYS.a) =>
  api.call<{ change_offers: ChangeOffer[]; error?: { code: string } }>(`/public/orders/${id}/change-offers`, {
    key,
    body,
  });

const change = (id: string, body: unknown, idempotencyKey: string = randomUUID()): Promise<ApiResponse<Order>> =>
  api.call<Order>(`/public/orders/${id}/changes`, { body, headers: { "idempotency-key": idempotencyKey } });

test("an issued changeable order: change offers, then one change applied exactly once, reconciled after DRCT's silence", async () => {
  const booked = await book({ changeable: true });
  const fixed = await book({ changeable: false });
  expect((await changeOffers(fixed.id, { departure_date: "2031-01-01" })).body.error?.code).toBe(
    "AVF_409_NOT_CHANGEABLE",
  );
  // Booked but not issued: nothing to change yet.
  expect((await changeOffers(booked.id, { departure_date: "2031-01-01" })).body.error?.code).toBe(
    "AVF_409_INVALID_STATE",
  );
  await api.call(`/public/orders/${booked.id}/issue`, {
    body: { payment: { type: "external", reference: "INV-CHG" } },
    headers: { "idempotency-key": randomUUID() },
  });
  const issued = await waitFor(booked.id, (order) => order.status === "ISSUED");
  expect(issued.status).toBe("ISSUED");

  // Bad input and other tenants.
  expect((await changeOffers(issued.id, {})).status).toBe(400);
  expect((await changeOffers(issued.id, { departure_date: "14/03/2031" })).status).toBe(400);
  expect((await changeOffers(issued.id, { departure_date: "2031-01-01", extra: 1 })).status).toBe(400);
  expect((await changeOffers(issued.id, { departure_date: "2031-01-01" }, API_KEYS.b)).status).toBe(404);
  expect((await change(issued.id, { change_offer_id: "nope" })).status).toBe(400);
  const unknown = await change(issued.id, { change_offer_id: "chg_000000000000000000000000" });
  expect(unknown.status).toBe(404);
  expect(unknown.body.error?.code).toBe("AVF_404_CHANGE_OFFER_NOT_FOUND");
  const noKey = await api.call<Order>(`/public/orders/${issued.id}/changes`, {
    body: { change_offer_id: "chg_000000000000000000000000" },
  });
  expect(noKey.body.error?.code).toBe("AVF_400_IDEMPOTENCY_KEY_REQUIRED");

  const departure = new Date(Date.parse(issued.segments?.[0]?.departs_at ?? "") + 2 * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const offered = await changeOffers(issued.id, { departure_date: departure });
  expect(offered.status).toBe(200);
  expect(offered.body.change_offers.length).toBeGreaterThan(0);
  for (const offer of offered.body.change_offers) {
    expect(offer.id).toMatch(/^chg_/);
    expect(offer.price_difference).toBeGreaterThanOrEqual(0);
    expect(offer.total_due).toBe(offer.price_difference + offer.penalty);
    expect(offer.segments[0]?.departs_at.slice(0, 10)).toBe(departure);
  }
  const second = offered.body.change_offers[0] as ChangeOffer;
  const otherTenant = await api.call<Order>(`/public/orders/${issued.id}/changes`, {
    key: API_KEYS.b,
    body: { change_offer_id: second.id },
    headers: { "idempotency-key": randomUUID() },
  });
  expect(otherTenant.body.error?.code).toBe("AVF_404_ORDER_NOT_FOUND");
  const before = await api.sim<{ calls: Record<string, number>; changes_applied: number }>("/__sim/stats");
  expect(before.changes_applied).toBe(0);

  // Raced: 20 requests under one key while DRCT applies the change and never answers.
  await api.sim("/__sim/faults", { operation: "change", mode: "timeout_after_commit", count: 1 });
  const key = randomUUID();
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => change(issued.id, { change_offer_id: second.id }, key)),
  );
  for (const answer of answers) {
    if (answer.status === 409) expect(answer.body.error?.code).toBe("AVF_409_REQUEST_IN_PROGRESS");
    else {
      expect(answer.status).toBe(202);
      expect(answer.body.status).toBe("CHANGING");
    }
  }
  expect(answers.some((answer) => answer.status === 202)).toBe(true);

  await sleep(1_100);
  await api.runtime.reconcileNow();
  const changed = await waitFor(issued.id, (order) => order.status === "ISSUED");
  expect(changed.status).toBe("ISSUED");
  expect(changed.changes?.map((applied) => [applied.change_offer_id, applied.total_due])).toEqual([
    [second.id, second.total_due],
  ]);
  expect(changed.segments).toEqual(second.segments);
  expect(changed.tickets?.[0]?.number).not.toBe(issued.tickets?.[0]?.number);
  expect(changed.history.map((entry) => entry.status).slice(-3)).toEqual(["ISSUED", "CHANGING", "ISSUED"]);

  const after = await api.sim<{ calls: Record<string, number>; changes_applied: number }>("/__sim/stats");
  expect(after.changes_applied).toBe(1);
  expect(after.calls.change).toBe((before.calls.change ?? 0) + 1);

  // A change offer is used once.
  const reused = await change(issued.id, { change_offer_id: second.id });
  expect(reused.body.error?.code).toBe("AVF_404_CHANGE_OFFER_NOT_FOUND");

  await api.runtime.workflowsIdle(10_000);
  const events = api.runtime.events
    .filter((event) => (event.detail as { order_id?: string }).order_id === issued.id)
    .map((event) => event["detail-type"]);
  expect(events.filter((type) => type === "order.changed")).toHaveLength(1);
  const usage = await api.call<{ totals: { changes: number } }>("/public/usage");
  expect(usage.body.totals.changes).toBe(1);
}, 90_000);
