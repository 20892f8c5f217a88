/**
 * Issue against expiry, raced for real: the issue request and the hold's expiry run at the
 * same time on one order at its ticketing deadline, with the repository's reads and writes
 * delayed at random so every interleaving can happen. Whatever
 * the interleaving, the order ends one way: EXPIRED with no ticket (and the booking released),
 * or ISSUED (and nothing released) — never a ticket on an expired order.
 */
import { expect, test } from "vitest";
import type { Order } from "../../../functions/domain/order";
import { expireOrder } from "../../../functions/use-cases/expire-order";
import { issueOrder, ticketOrder } from "../../../functions/use-cases/issue-order";
import { avfCodeOf, bookedOrder, CALL, drctOrder, iso, makeWorld, T0, TENANT } from "./fakes";

const RACES = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jitter = () => sleep(Math.floor(Math.random() * 3));

/**
 * One race at the ticketing deadline. Clocks of two machines never agree exactly: the issue
 * request's still reads before the deadline when the expiry's reads after it, so both pass
 * their checks and only the conditional write from BOOKED decides.
 */
const race = async () => {
  const world = makeWorld();
  const deadline = T0 + 60_000;
  const issueClock = { ...world.deps, now: () => new Date(deadline - 1) };
  const expiryClock = { ...world.deps, now: () => new Date(deadline) };
  const { orders } = world;
  const get = orders.get.bind(orders);
  const save = orders.save.bind(orders);
  orders.get = async (...args) => {
    await jitter();
    return get(...args);
  };
  orders.save = async (...args) => {
    await jitter();
    return save(...args);
  };
  const order = bookedOrder(T0, { ticketingDeadline: iso(deadline) });
  orders.seed(order);
  world.supplier.releases.push(drctOrder("EXPIRED"));
  world.supplier.issues.push(drctOrder("ISSUED"));

  const issuing = (async () => {
    await jitter();
    let accepted: Order;
    try {
      accepted = await issueOrder(issueClock, TENANT, order.id, { reference: "INV-1" });
    } catch {
      return avfCodeOf(issueOrder(issueClock, TENANT, order.id, { reference: "INV-1" }));
    }
    // The ticketing worker, on the job the request queued.
    await ticketOrder(issueClock, accepted, CALL, false);
    return "accepted";
  })();
  const expiring = (async () => {
    await jitter();
    // The workflow's task after its Wait on the deadline.
    const current = (await orders.get(order.tenantId, order.id)) ?? order;
    return (await expireOrder(expiryClock, current, CALL)).status;
  })();
  const [issued] = await Promise.all([issuing, expiring]);
  return { world, issued, final: orders.stored(order) };
};

test(`${RACES} races of issue against expiry: EXPIRED without a ticket, or ISSUED without a release, never both`, async () => {
  const outcomes = { EXPIRED: 0, ISSUED: 0 };
  for (let index = 0; index < RACES; index += 1) {
    const { world, issued, final } = await race();
    const statuses = final?.history.map((entry) => entry.status) ?? [];
    if (final?.status === "EXPIRED") {
      outcomes.EXPIRED += 1;
      expect(issued).toBe("AVF_409_ORDER_EXPIRED");
      expect(final.tickets).toBeUndefined();
      expect(statuses).not.toContain("ISSUING");
      expect(world.supplier.issueCalls).toEqual([]);
      expect(world.supplier.releaseCalls).toHaveLength(1);
      expect(final.releasedAt).toBeDefined();
    } else {
      expect(final?.status).toBe("ISSUED");
      outcomes.ISSUED += 1;
      expect(issued).toBe("accepted");
      expect(final?.tickets).toHaveLength(2);
      expect(statuses).not.toContain("EXPIRED");
      expect(world.supplier.releaseCalls).toEqual([]);
    }
    const announced = world.events.all.map((event) => event.detail_type);
    expect(announced).toEqual(final?.status === "EXPIRED" ? ["order.expired"] : ["order.issued"]);
  }
  expect(outcomes.EXPIRED + outcomes.ISSUED).toBe(RACES);
  // Both sides won some: the races were real (a coin flip each; all 50 alike is 2^-49).
  expect(outcomes.EXPIRED).toBeGreaterThan(0);
  expect(outcomes.ISSUED).toBeGreaterThan(0);
});
