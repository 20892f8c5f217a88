import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import { ORDER_STATUSES, type OrderStatus } from "../../../functions/domain/order";
import type { SupplierFailureKind } from "../../../functions/domain/supplier";
import { ACTOR_BOOKING, bookOrder, SupplierBusy } from "../../../functions/use-cases/book-order";
import {
  CALL,
  drctError,
  drctOrder,
  expectNoMove,
  fail,
  iso,
  makeWorld,
  orderAt,
  rejectionOf,
  T0,
  type World,
} from "./fakes";

let world: World;

beforeEach(() => {
  world = makeWorld();
});

describe("bookOrder", () => {
  test("a booking DRCT confirms makes the order BOOKED, announced, audited, with an empty outbox", async () => {
    const order = orderAt(T0, { externalRef: "agency-ref-7" });
    world.orders.seed(order);
    world.supplier.creates.push(drctOrder("BOOKED"));

    expect(await bookOrder(world.deps, order, CALL)).toBe("BOOKED");

    const stored = world.orders.stored(order);
    expect(stored).toMatchObject({ status: "BOOKED", drctOrderId: "DRCT4678548321", version: 2 });
    expect(stored?.updatedAt).toBe(iso(world.clock.ms));
    expect(stored?.history.map((entry) => entry.status)).toEqual(["PENDING", "BOOKED"]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.booked"]);
    const [event] = world.events.all;
    expect(event).toMatchObject({
      sequence: 2,
      tenant_id: "tenant-a",
      order_id: order.id,
      correlation_id: "corr-1",
      occurred_at: iso(world.clock.ms),
    });
    expect(event?.order_status).toBe(stored?.status);
    // Ids and statuses only: no passenger, contact or document travels with an event.
    for (const personal of ["given_name", "birth_date", "email", "passengers", "document"]) {
      expect(JSON.stringify(event)).not.toContain(personal);
    }
    expect(world.orders.outboxOf(order)).toEqual([]);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({
        tenantId: "tenant-a",
        orderId: order.id,
        from: "PENDING",
        to: "BOOKED",
        version: 2,
        actor: ACTOR_BOOKING,
        correlationId: "corr-1",
        at: iso(world.clock.ms),
      }),
    ]);
    expect(ACTOR_BOOKING).toBe("workflow:booking");
    expect(world.warnings).toEqual([]);
  });

  test("DRCT is asked to book under the order's own key, with the order's offer, travellers and reference", async () => {
    const order = orderAt(T0, { externalRef: "agency-ref-7" });
    world.orders.seed(order);
    world.supplier.creates.push(drctOrder("BOOKED"));

    await bookOrder(world.deps, order, CALL);

    expect(world.supplier.createCalls).toHaveLength(1);
    const [{ booking, call } = fail()] = world.supplier.createCalls;
    expect(booking.idempotencyKey).toBe(order.supplierBookingKey);
    expect(booking.idempotencyKey).toBe("bk_ord_01HZX5T8M2");
    expect(booking).toEqual({
      supplierOfferId: "drct-offer-9",
      idempotencyKey: "bk_ord_01HZX5T8M2",
      passengers: order.passengers,
      contact: order.contact,
      externalRef: "agency-ref-7",
    });
    expect(call).toEqual(CALL);
  });

  test.each(["timeout", "server_error"] as const)(
    "no answer from DRCT (%s) makes the order PENDING_RECONCILE, without an event",
    async (kind) => {
      const order = orderAt(T0);
      world.orders.seed(order);
      world.supplier.creates.push(drctError(kind));

      expect(await bookOrder(world.deps, order, CALL)).toBe("PENDING_RECONCILE");

      const stored = world.orders.stored(order);
      expect(stored?.status).toBe("PENDING_RECONCILE");
      expect(stored?.drctOrderId).toBeUndefined();
      expect(stored?.history.at(-1)?.reason).toContain(kind);
      expect(world.events.published).toEqual([]);
      expect(world.audit.entries).toEqual([
        expect.objectContaining({ from: "PENDING", to: "PENDING_RECONCILE", actor: ACTOR_BOOKING }),
      ]);
    },
  );

  test.each(["circuit_open", "rate_limited", "unauthorized"] as const)(
    "DRCT not reachable now (%s) throws SupplierBusy and leaves the order PENDING",
    async (kind) => {
      const order = orderAt(T0);
      world.orders.seed(order);
      world.supplier.creates.push(drctError(kind));

      const error = await rejectionOf(bookOrder(world.deps, order, CALL));

      expect(error).toBeInstanceOf(SupplierBusy);
      expect((error as Error).name).toBe("SupplierBusy");
      expect((error as Error).message).toContain(kind);
      expectNoMove(world, order);
    },
  );

  test.each([
    ["rejected", "PASSENGER_MISMATCH", "BOOKING_REJECTED"],
    ["not_found", undefined, "OFFER_EXPIRED"],
  ] as const)("a definite refusal (%s) makes the order FAILED with %s → %s", async (kind, supplierCode, code) => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.supplier.creates.push(drctError(kind, supplierCode));

    expect(await bookOrder(world.deps, order, CALL)).toBe("FAILED");

    const stored = world.orders.stored(order);
    expect(stored?.status).toBe("FAILED");
    expect(stored?.failure?.code).toBe(code);
    if (supplierCode !== undefined) expect(stored?.failure?.message).toContain(supplierCode);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.failed"]);
    expect(world.events.all[0]?.order_status).toBe("FAILED");
    expect(world.audit.entries.map((entry) => [entry.from, entry.to, entry.actor])).toEqual([
      ["PENDING", "FAILED", ACTOR_BOOKING],
    ]);
  });

  test("every failure kind ends in exactly one of: reconcile, busy, failed", async () => {
    const expected: Record<SupplierFailureKind, OrderStatus | "busy"> = {
      timeout: "PENDING_RECONCILE",
      server_error: "PENDING_RECONCILE",
      circuit_open: "busy",
      rate_limited: "busy",
      unauthorized: "busy",
      rejected: "FAILED",
      not_found: "FAILED",
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...(Object.keys(expected) as SupplierFailureKind[])), async (kind) => {
        world = makeWorld();
        const order = orderAt(T0);
        world.orders.seed(order);
        world.supplier.creates.push(drctError(kind));
        const outcome = await bookOrder(world.deps, order, CALL).catch((error: unknown) =>
          error instanceof SupplierBusy ? "busy" : Promise.reject(error),
        );
        expect(outcome).toBe(expected[kind]);
        expect(world.orders.stored(order)?.status).toBe(outcome === "busy" ? "PENDING" : outcome);
        expect(world.audit.entries).toHaveLength(outcome === "busy" ? 0 : 1);
      }),
      { numRuns: 30 },
    );
  });

  test("an error that is not DRCT's propagates and leaves the order PENDING", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.supplier.creates.push(new TypeError("bug in the adapter"));

    expect(await rejectionOf(bookOrder(world.deps, order, CALL))).toBeInstanceOf(TypeError);
    expectNoMove(world, order);
  });

  test.each(ORDER_STATUSES.filter((status) => status !== "PENDING"))(
    "an order already %s is returned untouched, without calling DRCT",
    async (status) => {
      const order = orderAt(T0, { status, version: 4 });
      world.orders.seed(order);

      expect(await bookOrder(world.deps, order, CALL)).toBe(status);

      expect(world.supplier.callCount).toBe(0);
      expectNoMove(world, order);
    },
  );
});
