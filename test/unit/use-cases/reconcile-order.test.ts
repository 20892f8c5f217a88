import { beforeEach, describe, expect, test } from "vitest";
import { SupplierError } from "../../../functions/domain/supplier";
import { bookingOf } from "../../../functions/use-cases/book-order";
import type { OrderEvent } from "../../../functions/use-cases/ports";
import { ACTOR_RECONCILIATION, reconcileOrder } from "../../../functions/use-cases/reconcile-order";
import {
  CALL,
  drctOffer,
  drctOrder,
  expectNoMove,
  GRACE_MS,
  iso,
  issuingOrder,
  makeWorld,
  orderAt,
  T0,
  type World,
} from "./fakes";

let world: World;

beforeEach(() => {
  world = makeWorld();
});

describe("reconcileOrder", () => {
  test.each(["PENDING_RECONCILE", "PENDING"] as const)(
    "a %s order DRCT has booked becomes BOOKED, announced as booked and reconciled",
    async (status) => {
      const order = orderAt(T0, { status, version: status === "PENDING" ? 1 : 2 });
      world.orders.seed(order);
      world.supplier.finds.push(drctOrder("BOOKED", { order_id: "DRCT1111111111" }));

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("BOOKED");

      expect(world.supplier.findCalls.map((entry) => entry.idempotencyKey)).toEqual([order.supplierBookingKey]);
      expect(world.supplier.createCalls).toEqual([]);
      expect(world.orders.stored(order)).toMatchObject({ status: "BOOKED", drctOrderId: "DRCT1111111111" });
      expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.booked", "order.reconciled"]);
      expect(new Set(world.events.all.map((event) => event.sequence))).toEqual(new Set([order.version + 1]));
      expect(world.orders.outboxOf(order)).toEqual([]);
      expect(world.audit.entries).toEqual([
        expect.objectContaining({ from: status, to: "BOOKED", actor: ACTOR_RECONCILIATION }),
      ]);
      expect(world.booking.starts).toEqual([]);
    },
  );

  test("a PENDING order DRCT has not seen, within the grace period, has its booking workflow started again", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.clock.ms = T0 + GRACE_MS - 1;
    world.supplier.finds.push(undefined);

    expect(await reconcileOrder(world.deps, order, CALL)).toBe("PENDING");

    expect(world.booking.starts).toEqual([{ id: order.id, tenantId: "tenant-a" }]);
    expect(world.supplier.createCalls).toEqual([]);
    expectNoMove(world, order);
  });

  describe("a PENDING_RECONCILE order DRCT has not seen, within the grace period: the booking is resumed", () => {
    const uncertain = () => {
      const order = orderAt(T0, { status: "PENDING_RECONCILE", version: 2 });
      world.orders.seed(order);
      world.clock.ms = T0 + GRACE_MS - 1;
      world.supplier.finds.push(undefined);
      return order;
    };

    test("at no more than the accepted price: booked again under the same key, with the same body → BOOKED", async () => {
      const order = uncertain();
      world.supplier.prices.push(drctOffer({ price: { currency: "EUR", base: 9_900, taxes: 2_500, fees: 300 } }));
      world.supplier.creates.push(drctOrder("BOOKED", { order_id: "DRCT2222222222" }));

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("BOOKED");

      expect(world.supplier.priceCalls).toEqual([order.supplierOfferId]);
      expect(world.supplier.createCalls.map((entry) => entry.booking)).toEqual([bookingOf(order)]);
      expect(world.supplier.createCalls[0]?.booking.idempotencyKey).toBe(order.supplierBookingKey);
      expect(world.orders.stored(order)).toMatchObject({ status: "BOOKED", drctOrderId: "DRCT2222222222" });
      expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.booked", "order.reconciled"]);
      expect(world.audit.entries).toEqual([
        expect.objectContaining({ from: "PENDING_RECONCILE", to: "BOOKED", actor: ACTOR_RECONCILIATION }),
      ]);
    });

    test("a price above what the agency accepted fails the order PRICE_CHANGED, and nothing is booked", async () => {
      const order = uncertain();
      world.supplier.prices.push(drctOffer({ price: { currency: "EUR", base: 10_001, taxes: 2_500, fees: 300 } }));

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("FAILED");

      expect(world.supplier.createCalls).toEqual([]);
      expect(world.orders.stored(order)?.failure?.code).toBe("PRICE_CHANGED");
      expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.failed", "order.reconciled"]);
    });

    test("an offer DRCT no longer sells fails the order OFFER_EXPIRED, and nothing is booked", async () => {
      const order = uncertain();
      world.supplier.prices.push(new SupplierError("not_found", "DRCT answered 410", { status: 410 }));

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("FAILED");

      expect(world.supplier.createCalls).toEqual([]);
      expect(world.orders.stored(order)?.failure?.code).toBe("OFFER_EXPIRED");
    });

    test.each([
      ["no answer again", new SupplierError("timeout", "DRCT did not answer")],
      ["DRCT busy", new SupplierError("rate_limited", "slow down", { status: 429, retryAfterSeconds: 1 })],
      ["breaker open", new SupplierError("circuit_open", "paused", { retryAfterSeconds: 5 })],
    ])("%s: left for the next run, unchanged", async (_name, error) => {
      const order = uncertain();
      world.supplier.prices.push(drctOffer());
      world.supplier.creates.push(error);

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("PENDING_RECONCILE");

      expect(world.supplier.createCalls).toHaveLength(1);
      expectNoMove(world, order);
    });

    test("DRCT refusing the booking fails the order with its reason", async () => {
      const order = uncertain();
      world.supplier.prices.push(drctOffer());
      world.supplier.creates.push(
        new SupplierError("rejected", "DRCT answered 422", { status: 422, supplierCode: "PASSENGER_MISMATCH" }),
      );

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("FAILED");

      expect(world.orders.stored(order)?.failure).toEqual({
        code: "BOOKING_REJECTED",
        message: "DRCT refused the booking (PASSENGER_MISMATCH)",
      });
    });
  });

  test.each(["PENDING", "PENDING_RECONCILE"] as const)(
    "a %s order DRCT still has not seen after the grace period becomes FAILED BOOKING_NOT_CONFIRMED",
    async (status) => {
      const order = orderAt(T0, { status, version: 2 });
      world.orders.seed(order);
      world.clock.ms = T0 + GRACE_MS;
      world.supplier.finds.push(undefined);

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("FAILED");

      expect(world.orders.stored(order)?.failure?.code).toBe("BOOKING_NOT_CONFIRMED");
      expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.failed", "order.reconciled"]);
      expect(world.audit.entries.map((entry) => entry.actor)).toEqual([ACTOR_RECONCILIATION]);
      expect(world.booking.starts).toEqual([]);
    },
  );

  test("an ISSUING order DRCT has issued becomes ISSUED with DRCT's tickets", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.supplier.finds.push(drctOrder("ISSUED"));

    expect(await reconcileOrder(world.deps, order, CALL)).toBe("ISSUED");

    expect(world.orders.stored(order)?.tickets).toEqual([
      { passenger_index: 0, number: "2207088105602" },
      { passenger_index: 1, number: "2207088105603" },
    ]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.issued", "order.reconciled"]);
    expect(world.events.all[0]?.order_status).toBe("ISSUED");
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "ISSUING", to: "ISSUED", actor: ACTOR_RECONCILIATION }),
    ]);
    expect(world.ticketing.jobs).toEqual([]);
  });

  test("an ISSUING order DRCT still has only booked, within the grace period, is issued at DRCT under its own key", async () => {
    // Not queued again: a job in flight at a crash holds the order's FIFO group until its
    // visibility timeout ends, and a new job would wait behind it.
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.clock.ms = T0 + GRACE_MS - 1;
    world.supplier.finds.push(drctOrder("BOOKED"));
    world.supplier.issues.push(drctOrder("ISSUED"));

    expect(await reconcileOrder(world.deps, order, CALL)).toBe("ISSUED");

    expect(world.supplier.issueCalls).toEqual([
      { drctOrderId: order.drctOrderId, idempotencyKey: `avf-issue-${order.id}` },
    ]);
    expect(world.orders.stored(order)?.tickets).toHaveLength(2);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "ISSUING", to: "ISSUED", actor: ACTOR_RECONCILIATION }),
    ]);
  });

  test.each([
    ["gives no answer", new SupplierError("timeout", "no answer")],
    ["is busy", new SupplierError("rate_limited", "slow down")],
  ] as const)("an ISSUING order whose issue DRCT %s stays ISSUING for the next sweep", async (_, error) => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.clock.ms = T0 + GRACE_MS - 1;
    world.supplier.finds.push(drctOrder("BOOKED"));
    world.supplier.issues.push(error);

    expect(await reconcileOrder(world.deps, order, CALL)).toBe("ISSUING");

    expect(world.supplier.issueCalls).toHaveLength(1);
    expectNoMove(world, order);
  });

  test.each([
    ["still only booked", drctOrder("BOOKED")],
    ["unknown", undefined],
  ] as const)(
    "an ISSUING order DRCT has %s after the grace period becomes FAILED TICKETING_NOT_CONFIRMED",
    async (_, found) => {
      const order = issuingOrder(T0);
      world.orders.seed(order);
      world.clock.ms = T0 + GRACE_MS;
      world.supplier.finds.push(found);

      expect(await reconcileOrder(world.deps, order, CALL)).toBe("FAILED");

      expect(world.orders.stored(order)?.failure?.code).toBe("TICKETING_NOT_CONFIRMED");
      expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.failed", "order.reconciled"]);
      expect(world.ticketing.jobs).toEqual([]);
    },
  );

  test("events still in the outbox are published first, before DRCT is asked", async () => {
    // A move whose announcement failed: the order is BOOKED→ISSUING, its order.booked is still pending.
    const order = issuingOrder(T0);
    const stale: OrderEvent = {
      id: "evt-old",
      sequence: 2,
      position: 0,
      detail_type: "order.booked",
      occurred_at: iso(T0),
      tenant_id: "tenant-a",
      order_id: order.id,
      correlation_id: "corr-1",
      order_status: "BOOKED",
    };
    world.orders.seed(order, [stale]);
    world.supplier.finds.push(drctOrder("BOOKED"));
    world.supplier.issues.push(new SupplierError("timeout", "no answer"));

    await reconcileOrder(world.deps, order, CALL);

    expect(world.events.published).toEqual([[stale]]);
    expect(world.orders.outboxOf(order)).toEqual([]);
    expect(world.log.indexOf("events.publish")).toBeGreaterThanOrEqual(0);
    expect(world.log.indexOf("events.publish")).toBeLessThan(world.log.indexOf("drct.findOrder"));
  });

  test.each(["BOOKED", "ISSUED", "CANCELLED", "FAILED"] as const)(
    "a settled %s order only has its outbox flushed: DRCT is not asked",
    async (status) => {
      const order = orderAt(T0, { status, version: 5 });
      world.orders.seed(order);

      expect(await reconcileOrder(world.deps, order, CALL)).toBe(status);

      expect(world.supplier.callCount).toBe(0);
      expect(world.log).toContain("orders.pendingEvents");
      expectNoMove(world, order);
    },
  );
});
