import { beforeEach, describe, expect, test } from "vitest";
import { AvfError } from "../../../functions/domain/errors";
import type { Order } from "../../../functions/domain/order";
import { cancelOrder } from "../../../functions/use-cases/cancel-order";
import {
  avfCodeOf,
  bookedOrder,
  CALL,
  drctError,
  drctOrder,
  expectNoMove,
  iso,
  issuingOrder,
  makeWorld,
  rejectionOf,
  T0,
  TENANT,
  type World,
} from "./fakes";

let world: World;

beforeEach(() => {
  world = makeWorld();
});

describe("cancelOrder", () => {
  const issuedOrder = (overrides: Partial<Order> = {}): Order =>
    issuingOrder(T0, {
      status: "ISSUED",
      version: 4,
      tickets: [
        { passenger_index: 0, number: "2207088105602" },
        { passenger_index: 1, number: "2207088105603" },
      ],
      ...overrides,
    });

  test("an ISSUED non-refundable order is AVF_409_NOT_CANCELLABLE without asking DRCT", async () => {
    const order = issuedOrder({ refundable: false });
    world.orders.seed(order);

    expect(await avfCodeOf(cancelOrder(world.deps, TENANT, order.id, CALL))).toBe("AVF_409_NOT_CANCELLABLE");

    expect(world.supplier.callCount).toBe(0);
    expectNoMove(world, order);
  });

  test("a BOOKED order is voided at DRCT and becomes CANCELLED with penalty 0", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    world.supplier.cancels.push(drctOrder("CANCELLED", { tickets: [], penalty: 0 }));

    const cancelled = await cancelOrder(world.deps, TENANT, order.id, CALL);

    expect(cancelled.status).toBe("CANCELLED");
    expect(cancelled.cancellation).toEqual({ penalty: 0, cancelled_at: iso(world.clock.ms) });
    expect(world.supplier.cancelCalls).toEqual(["DRCT4678548321"]);
    expect(world.orders.stored(order)).toEqual(cancelled);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.cancelled"]);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "BOOKED", to: "CANCELLED", actor: "tenant:tenant-a" }),
    ]);
  });

  test("a void DRCT answers without a penalty still records penalty 0", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    world.supplier.cancels.push(drctOrder("CANCELLED", { tickets: [] }));

    const cancelled = await cancelOrder(world.deps, TENANT, order.id, CALL);

    expect(cancelled.cancellation?.penalty).toBe(0);
    expect(cancelled.cancellation).not.toHaveProperty("refund_reference");
  });

  test("an ISSUED refundable order records DRCT's refund reference and penalty", async () => {
    const order = issuedOrder();
    world.orders.seed(order);
    world.supplier.cancels.push(drctOrder("CANCELLED", { refund_reference: "RF4813228666", penalty: 5_000 }));

    const cancelled = await cancelOrder(world.deps, TENANT, order.id, CALL);

    expect(cancelled.cancellation).toEqual({
      refund_reference: "RF4813228666",
      penalty: 5_000,
      cancelled_at: iso(world.clock.ms),
    });
  });

  test("DRCT refusing under the fare rules is AVF_409_NOT_CANCELLABLE, the order untouched", async () => {
    const order = issuedOrder();
    world.orders.seed(order);
    world.supplier.cancels.push(drctError("rejected", "NOT_CANCELLABLE"));

    expect(await avfCodeOf(cancelOrder(world.deps, TENANT, order.id, CALL))).toBe("AVF_409_NOT_CANCELLABLE");
    expectNoMove(world, order);
  });

  test("DRCT not knowing the order's booking is AVF_502_SUPPLIER_ERROR", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    world.supplier.cancels.push(drctError("not_found"));

    const error = await rejectionOf(cancelOrder(world.deps, TENANT, order.id, CALL));

    expect(error).toBeInstanceOf(AvfError);
    expect((error as AvfError).code).toBe("AVF_502_SUPPLIER_ERROR");
    expect((error as AvfError).details).toEqual({ drct_order_id: "DRCT4678548321" });
    expectNoMove(world, order);
  });

  test("another DRCT failure propagates as the SupplierError", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    const failure = drctError("timeout");
    world.supplier.cancels.push(failure);

    expect(await rejectionOf(cancelOrder(world.deps, TENANT, order.id, CALL))).toBe(failure);
    expectNoMove(world, order);
  });

  test.each(["PENDING", "PENDING_RECONCILE", "ISSUING", "CANCELLED", "FAILED"] as const)(
    "a %s order is AVF_409_INVALID_STATE without asking DRCT",
    async (status) => {
      const order = bookedOrder(T0, { status });
      world.orders.seed(order);

      expect(await avfCodeOf(cancelOrder(world.deps, TENANT, order.id, CALL))).toBe("AVF_409_INVALID_STATE");
      expect(world.supplier.callCount).toBe(0);
      expectNoMove(world, order);
    },
  );

  test("an unknown order is AVF_404_ORDER_NOT_FOUND", async () => {
    expect(await avfCodeOf(cancelOrder(world.deps, TENANT, "ord_missing", CALL))).toBe("AVF_404_ORDER_NOT_FOUND");
    expect(world.supplier.callCount).toBe(0);
  });
});
