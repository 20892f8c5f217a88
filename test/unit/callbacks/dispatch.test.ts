import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import { deliveryIdFor, dispatchCallback, eventMismatch } from "../../../functions/use-cases/callbacks";

import { CALLBACK_TYPES, event, eventOf, iso, ORDER, orderAfter, summaryOf, T0, type World, world } from "./world";

/** The delivery an outcome queued; fails the test for any other outcome. */
const queued = (outcome: Awaited<ReturnType<typeof dispatchCallback>>) => {
  if (outcome.kind !== "queued") throw new Error(`expected a queued delivery, got ${JSON.stringify(outcome)}`);
  return outcome.delivery;
};

describe("dispatchCallback", () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });

  test.each(CALLBACK_TYPES)("%s of a stored order with a callback_url becomes a pending delivery", async (type) => {
    const order = orderAfter(type);
    w.orders.put(order);
    const e = eventOf(type, order);
    const delivery = queued(await dispatchCallback(w.callbackDeps, e));

    expect(w.store.rows.size).toBe(1);
    expect(w.store.get(deliveryIdFor(e.id))).toEqual(delivery);
    expect(delivery).toMatchObject({
      id: deliveryIdFor(e.id),
      tenantId: ORDER.tenantId,
      orderId: ORDER.id,
      eventType: type,
      sequence: order.version,
      url: ORDER.callbackUrl,
      occurredAt: e.occurred_at,
      correlationId: "corr-1",
      status: "pending",
      attempts: [],
      roundStartedAt: iso(T0),
      roundFirstAttempt: 0,
      replays: 0,
      version: 1,
    });
  });

  test("the delivery keeps ids, URL and times only: nothing of the passengers or contact", async () => {
    const delivery = queued(await dispatchCallback(w.callbackDeps, event()));
    const stored = JSON.stringify(w.store.get(delivery.id));
    for (const personal of ["ANNA", "MULLER", ORDER.contact.email, ORDER.contact.phone, "1990-"]) {
      expect(stored).not.toContain(personal);
    }
  });

  test.each(["order.reconciled", "order.created", "order.issuing", "ORDER.BOOKED", ""])(
    "%j makes no delivery and queues nothing",
    async (type) => {
      expect(await dispatchCallback(w.callbackDeps, event({ detail_type: type }))).toEqual({ kind: "skipped" });
      expect(w.store.rows.size).toBe(0);
      expect(w.store.creates).toEqual([]);
      expect(w.queue.jobs).toEqual([]);
    },
  );

  test.each(CALLBACK_TYPES)("%s of an order without a callback_url makes no delivery", async (type) => {
    const { callbackUrl: _dropped, ...withoutUrl } = orderAfter(type);
    w.orders.put(withoutUrl);
    expect(await dispatchCallback(w.callbackDeps, eventOf(type, withoutUrl))).toEqual({ kind: "skipped" });
    expect(w.store.rows.size).toBe(0);
    expect(w.queue.jobs).toEqual([]);
  });

  describe("a forged event sends nothing: the stored order is the only thing trusted", () => {
    const refusedWith = async (e: ReturnType<typeof event>) => {
      const outcome = await dispatchCallback(w.callbackDeps, e);
      expect(outcome.kind).toBe("refused");
      expect(w.store.rows.size).toBe(0);
      expect(w.queue.jobs).toEqual([]);
      return outcome.kind === "refused" ? outcome.reason : "";
    };

    test("an order that does not exist", async () => {
      expect(await refusedWith(event({ order_id: "ord_forged" }))).toContain("no such order");
    });

    test("another tenant's order (an existing tenant named in the event)", async () => {
      expect(await refusedWith(event({ tenant_id: "tenant-b" }))).toContain("no such order");
    });

    test("a move the order never made, or not at that version", async () => {
      await refusedWith(event({ detail_type: "order.issued" }));
      await refusedWith(event({ detail_type: "order.cancelled", sequence: 2 }));
      await refusedWith(event({ sequence: 1 }));
      await refusedWith(event({ sequence: 3 }));
      await refusedWith(event({ sequence: 0 }));
      await refusedWith(event({ sequence: 1.5 }));
    });

    test("an event of a write that kept the status is sent when the order's entry at its version names it", async () => {
      const booked = orderAfter("order.booked");
      const order = {
        ...booked,
        history: [
          ...booked.history,
          {
            status: booked.status,
            at: iso(T0),
            reason: "the airline changed the schedule",
            events: ["order.schedule_changed"],
          },
        ],
        version: booked.version + 1,
      };
      w.orders.put(order);
      const announced = event({ detail_type: "order.schedule_changed", sequence: order.version }, order);
      expect(eventMismatch(announced, summaryOf(order))).toBeUndefined();
      // The same event at a version whose write announced something else, or nothing of the kind.
      expect(eventMismatch({ ...announced, sequence: booked.version }, summaryOf(order))).toContain("announced no");
      expect(eventMismatch({ ...announced, detail_type: "order.flight_disrupted" }, summaryOf(order))).toContain(
        "announced no",
      );
      queued(await dispatchCallback(w.callbackDeps, announced));
    });

    test("the URL comes from the stored order, whatever the event says", async () => {
      const forged = { ...event(), callback_url: "https://attacker.example/steal" } as ReturnType<typeof event>;
      const delivery = queued(await dispatchCallback(w.callbackDeps, forged));
      expect(delivery.url).toBe(ORDER.callbackUrl);
    });

    test("property: any event whose move differs from the stored order's is refused", () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...CALLBACK_TYPES),
          fc.constantFrom(...CALLBACK_TYPES),
          fc.integer({ min: -2, max: 8 }),
          (stored, claimed, sequence) => {
            const order = orderAfter(stored);
            const claim = event({ detail_type: claimed, sequence }, order);
            const honest = claimed === stored && sequence === order.version;
            const earlierMove = sequence >= 1 && sequence <= order.version && order.history[sequence - 1]?.status;
            const matchesEarlier = earlierMove === orderAfter(claimed).status;
            expect(eventMismatch(claim, summaryOf(order)) === undefined).toBe(honest || matchesEarlier);
          },
        ),
      );
    });
  });

  test("the first attempt is queued: dedup id = delivery id, group = order id", async () => {
    const delivery = queued(await dispatchCallback(w.callbackDeps, event()));
    expect(w.queue.jobs).toEqual([{ deliveryId: delivery.id, orderId: ORDER.id, dedupId: delivery.id }]);
  });

  test("the same event twice makes one delivery with one id and webhook-id; the second create reports exists", async () => {
    const e = event();
    const first = queued(await dispatchCallback(w.callbackDeps, e));
    w.clock.set(T0 + 90_000);
    const second = queued(await dispatchCallback(w.callbackDeps, e));

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
    const here = queued(await dispatchCallback(w.callbackDeps, e));
    const elsewhere = world();
    elsewhere.clock.set(T0 + 3_600_000);
    const cancelled = orderAfter("order.cancelled");
    elsewhere.orders.put(cancelled);
    const there = queued(
      await dispatchCallback(
        elsewhere.callbackDeps,
        eventOf("order.cancelled", cancelled, { id: e.id, occurred_at: iso(T0 + 5), correlation_id: "other" }),
      ),
    );
    const other = queued(await dispatchCallback(w.callbackDeps, event({ id: "evt_booked_2" })));

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
