import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import type { Order, Passenger } from "../../../functions/domain/order";
import { passengerIdFor, passengerShare, passengersToCancel } from "../../../functions/domain/passengers";
import { cancelOrder } from "../../../functions/use-cases/cancel-order";
import { ADULT } from "../fixtures";
import {
  avfCodeOf,
  bookedOrder,
  CALL,
  drctOrder,
  expectNoMove,
  issuingOrder,
  makeWorld,
  T0,
  TENANT,
  type World,
} from "./fakes";

let world: World;

beforeEach(() => {
  world = makeWorld();
});

const INFANT: Passenger = {
  type: "infant",
  given_name: "LENA",
  family_name: "MULLER",
  birth_date: "2030-09-01",
  gender: "female",
};
const CHILD: Passenger = { ...INFANT, type: "child", birth_date: "2024-01-01" };

/** An ISSUED refundable order of `passengers`, a ticket each. */
const issued = (passengers: readonly Passenger[], overrides: Partial<Order> = {}): Order =>
  issuingOrder(T0, {
    status: "ISSUED",
    version: 4,
    passengers,
    tickets: passengers.map((_, index) => ({ passenger_index: index, number: `220708810560${index}` })),
    ...overrides,
  });

const idOf = (order: Order, index: number) => passengerIdFor(order.id, index);

/** DRCT's answer after cancelling `indexes` alone, penalty 5000 each. */
const drctCancelled = (count: number, indexes: readonly number[]) =>
  drctOrder("ISSUED", {
    passengers: Array.from({ length: count }, (_, index) =>
      indexes.includes(index)
        ? { passenger_index: index, status: "CANCELLED" as const, penalty: 5_000, refund_reference: `RF${index}` }
        : { passenger_index: index, status: "ACTIVE" as const },
    ),
  });

describe("cancelling some passengers", () => {
  test("2 adults, refundable and ticketed: one CANCELLED with a refund, one ACTIVE, the order stays ISSUED", async () => {
    const order = issued([ADULT, { ...ADULT, given_name: "OTTO" }]);
    world.orders.seed(order);
    world.supplier.cancels.push(drctCancelled(2, [1]));

    const after = await cancelOrder(world.deps, TENANT, order.id, CALL, [idOf(order, 1)]);

    expect(after.status).toBe("ISSUED");
    expect(after.passengerStatuses).toEqual(["ACTIVE", "CANCELLED"]);
    const share = passengerShare(order.price.total, 2, 1);
    expect(after.refunds).toEqual([
      { passengerId: idOf(order, 1), amount: share - 5_000, currency: "EUR", reference: "RF1" },
    ]);
    expect(world.supplier.cancelPassengersCalls).toEqual([{ drctOrderId: "DRCT4678548321", passengerIndexes: [1] }]);
    expect(world.orders.stored(order)).toEqual(after);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.passengers_cancelled"]);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "ISSUED", to: "ISSUED", reason: `passengers cancelled: ${idOf(order, 1)}` }),
    ]);
    // The event carries ids and statuses only; the callback body is built from the stored order.
    expect(world.events.all[0]).toMatchObject({ order_id: order.id, order_status: "ISSUED" });
    expect(Object.keys(world.events.all[0] ?? {})).not.toContain("order");
  });

  test("an adult goes with the infant on their lap; unticketed, the refund is 0", async () => {
    const order = bookedOrder(T0, { passengers: [ADULT, { ...ADULT, given_name: "OTTO" }, INFANT] });
    world.orders.seed(order);
    world.supplier.cancels.push(drctCancelled(3, [0, 2]));

    const after = await cancelOrder(world.deps, TENANT, order.id, CALL, [idOf(order, 0)]);

    expect(after.status).toBe("BOOKED");
    expect(after.passengerStatuses).toEqual(["CANCELLED", "ACTIVE", "CANCELLED"]);
    expect(world.supplier.cancelPassengersCalls[0]?.passengerIndexes).toEqual([0, 2]);
    expect(after.refunds?.map((refund) => [refund.passengerId, refund.amount])).toEqual([
      [idOf(order, 0), 0],
      [idOf(order, 2), 0],
    ]);
  });

  test("cancelling the last active passengers cancels the order at DRCT", async () => {
    const order = issued([ADULT, { ...ADULT, given_name: "OTTO" }], { passengerStatuses: ["CANCELLED", "ACTIVE"] });
    world.orders.seed(order);
    world.supplier.cancels.push(drctOrder("CANCELLED", { penalty: 5_000, refund_reference: "RF9" }));

    const after = await cancelOrder(world.deps, TENANT, order.id, CALL, [idOf(order, 1)]);

    expect(after.status).toBe("CANCELLED");
    expect(after.passengerStatuses).toEqual(["CANCELLED", "CANCELLED"]);
    expect(world.supplier.cancelCalls).toEqual(["DRCT4678548321"]);
    expect(after.refunds).toEqual([
      {
        passengerId: idOf(order, 1),
        amount: passengerShare(order.price.total, 2, 1) - 5_000,
        currency: "EUR",
        reference: "RF9",
      },
    ]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.cancelled"]);
  });

  test("passengers already cancelled: nothing to do, DRCT is not asked", async () => {
    const order = issued([ADULT, { ...ADULT, given_name: "OTTO" }], { passengerStatuses: ["ACTIVE", "CANCELLED"] });
    world.orders.seed(order);

    expect(await cancelOrder(world.deps, TENANT, order.id, CALL, [idOf(order, 1)])).toEqual(order);
    expectNoMove(world, order);
    expect(world.supplier.callCount).toBe(0);
  });

  test.each([
    ["an id of another order", (_order: Order) => [passengerIdFor("ord_other", 0)], "AVF_400_VALIDATION"],
    ["leaving a child without an adult", (order: Order) => [idOf(order, 0)], "AVF_409_NOT_CANCELLABLE"],
  ] as const)("%s is refused before DRCT is asked", async (_name, ids, code) => {
    const order = issued([ADULT, CHILD]);
    world.orders.seed(order);

    expect(await avfCodeOf(cancelOrder(world.deps, TENANT, order.id, CALL, ids(order)))).toBe(code);
    expectNoMove(world, order);
    expect(world.supplier.callCount).toBe(0);
  });

  test("a ticketed non-refundable fare is AVF_409_NOT_CANCELLABLE for one passenger too", async () => {
    const order = issued([ADULT, { ...ADULT, given_name: "OTTO" }], { refundable: false });
    world.orders.seed(order);

    expect(await avfCodeOf(cancelOrder(world.deps, TENANT, order.id, CALL, [idOf(order, 1)]))).toBe(
      "AVF_409_NOT_CANCELLABLE",
    );
    expect(world.supplier.callCount).toBe(0);
  });
});

