import { beforeEach, describe, expect, test } from "vitest";
import { ACTOR_BOOKING, bookOrder } from "../../../functions/use-cases/book-order";
import { ACTOR_TICKETING } from "../../../functions/use-cases/issue-order";
import { flushOrderEvents, moveOrder } from "../../../functions/use-cases/order-transitions";
import {
  avfCodeOf,
  CALL,
  ConcurrentChange,
  drctOrder,
  expectNoMove,
  iso,
  keyOf,
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

describe("moveOrder", () => {
  test("a concurrent change propagates: nothing is written, audited or announced", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.orders.loseNextSave.add(keyOf(order.tenantId, order.id));

    const error = await rejectionOf(
      moveOrder(world.deps, order, "BOOKED", ACTOR_BOOKING, { change: { drctOrderId: "D" } }),
    );

    expect(error).toBeInstanceOf(ConcurrentChange);
    expect(world.orders.stored(order)?.version).toBe(2);
    expect(world.orders.stored(order)?.status).toBe("PENDING");
    expect(world.orders.outboxOf(order)).toEqual([]);
    expect(world.audit.entries).toEqual([]);
    expect(world.events.published).toEqual([]);
  });

  test("bookOrder with a stale order propagates the concurrent change after DRCT booked", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.orders.loseNextSave.add(keyOf(order.tenantId, order.id));
    world.supplier.creates.push(drctOrder("BOOKED"));

    expect(await rejectionOf(bookOrder(world.deps, order, CALL))).toBeInstanceOf(ConcurrentChange);
    expect(world.audit.entries).toEqual([]);
  });

  test("an illegal move is AVF_409_INVALID_STATE before anything is written", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);

    expect(await avfCodeOf(moveOrder(world.deps, order, "ISSUED", ACTOR_TICKETING))).toBe("AVF_409_INVALID_STATE");
    expectNoMove(world, order);
  });

  test("events that fail to publish stay in the outbox, warned about; a later flush publishes them in sequence order", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.events.down = true;

    const booked = await moveOrder(world.deps, order, "BOOKED", ACTOR_BOOKING, {
      change: { drctOrderId: "DRCT1" },
      extraEvents: ["order.reconciled"],
    });
    world.clock.ms += 1_000;
    const cancelled = await moveOrder(world.deps, booked, "CANCELLED", "tenant:tenant-a", {
      change: { cancellation: { penalty: 0, cancelled_at: iso(world.clock.ms) } },
    });

    expect(cancelled.status).toBe("CANCELLED");
    expect(world.orders.stored(order)).toEqual(cancelled);
    expect(world.events.published).toEqual([]);
    expect(world.warnings).toHaveLength(2);
    expect(world.warnings.every((warning) => warning.message.includes("not published"))).toBe(true);
    expect(world.orders.outboxOf(order).map((event) => event.detail_type)).toEqual([
      "order.booked",
      "order.reconciled",
      "order.cancelled",
    ]);
    // The moves themselves were audited regardless.
    expect(world.audit.entries.map((entry) => entry.to)).toEqual(["BOOKED", "CANCELLED"]);

    world.events.down = false;
    await flushOrderEvents(world.deps, order.tenantId, order.id);

    expect(world.events.published).toHaveLength(1);
    expect(world.events.all.map((event) => [event.sequence, event.detail_type])).toEqual([
      [2, "order.booked"],
      [2, "order.reconciled"],
      [3, "order.cancelled"],
    ]);
    expect(world.events.all[0]?.order_status).toBe("BOOKED");
    expect(world.events.all[2]?.order_status).toBe("CANCELLED");
    expect(new Set(world.events.all.map((event) => event.id)).size).toBe(3);
    expect(world.orders.outboxOf(order)).toEqual([]);

    // Nothing is published twice.
    await flushOrderEvents(world.deps, order.tenantId, order.id);
    expect(world.events.published).toHaveLength(1);
  });

  test("the next successful move publishes the earlier, unpublished events first, in one batch", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.events.down = true;
    const booked = await moveOrder(world.deps, order, "BOOKED", ACTOR_BOOKING, { change: { drctOrderId: "DRCT1" } });
    world.events.down = false;

    await moveOrder(world.deps, booked, "CANCELLED", "tenant:tenant-a", {
      change: { cancellation: { penalty: 0, cancelled_at: iso(world.clock.ms) } },
    });

    expect(world.events.published.map((batch) => batch.map((event) => event.detail_type))).toEqual([
      ["order.booked", "order.cancelled"],
    ]);
    expect(world.orders.outboxOf(order)).toEqual([]);
    expect(world.log).not.toContain("orders.pendingEvents");
  });

  test("a move publishes the outbox its write answered, without reading the order back", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);

    await moveOrder(world.deps, order, "BOOKED", ACTOR_BOOKING, { change: { drctOrderId: "DRCT1" } });

    expect(world.events.published.map((batch) => batch.map((event) => event.detail_type))).toEqual([["order.booked"]]);
    expect(world.log).not.toContain("orders.pendingEvents");
    expect(world.orders.outboxOf(order)).toEqual([]);
  });

  test("an audit failure does not undo or block the move: it is warned about", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);
    world.audit.down = true;

    const booked = await moveOrder(world.deps, order, "BOOKED", ACTOR_BOOKING, { change: { drctOrderId: "DRCT1" } });

    expect(world.orders.stored(order)).toEqual(booked);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.booked"]);
    expect(world.warnings.map((warning) => warning.message)).toEqual(["audit entry not written"]);
  });

  test("a flush of an order with an empty outbox publishes nothing", async () => {
    const order = orderAt(T0);
    world.orders.seed(order);

    await flushOrderEvents(world.deps, order.tenantId, order.id);

    expect(world.log.filter((entry) => entry === "events.publish")).toEqual([]);
    expect(world.warnings).toEqual([]);
  });
});
