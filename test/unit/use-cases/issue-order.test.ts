import { beforeEach, describe, expect, test } from "vitest";
import { AvfError } from "../../../functions/domain/errors";
import { ORDER_STATUSES } from "../../../functions/domain/order";
import { ACTOR_TICKETING, issueOrder, ticketOrder } from "../../../functions/use-cases/issue-order";
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
  OTHER_TENANT,
  rejectionOf,
  T0,
  TENANT,
  type World,
} from "./fakes";

let world: World;

beforeEach(() => {
  world = makeWorld();
});

describe("issueOrder", () => {
  test("a BOOKED order goes ISSUING with the payment reference, one job is queued, and the issue is metered", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);

    const issuing = await issueOrder(world.deps, TENANT, order.id, { reference: "INV-1" });

    expect(issuing.status).toBe("ISSUING");
    expect(issuing.issue).toEqual({ paymentReference: "INV-1", requestedAt: iso(world.clock.ms) });
    expect(world.orders.stored(order)).toEqual(issuing);
    expect(world.ticketing.jobs).toEqual([{ tenantId: "tenant-a", orderId: order.id, correlationId: "corr-1" }]);
    expect(world.usage.records).toEqual([{ tenantId: "tenant-a", metric: "issues", at: iso(world.clock.ms) }]);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "BOOKED", to: "ISSUING", actor: "tenant:tenant-a" }),
    ]);
    // ISSUING announces nothing: the partner hears of ISSUED or FAILED.
    expect(world.events.published).toEqual([]);
    expect(world.log.indexOf("orders.save BOOKED→ISSUING")).toBeLessThan(world.log.indexOf("ticketing.enqueue"));
    expect(world.supplier.callCount).toBe(0);
  });

  test("a read started early is the issue's only read of the order", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    const early = world.deps.orders.get(TENANT.tenantId, order.id);

    const issuing = await issueOrder(world.deps, TENANT, order.id, { reference: "INV-1" }, early);

    expect(issuing.status).toBe("ISSUING");
    expect(world.log.filter((entry) => entry === "orders.get")).toEqual(["orders.get"]);
  });

  test("the audit entry and the ticketing job go beside the answer when the handler takes such work", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    const beside: { what: string; work: () => Promise<unknown> }[] = [];
    const deps = {
      ...world.deps,
      alongside: (what: string, work: () => Promise<unknown>) => beside.push({ what, work }),
    };

    const issuing = await issueOrder(deps, TENANT, order.id, { reference: "INV-1" });

    expect(issuing.status).toBe("ISSUING");
    expect(beside.map((entry) => entry.what)).toEqual(["audit entry", "ticketing job"]);
    // Handed over, not started: nothing is written until the handler runs the work.
    expect(world.ticketing.jobs).toHaveLength(0);
    await Promise.all(beside.map((entry) => entry.work()));
    expect(world.ticketing.jobs).toHaveLength(1);
    expect(world.audit.entries).toEqual([expect.objectContaining({ from: "BOOKED", to: "ISSUING" })]);
  });

  test("an unknown order is AVF_404_ORDER_NOT_FOUND", async () => {
    expect(await avfCodeOf(issueOrder(world.deps, TENANT, "ord_missing", { reference: "INV-1" }))).toBe(
      "AVF_404_ORDER_NOT_FOUND",
    );
    expect(world.ticketing.jobs).toEqual([]);
    expect(world.usage.records).toEqual([]);
  });

  test("another tenant's order is AVF_404_ORDER_NOT_FOUND and stays BOOKED", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);

    expect(await avfCodeOf(issueOrder(world.deps, OTHER_TENANT, order.id, { reference: "INV-1" }))).toBe(
      "AVF_404_ORDER_NOT_FOUND",
    );
    expectNoMove(world, order);
    expect(world.ticketing.jobs).toEqual([]);
  });

  test.each(ORDER_STATUSES.filter((status) => status !== "BOOKED" && status !== "EXPIRED"))(
    "a %s order is AVF_409_INVALID_STATE: nothing moved, queued or metered",
    async (status) => {
      const order = bookedOrder(T0, { status });
      world.orders.seed(order);

      const error = await rejectionOf(issueOrder(world.deps, TENANT, order.id, { reference: "INV-1" }));

      expect(error).toBeInstanceOf(AvfError);
      expect((error as AvfError).code).toBe("AVF_409_INVALID_STATE");
      expect((error as AvfError).details).toEqual({ order_id: order.id, status });
      expectNoMove(world, order);
      expect(world.ticketing.jobs).toEqual([]);
      expect(world.usage.records).toEqual([]);
    },
  );

  test("a queue failure after the move does not throw: it is warned about and the order stays ISSUING", async () => {
    const order = bookedOrder(T0);
    world.orders.seed(order);
    world.ticketing.down = true;

    const issuing = await issueOrder(world.deps, TENANT, order.id, { reference: "INV-1" });

    expect(issuing.status).toBe("ISSUING");
    expect(world.orders.stored(order)?.status).toBe("ISSUING");
    expect(world.warnings).toHaveLength(1);
    expect(world.warnings[0]?.message).toContain("ticketing job not queued");
    expect(world.warnings[0]?.error).toEqual(new Error("queue unavailable"));
  });
});

