import { beforeEach, describe, expect, test } from "vitest";
import { ACTOR_HOLD, expireOrder, holdToGiveBack } from "../../../functions/use-cases/expire-order";
import { issueOrder } from "../../../functions/use-cases/issue-order";
import { reconcileOrder } from "../../../functions/use-cases/reconcile-order";
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

/** A BOOKED order whose hold ends `inMs` after the world's clock. */
const heldOrder = (inMs: number) => bookedOrder(T0, { ticketingDeadline: iso(world.clock.ms + inMs) });

describe("expireOrder", () => {
  test("a hold that has not ended yet is left as it is, and DRCT is not asked", async () => {
    const order = heldOrder(1);
    world.orders.seed(order);

    expect(await expireOrder(world.deps, order, CALL)).toEqual(order);
    expectNoMove(world, order);
    expect(world.supplier.callCount).toBe(0);
  });

  test("a lapsed hold: EXPIRED with order.expired, then DRCT releases the booking and the release is recorded", async () => {
    const order = heldOrder(0);
    world.orders.seed(order);
    world.supplier.releases.push(drctOrder("EXPIRED"));

    const expired = await expireOrder(world.deps, order, CALL);

    expect(expired.status).toBe("EXPIRED");
    expect(expired.releasedAt).toBe(iso(world.clock.ms));
    expect(expired.history.slice(-2)).toEqual([
      {
        status: "EXPIRED",
        at: iso(world.clock.ms),
        reason: "the ticketing deadline passed unissued",
        events: ["order.expired"],
      },
      { status: "EXPIRED", at: iso(world.clock.ms), reason: "DRCT released the booking", events: [] },
    ]);
    expect(world.orders.stored(order)).toEqual(expired);
    expect(world.supplier.releaseCalls).toEqual(["DRCT4678548321"]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.expired"]);
    expect(world.log.indexOf("orders.save BOOKED→EXPIRED")).toBeLessThan(world.log.indexOf("drct.release"));
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "BOOKED", to: "EXPIRED", actor: ACTOR_HOLD }),
      expect.objectContaining({ from: "EXPIRED", to: "EXPIRED", reason: "DRCT released the booking" }),
    ]);
    expect(holdToGiveBack(expired, world.deps.now())).toBe(false);
  });

  test("a release DRCT fails is thrown; the order stays EXPIRED and is a hold to give back for the sweep", async () => {
    const order = heldOrder(-5_000);
    world.orders.seed(order);
    world.supplier.releases.push(drctError("server_error"));

    expect(await rejectionOf(expireOrder(world.deps, order, CALL))).toMatchObject({ kind: "server_error" });

    const stored = world.orders.stored(order);
    expect(stored?.status).toBe("EXPIRED");
    expect(stored?.releasedAt).toBeUndefined();
    expect(await world.orders.findLapsedHolds(iso(world.clock.ms), 10)).toEqual([
      { tenantId: order.tenantId, orderId: order.id },
    ]);

    // The sweep's reconciliation gives it back, once, and announces nothing twice.
    world.supplier.releases.push(drctOrder("EXPIRED"));
    expect(await reconcileOrder(world.deps, stored ?? order, CALL)).toBe("EXPIRED");
    expect(world.supplier.releaseCalls).toHaveLength(2);
    expect(world.orders.stored(order)?.releasedAt).toBe(iso(world.clock.ms));
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.expired"]);
    expect(await world.orders.findLapsedHolds(iso(world.clock.ms), 10)).toEqual([]);
  });

  test.each([
    ["ISSUING", issuingOrder(T0, { ticketingDeadline: iso(T0) })],
    ["released EXPIRED", bookedOrder(T0, { status: "EXPIRED", ticketingDeadline: iso(T0), releasedAt: iso(T0) })],
  ])("an order that moved on (%s) is left as it is, and DRCT is not asked", async (_name, order) => {
    world.orders.seed(order);

    expect(await expireOrder(world.deps, order, CALL)).toEqual(order);
    expectNoMove(world, order);
    expect(world.supplier.callCount).toBe(0);
  });

  test("losing the write to an issue request: the order is ISSUING, not expired, and nothing is released", async () => {
    const order = heldOrder(-1);
    world.orders.seed(order);
    // The issue request lands between the expiry's read and its write.
    const issuing = { ...order, status: "ISSUING" as const, version: order.version + 1 };
    world.orders.seed(issuing);

    const result = await expireOrder(world.deps, order, CALL);

    expect(result.status).toBe("ISSUING");
    expect(world.supplier.releaseCalls).toEqual([]);
    expect(world.events.all).toEqual([]);
  });
});

describe("issuing against the hold", () => {
  test("after the ticketing deadline, issuing is AVF_409_ORDER_EXPIRED and nothing moves", async () => {
    const order = heldOrder(0);
    world.orders.seed(order);

    expect(await avfCodeOf(issueOrder(world.deps, TENANT, order.id, { reference: "INV-1" }))).toBe(
      "AVF_409_ORDER_EXPIRED",
    );
    expectNoMove(world, order);
    expect(world.ticketing.jobs).toEqual([]);
    expect(world.usage.records).toEqual([]);
  });

  test("an EXPIRED order is AVF_409_ORDER_EXPIRED with its deadline in the details", async () => {
    const order = bookedOrder(T0, { status: "EXPIRED", ticketingDeadline: iso(T0) });
    world.orders.seed(order);

    const error = await rejectionOf(issueOrder(world.deps, TENANT, order.id, { reference: "INV-1" }));

    expect(error).toMatchObject({
      code: "AVF_409_ORDER_EXPIRED",
      details: { order_id: order.id, ticketing_deadline: iso(T0) },
    });
  });

  test("losing the write to the expiry: AVF_409_ORDER_EXPIRED, not a 500, and no job", async () => {
    const order = heldOrder(1_000);
    world.orders.seed(order);
    const expiredMeanwhile = { ...order, status: "EXPIRED" as const, version: order.version + 1 };
    const get = world.orders.get.bind(world.orders);
    let reads = 0;
    world.orders.get = async (tenantId, orderId) => {
      reads += 1;
      const read = await get(tenantId, orderId);
      // The expiry writes right after the issue request's first read.
      if (reads === 1) world.orders.seed(expiredMeanwhile);
      return read;
    };

    expect(await avfCodeOf(issueOrder(world.deps, TENANT, order.id, { reference: "INV-1" }))).toBe(
      "AVF_409_ORDER_EXPIRED",
    );
    expect(world.ticketing.jobs).toEqual([]);
    expect(world.orders.stored(order)?.status).toBe("EXPIRED");
  });
});
