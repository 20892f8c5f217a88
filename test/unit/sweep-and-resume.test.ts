import { describe, expect, test } from "vitest";
import { executionName, RESUME_WINDOW_MS } from "../../functions/adapters/sfn/booking-workflow";
import { planSweep, type SweepRuns } from "../../functions/use-cases/find-uncertain-orders";

const orders = {
  findByStatus: async (status: string) => (status === "PENDING" ? [{ tenantId: "t", orderId: "ord_1" }] : []),
  findWithPendingEvents: async () => [],
  findLapsedHolds: async () => [],
};
const run = {
  stateMachineArn: "arn:aws:states:r:1:stateMachine:sweep",
  executionArn: "arn:aws:states:r:1:execution:sweep:b",
};
const runs = (earlier: boolean): SweepRuns => ({ earlierRunStillRunning: async () => earlier });
const NOW = new Date("2031-01-01T00:00:00Z");

describe("the sweep never overlaps itself", () => {
  test("a run that finds an earlier one still running takes no orders", async () => {
    const planned = await planSweep({ orders, runs: runs(true) }, run, NOW, 0);
    expect(planned).toEqual({ orders: [], skipped: "an earlier sweep is still running" });
  });

  test("alone, it takes the uncertain orders", async () => {
    const planned = await planSweep({ orders, runs: runs(false) }, run, NOW, 0);
    expect(planned.orders).toEqual([{ order_id: "ord_1", tenant_id: "t" }]);
  });
});

describe("a resumed booking gets an execution name of its own", () => {
  const AWS_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/u;
  const orderId = `ord_${"x".repeat(24)}`;

  test("not the order's first name, which Step Functions keeps for 90 days after it closed", () => {
    const first = executionName(orderId, NOW.getTime(), 0);
    const resumed = executionName(orderId, NOW.getTime(), 1);
    expect(first).toBe(orderId);
    expect(resumed).not.toBe(first);
    expect(resumed).toMatch(AWS_NAME);
  });

  test("one name per window (sweeps a minute apart resume once), a new one in the next window", () => {
    const at = NOW.getTime();
    expect(executionName(orderId, at + 60_000, 1)).toBe(executionName(orderId, at, 1));
    expect(executionName(orderId, at + RESUME_WINDOW_MS, 1)).not.toBe(executionName(orderId, at, 1));
  });
});