describe("ticketOrder", () => {
  test("DRCT's issue makes the order ISSUED with a ticket per passenger", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.supplier.issues.push(drctOrder("ISSUED"));

    const issued = await ticketOrder(world.deps, order, CALL, false);

    expect(issued.status).toBe("ISSUED");
    expect(issued.tickets).toEqual([
      { passenger_index: 0, number: "2207088105602" },
      { passenger_index: 1, number: "2207088105603" },
    ]);
    expect(issued.tickets).toHaveLength(order.passengers.length);
    expect(world.orders.stored(order)).toEqual(issued);
    expect(world.supplier.issueCalls).toEqual([
      { drctOrderId: "DRCT4678548321", idempotencyKey: `avf-issue-${order.id}` },
    ]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.issued"]);
    expect(world.audit.entries).toEqual([
      expect.objectContaining({ from: "ISSUING", to: "ISSUED", actor: ACTOR_TICKETING }),
    ]);
    expect(ACTOR_TICKETING).toBe("worker:ticketing");
  });

  test.each(["timeout", "server_error", "rate_limited", "circuit_open", "unauthorized"] as const)(
    "a %s before the last try is thrown again for the queue to retry, the order untouched",
    async (kind) => {
      const order = issuingOrder(T0);
      world.orders.seed(order);
      const failure = drctError(kind);
      world.supplier.issues.push(failure);

      expect(await rejectionOf(ticketOrder(world.deps, order, CALL, false))).toBe(failure);

      expect(world.supplier.findCalls).toEqual([]);
      expectNoMove(world, order);
    },
  );

  test.each([
    [false, "rejected"],
    [true, "rejected"],
    [false, "not_found"],
  ] as const)(
    "a definite refusal (lastTry %s, %s) makes the order FAILED TICKETING_REJECTED",
    async (lastTry, kind) => {
      const order = issuingOrder(T0);
      world.orders.seed(order);
      world.supplier.issues.push(drctError(kind, "INVALID_STATE"));

      const failed = await ticketOrder(world.deps, order, CALL, lastTry);

      expect(failed.status).toBe("FAILED");
      expect(failed.failure?.code).toBe("TICKETING_REJECTED");
      expect(world.orders.stored(order)?.status).toBe("FAILED");
      expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.failed"]);
      expect(world.supplier.findCalls).toEqual([]);
    },
  );

  test("DRCT refusing because the ticketing deadline passed makes the order FAILED TICKETING_DEADLINE_PASSED", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.supplier.issues.push(drctError("rejected", "TICKETING_DEADLINE_PASSED"));

    const failed = await ticketOrder(world.deps, order, CALL, false);

    expect(failed.failure?.code).toBe("TICKETING_DEADLINE_PASSED");
    expect(failed.tickets).toBeUndefined();
  });

  test("on the last try, DRCT showing the order ISSUED makes it ISSUED with DRCT's tickets", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.supplier.issues.push(drctError("timeout"));
    world.supplier.finds.push(drctOrder("ISSUED"));

    const issued = await ticketOrder(world.deps, order, CALL, true);

    expect(issued.status).toBe("ISSUED");
    expect(issued.tickets).toHaveLength(2);
    expect(world.supplier.findCalls.map((entry) => entry.idempotencyKey)).toEqual([order.supplierBookingKey]);
    expect(world.events.all.map((event) => event.detail_type)).toEqual(["order.issued"]);
  });

  test("on the last try, DRCT showing the order only BOOKED makes it FAILED TICKETING_FAILED", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    world.supplier.issues.push(drctError("server_error"));
    world.supplier.finds.push(drctOrder("BOOKED"));

    const failed = await ticketOrder(world.deps, order, CALL, true);

    expect(failed.failure?.code).toBe("TICKETING_FAILED");
    expect(failed.failure?.message).toContain("server_error");
  });

  test("on the last try, when DRCT cannot be asked either, the original error is thrown and the order untouched", async () => {
    const order = issuingOrder(T0);
    world.orders.seed(order);
    const failure = drctError("timeout");
    world.supplier.issues.push(failure);
    world.supplier.finds.push(drctError("circuit_open"));

    expect(await rejectionOf(ticketOrder(world.deps, order, CALL, true))).toBe(failure);
    expectNoMove(world, order);
  });

  test.each(ORDER_STATUSES.filter((status) => status !== "ISSUING"))(
    "a %s order is returned untouched, without calling DRCT",
    async (status) => {
      const order = issuingOrder(T0, { status });
      world.orders.seed(order);

      expect(await ticketOrder(world.deps, order, CALL, false)).toBe(order);

      expect(world.supplier.callCount).toBe(0);
      expectNoMove(world, order);
    },
  );
});
