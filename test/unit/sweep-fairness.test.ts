import { expect, test } from "vitest";
import type { OrderStatus } from "../../functions/domain/order";
import { findUncertainOrders, SWEEP_LIMIT } from "../../functions/use-cases/find-uncertain-orders";

test("a backlog of PENDING orders does not crowd ISSUING orders out of a sweep", async () => {
  const refs = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, index) => ({ tenantId: "t", orderId: `${prefix}-${index}` }));
  const byStatus: Partial<Record<OrderStatus, { tenantId: string; orderId: string }[]>> = {
    PENDING: refs("pending", SWEEP_LIMIT),
    ISSUING: refs("issuing", 3),
  };
  const found = await findUncertainOrders(
    {
      findByStatus: async (status, _before, limit) => (byStatus[status] ?? []).slice(0, limit),
      findWithPendingEvents: async () => [],
      findLapsedHolds: async () => [],
    },
    new Date("2031-01-01T00:00:00Z"),
    60_000,
  );
  expect(found).toHaveLength(SWEEP_LIMIT);
  expect(found.filter((ref) => ref.order_id.startsWith("issuing"))).toHaveLength(3);
});

test("lapsed holds are swept once their own workflow had afterMs to end them", async () => {
  const asked: string[] = [];
  const found = await findUncertainOrders(
    {
      findByStatus: async () => [],
      findWithPendingEvents: async () => [],
      findLapsedHolds: async (before) => {
        asked.push(before);
        return [{ tenantId: "t", orderId: "held" }];
      },
    },
    new Date("2031-01-01T00:00:00Z"),
    60_000,
  );
  expect(found).toEqual([{ order_id: "held", tenant_id: "t" }]);
  expect(asked).toEqual(["2030-12-31T23:59:00.000Z"]);
});
