import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import { toPublicOrder } from "../../../functions/domain/order-view";
import { deliveryIdFor, dispatchCallback } from "../../../functions/use-cases/callbacks";

import { CALLBACK_TYPES, event, iso, ORDER, T0, type World, world } from "./world";

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