describe("passenger rules", () => {
  test("shares of a total over n passengers are non-negative and sum to the total exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 18 }), (total, count) => {
        const shares = Array.from({ length: count }, (_, index) => passengerShare(total, count, index));
        expect(shares.reduce((sum, share) => sum + share, 0)).toBe(total);
        for (const share of shares) expect(share).toBeGreaterThanOrEqual(Math.floor(total / count));
      }),
    );
  });

  test("whatever is cancelled, an infant is never left without its adult, nor children without any adult", () => {
    const passengerArb = fc.constantFrom<Passenger>(ADULT, CHILD, INFANT);
    fc.assert(
      fc.property(fc.array(passengerArb, { minLength: 1, maxLength: 9 }), fc.array(fc.nat(8)), (drawn, picks) => {
        const adults = drawn.filter((passenger) => passenger.type === "adult").length;
        const infants = drawn.filter((passenger) => passenger.type === "infant");
        // A valid order: at least one adult, no more infants than adults.
        const passengers = [ADULT, ...drawn.filter((p) => p.type !== "infant"), ...infants.slice(0, adults + 1)];
        const order = { id: "ord_prop", passengers };
        const ids = [...new Set(picks.filter((pick) => pick < passengers.length))].map((pick) =>
          passengerIdFor(order.id, pick),
        );
        let cancelled: number[];
        try {
          cancelled = passengersToCancel(order, ids, (reason) => new Error(reason));
        } catch {
          return;
        }
        const left = passengers.flatMap((passenger, index) => (cancelled.includes(index) ? [] : [passenger]));
        const leftAdults = left.filter((passenger) => passenger.type === "adult").length;
        if (left.length > 0) expect(leftAdults).toBeGreaterThan(0);
        expect(left.filter((passenger) => passenger.type === "infant").length).toBeLessThanOrEqual(leftAdults);
      }),
    );
  });
});
