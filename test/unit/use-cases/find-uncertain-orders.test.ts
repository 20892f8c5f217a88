import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import { ORDER_STATUSES, type Order, UNCERTAIN_STATUSES } from "../../../functions/domain/order";
import { findUncertainOrders, SWEEP_LIMIT } from "../../../functions/use-cases/find-uncertain-orders";
import type { OrderEvent } from "../../../functions/use-cases/ports";
import {
  bookedOrder,
  FakeOrderRepository,
  iso,
  issuingOrder,
  keyOf,
  makeWorld,
  orderAt,
  T0,
  type World,
} from "./fakes";

let world: World;

beforeEach(() => {
  world = makeWorld();
});

describe("findUncertainOrders", () => {
  const AFTER_MS = 5 * 60_000;
  const NOW = new Date(T0 + 60 * 60_000);
  const CUTOFF = NOW.getTime() - AFTER_MS;

  const pendingEvent = (order: Order): OrderEvent => ({
    id: `evt-${order.id}`,
    sequence: order.version,
    position: 0,
    detail_type: "order.issued",
    occurred_at: order.updatedAt,
    tenant_id: order.tenantId,
    order_id: order.id,
    correlation_id: order.correlationId,
    order_status: order.status,
  });

  test("an order found both by status and by pending events is listed once", async () => {
    const order = issuingOrder(CUTOFF - 1);
    world.orders.seed(order, [pendingEvent(order)]);

    expect(await findUncertainOrders(world.orders, NOW, AFTER_MS)).toEqual([
      { order_id: order.id, tenant_id: "tenant-a" },
    ]);
  });

  test("the same order id under two tenants is two entries", async () => {
    world.orders.seed(orderAt(CUTOFF - 1));
    world.orders.seed(orderAt(CUTOFF - 1, { tenantId: "tenant-b" }));

    const found = await findUncertainOrders(world.orders, NOW, AFTER_MS);

    expect(found).toHaveLength(2);
    expect(new Set(found.map((ref) => ref.tenant_id))).toEqual(new Set(["tenant-a", "tenant-b"]));
  });

  test("every uncertain status and the outbox are asked with the cutoff now − afterMs and SWEEP_LIMIT", async () => {
    world.orders.seed(orderAt(CUTOFF - 1, { id: "ord_old" }));
    world.orders.seed(orderAt(CUTOFF, { id: "ord_at_cutoff" }));
    world.orders.seed(orderAt(CUTOFF + 1, { id: "ord_recent" }));

    const found = await findUncertainOrders(world.orders, NOW, AFTER_MS);

    expect(found).toEqual([{ order_id: "ord_old", tenant_id: "tenant-a" }]);
    expect(world.orders.byStatusCalls.map((call) => call.status).sort()).toEqual([...UNCERTAIN_STATUSES].sort());
    expect(world.orders.byStatusCalls.every((call) => call.before === iso(CUTOFF))).toBe(true);
    expect(world.orders.byStatusCalls.every((call) => call.limit === SWEEP_LIMIT)).toBe(true);
    expect(world.orders.pendingCalls).toEqual([{ before: iso(CUTOFF), limit: SWEEP_LIMIT }]);
  });

  test("settled orders are not listed unless their events are pending", async () => {
    const settled = bookedOrder(CUTOFF - 1, { id: "ord_settled" });
    const unannounced = bookedOrder(CUTOFF - 1, { id: "ord_unannounced" });
    world.orders.seed(settled);
    world.orders.seed(unannounced, [pendingEvent(unannounced)]);

    expect(await findUncertainOrders(world.orders, NOW, AFTER_MS)).toEqual([
      { order_id: "ord_unannounced", tenant_id: "tenant-a" },
    ]);
  });

  test("the list is capped at SWEEP_LIMIT", async () => {
    for (let index = 0; index < SWEEP_LIMIT + 50; index += 1) {
      world.orders.seed(orderAt(CUTOFF - 1 - index, { id: `ord_p${index}`, status: "PENDING_RECONCILE" }));
      world.orders.seed(issuingOrder(CUTOFF - 1 - index, { id: `ord_i${index}` }));
    }

    const found = await findUncertainOrders(world.orders, NOW, AFTER_MS);

    expect(found).toHaveLength(SWEEP_LIMIT);
    expect(new Set(found.map((ref) => ref.order_id)).size).toBe(SWEEP_LIMIT);
  });

  test("property: the list is the eligible orders, each once, up to SWEEP_LIMIT", async () => {
    const orderArb = fc.record({
      tenant: fc.constantFrom("tenant-a", "tenant-b"),
      status: fc.constantFrom(...ORDER_STATUSES),
      ageMs: fc.integer({ min: 0, max: 2 * AFTER_MS }),
      pending: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(orderArb, { maxLength: 600 }),
        fc.integer({ min: 0, max: 20 }),
        async (specs, duplicates) => {
          const orders = new FakeOrderRepository([]);
          const eligible = new Set<string>();
          specs.forEach((spec, index) => {
            // Some ids repeat across tenants, so dedup must be by tenant and id.
            const id = `ord_${index % Math.max(1, specs.length - duplicates)}`;
            const order = orderAt(NOW.getTime() - spec.ageMs, { id, tenantId: spec.tenant, status: spec.status });
            orders.rows.delete(keyOf(spec.tenant, id));
            orders.outboxes.delete(keyOf(spec.tenant, id));
            orders.seed(order, spec.pending ? [pendingEvent(order)] : []);
          });
          for (const order of orders.rows.values()) {
            const old = Date.parse(order.updatedAt) < NOW.getTime() - AFTER_MS;
            const uncertain = UNCERTAIN_STATUSES.includes(order.status) || orders.outboxOf(order).length > 0;
            if (old && uncertain) eligible.add(keyOf(order.tenantId, order.id));
          }

          const found = await findUncertainOrders(orders, NOW, AFTER_MS);

          const keys = found.map((ref) => keyOf(ref.tenant_id, ref.order_id));
          expect(new Set(keys).size).toBe(keys.length);
          expect(keys.every((key) => eligible.has(key))).toBe(true);
          expect(keys).toHaveLength(Math.min(SWEEP_LIMIT, eligible.size));
        },
      ),
      { numRuns: 60 },
    );
  });
});
