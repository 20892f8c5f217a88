/**
 * The DRCT simulator's operations after a booking (docs/DRCT-API.md §5.7–5.10): the ticketing
 * deadline and release, cancelling some passengers, change offers and changes, each safe to
 * repeat as a real supplier's would be.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { type RunningSimulator, startDrctSimulator } from "../../lib/drct-simulator/simulator";

interface WireOrder {
  order_id: string;
  status: string;
  ticketing_deadline: string;
  tickets: { ticket_number: string }[];
  passengers: { passenger_index: number; status: string; penalty?: number; refund_reference?: string }[];
  segments: { departs_at: string }[];
  applied_changes: { change_offer_id: string }[];
  error?: { code: string };
}

const HOLD_MS = 400;
/** Holds for the default 30 minutes; `shortHold` for HOLD_MS, for the deadline itself. */
let sim: RunningSimulator;
let shortHold: RunningSimulator;
let current: RunningSimulator;
beforeAll(async () => {
  sim = await startDrctSimulator({ searchIntervalMs: 0 });
  shortHold = await startDrctSimulator({ searchIntervalMs: 0, holdMs: HOLD_MS });
  current = sim;
});
beforeEach(() => {
  current = sim;
});
afterAll(async () => {
  await sim.close();
  await shortHold.close();
});

const drct = async <T = WireOrder>(path: string, body?: unknown, key?: string) => {
  const response = await fetch(`${current.url}${path}`, {
    method: "POST",
    headers: {
      authorization: "Bearer drct-local-token",
      accept: "application/json",
      "x-correlation-id": "test",
      "x-avf-tenant-id": "test",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(key === undefined ? {} : { "idempotency-key": key }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
};

const stats = async () =>
  (await (await fetch(`${current.url}/__sim/stats`)).json()) as {
    calls: Record<string, number>;
    orders_released: number;
    changes_applied: number;
  };

let keys = 0;
/** Books a fresh order for `adults` adults on a fare with `changeable`. */
const book = async (adults: number, changeable: boolean, refundable = true): Promise<WireOrder> => {
  const found = await drct<{
    offers: { offer_id: string; fare_rules: { changeable: boolean; refundable: boolean } }[];
  }>("/v1/offers/search", {
    origin: "CPH",
    destination: "HEL",
    departure_date: "2031-05-05",
    passengers: { adults, children: 0, infants: 0 },
    cabin: "economy",
    currency: "EUR",
  });
  const offer = found.body.offers.find(
    (candidate) => candidate.fare_rules.changeable === changeable && candidate.fare_rules.refundable === refundable,
  );
  if (offer === undefined) throw new Error("no such fare");
  keys += 1;
  const created = await drct(
    "/v1/orders",
    { offer_id: offer.offer_id, passengers: Array.from({ length: adults }, () => ({ type: "adult" })) },
    `k-${keys}`,
  );
  return created.body;
};

const issue = (order: WireOrder) => drct(`/v1/orders/${order.order_id}/issue`, undefined, `issue-${order.order_id}`);

describe("holds", () => {
  test("a booking shows its deadline; issuing after it is refused; release gives it back once", async () => {
    current = shortHold;
    const order = await book(1, true);
    expect(Date.parse(order.ticketing_deadline) - Date.now()).toBeLessThanOrEqual(HOLD_MS);
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS + 50));
    const late = await issue(order);
    expect(late.status).toBe(409);
    expect(late.body.error?.code).toBe("TICKETING_DEADLINE_PASSED");
    const before = await stats();
    const released = await drct(`/v1/orders/${order.order_id}/release`);
    const again = await drct(`/v1/orders/${order.order_id}/release`);
    expect([released.body.status, again.body.status]).toEqual(["EXPIRED", "EXPIRED"]);
    const after = await stats();
    expect(after.orders_released).toBe(before.orders_released + 1);
    expect(after.calls.release).toBe((before.calls.release ?? 0) + 2);
  });

  test("a ticketed order has no hold to release", async () => {
    const order = await book(1, true);
    expect((await issue(order)).status).toBe(200);
    expect((await drct(`/v1/orders/${order.order_id}/release`)).body.error?.code).toBe("INVALID_STATE");
  });
});

describe("cancelling some passengers", () => {
  test("each cancelled passenger gets a penalty and a refund reference; repeating changes nothing; the last one cancels the order", async () => {
    const order = await book(2, true);
    await issue(order);
    const one = await drct(`/v1/orders/${order.order_id}/cancel`, { passenger_indexes: [1] });
    expect(one.body.status).toBe("ISSUED");
    expect(one.body.passengers[1]).toMatchObject({ status: "CANCELLED", penalty: 5000 });
    const again = await drct(`/v1/orders/${order.order_id}/cancel`, { passenger_indexes: [1] });
    expect(again.body.passengers[1]?.refund_reference).toBe(one.body.passengers[1]?.refund_reference);
    expect((await drct(`/v1/orders/${order.order_id}/cancel`, { passenger_indexes: [7] })).status).toBe(400);
    const last = await drct(`/v1/orders/${order.order_id}/cancel`, { passenger_indexes: [0] });
    expect(last.body.status).toBe("CANCELLED");
  });
});

describe("changes", () => {
  test("change offers for an issued changeable order; a change applied once per key, a change offer used once", async () => {
    const order = await book(1, true);
    expect((await drct(`/v1/orders/${order.order_id}/change-offers`, { departure_date: "2031-05-07" })).status).toBe(
      409,
    );
    await issue(order);
    const offered = await drct<{ change_offers: { change_offer_id: string; segments: { departs_at: string }[] }[] }>(
      `/v1/orders/${order.order_id}/change-offers`,
      { departure_date: "2031-05-07" },
    );
    const [offer] = offered.body.change_offers;
    if (offer === undefined) throw new Error("no change offer");
    expect(offer.segments[0]?.departs_at.startsWith("2031-05-07")).toBe(true);

    const body = { change_offer_id: offer.change_offer_id };
    expect((await drct(`/v1/orders/${order.order_id}/changes`, body)).status).toBe(400);
    const before = await stats();
    const applied = await drct(`/v1/orders/${order.order_id}/changes`, body, "chg-key");
    const replayed = await drct(`/v1/orders/${order.order_id}/changes`, body, "chg-key");
    expect(applied.body.applied_changes.map((change) => change.change_offer_id)).toEqual([offer.change_offer_id]);
    expect(applied.body.tickets[0]?.ticket_number).not.toBe(order.tickets[0]?.ticket_number);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body).toEqual(applied.body);
    expect((await stats()).changes_applied).toBe(before.changes_applied + 1);
    const mismatch = await drct(`/v1/orders/${order.order_id}/changes`, { change_offer_id: "other" }, "chg-key");
    expect(mismatch.body.error?.code).toBe("IDEMPOTENCY_MISMATCH");
    const reused = await drct(`/v1/orders/${order.order_id}/changes`, body, "another-key");
    expect(reused.body.error?.code).toBe("CHANGE_OFFER_NOT_FOUND");
  });

  test("a fare without changes is NOT_CHANGEABLE", async () => {
    const order = await book(1, false, false);
    await issue(order);
    const refused = await drct(`/v1/orders/${order.order_id}/change-offers`, { departure_date: "2031-05-07" });
    expect(refused.body.error?.code).toBe("NOT_CHANGEABLE");
  });
});
