import * as z from "zod";
import { dynamoScheduleWatch } from "../../adapters/dynamodb/schedule-watch";
import { stepFunctionsSweepRuns } from "../../adapters/sfn/sweep-runs";
import { config } from "../../shared/config";
import { orderRepository } from "../../shared/order-store-wiring";
import { taskHandler } from "../../shared/task";
import { planSweep } from "../../use-cases/find-uncertain-orders";
import { scheduleChecksDue } from "../../use-cases/schedule-watch";

/**
 * `input.after_s` overrides RECONCILE_AFTER_S for one sweep: a gateway that has just restarted
 * knows no booking of its own is in flight, so it settles every uncertain order at once.
 * `execution_arn` / `state_machine_arn` are the run's own (context object), to see earlier runs.
 */
const SweepInput = z.object({
  input: z
    .object({ after_s: z.number().int().min(0).optional() })
    .loose()
    .default({}),
  execution_arn: z.string().optional(),
  state_machine_arn: z.string().optional(),
});

/**
 * The sweep's first step: the orders to settle, as `{orders: [{order_id, tenant_id}]}`, and
 * the booked orders whose flights are due for a re-read at DRCT (`schedule_checks`).
 */
export const handler = taskHandler(SweepInput, async ({ input, execution_arn, state_machine_arn }) => {
  const now = new Date();
  const plan = await planSweep(
    { orders: orderRepository(), runs: stepFunctionsSweepRuns() },
    execution_arn === undefined || state_machine_arn === undefined
      ? undefined
      : { executionArn: execution_arn, stateMachineArn: state_machine_arn },
    now,
    (input.after_s ?? config().reconcileAfterS) * 1000,
  );
  const due = plan.skipped === undefined ? await scheduleChecksDue(dynamoScheduleWatch(), now) : [];
  return { ...plan, schedule_checks: due };
});
