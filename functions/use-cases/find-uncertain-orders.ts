import { UNCERTAIN_STATUSES } from "../domain/order";
import type { OrderRepository } from "./ports";

/** Bounded so one sweep stays well inside a Map state's and a Lambda's limits; the next sweep takes the rest. */
export const SWEEP_LIMIT = 200;

/**
 * The reconciliation's work list: orders in an uncertain status untouched for `afterMs`,
 * orders whose events have not all reached the bus, and holds that lapsed more than
 * `afterMs` ago (their own workflow goes first), each once.
 */
export const findUncertainOrders = async (
  orders: Pick<OrderRepository, "findByStatus" | "findWithPendingEvents" | "findLapsedHolds">,
  now: Date,
  afterMs: number,
) => {
  const before = new Date(now.getTime() - afterMs).toISOString();
  const found = await Promise.all([
    ...UNCERTAIN_STATUSES.map((status) => orders.findByStatus(status, before, SWEEP_LIMIT)),
    orders.findWithPendingEvents(before, SWEEP_LIMIT),
    orders.findLapsedHolds(before, SWEEP_LIMIT),
  ]);
  // Taken in turns from each list, so a backlog in one status cannot crowd the others out of a sweep.
  const unique = new Map<string, { tenantId: string; orderId: string }>();
  for (let index = 0; unique.size < SWEEP_LIMIT && found.some((list) => index < list.length); index += 1) {
    for (const list of found) {
      const ref = list[index];
      if (ref !== undefined && unique.size < SWEEP_LIMIT) unique.set(`${ref.tenantId}/${ref.orderId}`, ref);
    }
  }
  return [...unique.values()].map((ref) => ({ order_id: ref.orderId, tenant_id: ref.tenantId }));
};

/** The sweep's view of its own runs (Step Functions executions of the reconciliation). */
export interface SweepRuns {
  /** Whether a run of the same sweep that started before this one is still running. */
  earlierRunStillRunning(run: SweepRun): Promise<boolean>;
}

export interface SweepRun {
  readonly stateMachineArn: string;
  readonly executionArn: string;
}

/**
 * The sweep's work list, or nothing when an earlier run is still at work: two runs never
 * reconcile at once (the schedule starts one every interval, whatever the last one does).
 */
export const planSweep = async (
  deps: {
    orders: Pick<OrderRepository, "findByStatus" | "findWithPendingEvents" | "findLapsedHolds">;
    runs: SweepRuns;
  },
  run: SweepRun | undefined,
  now: Date,
  afterMs: number,
): Promise<{ orders: { order_id: string; tenant_id: string }[]; skipped?: string }> => {
  if (run !== undefined && (await deps.runs.earlierRunStillRunning(run))) {
    return { orders: [], skipped: "an earlier sweep is still running" };
  }
  return { orders: await findUncertainOrders(deps.orders, now, afterMs) };
};
