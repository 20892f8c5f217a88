import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { WORKFLOWS } from "../../../lib/resources";
import { requiredEnv } from "../../shared/config";
import type { BookingWorkflow } from "../../use-cases/ports";

let sharedClient: SFNClient | undefined;

/**
 * An order's booking workflow runs first under the order's id. Step Functions keeps a closed
 * execution's name for 90 days, so a booking that must run again (its execution died in a
 * crash, or closed while the order stayed PENDING) runs under a resume name, numbered within a
 * 15-minute window. The name is the lock: an execution of that name still running means the
 * booking is in progress, and it is left alone; a closed one moves on to the next number, so a
 * second crash never blocks the order until the window ends.
 */
export const RESUME_WINDOW_MS = 15 * 60_000;

/** More resumes than this in one window means something else is wrong: leave it to the next window. */
export const RESUMES_PER_WINDOW = 8;

/** Attempt 0 is the order's own name; later attempts are resumes in `now`'s window. */
export const executionName = (orderId: string, now: number, attempt: number): string => {
  if (attempt === 0) return orderId;
  const window = `${orderId}-resume-${Math.floor(now / RESUME_WINDOW_MS)}`;
  return attempt === 1 ? window : `${window}-${attempt}`;
};

const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;

export interface BookingWorkflowOptions {
  readonly now?: () => number;
  readonly client?: () => SFNClient;
  readonly stateMachineArn?: () => string;
}

/**
 * Makes sure the order's lifecycle workflow runs: starts it under the first name not held by
 * a closed execution, or leaves the one running. A new order costs one call; a retried
 * request or a sweep finds the running execution by its name, so two never run at once.
 */
export const stepFunctionsBookingWorkflow = (
  reconcileAfterSeconds: number,
  options: BookingWorkflowOptions = {},
): BookingWorkflow => {
  const now = options.now ?? Date.now;
  const client = options.client ?? (() => (sharedClient ??= new SFNClient({ maxAttempts: 3 })));
  const stateMachineArn = options.stateMachineArn ?? (() => requiredEnv(WORKFLOWS.orderLifecycle.env));
  /** True when started, false when an execution of that name already exists. */
  const startNamed = async (order: { id: string; tenantId: string }, name: string): Promise<boolean> => {
    try {
      await client().send(
        new StartExecutionCommand({
          stateMachineArn: stateMachineArn(),
          name,
          input: JSON.stringify({
            order_id: order.id,
            tenant_id: order.tenantId,
            reconcile_after_s: reconcileAfterSeconds,
          }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return false;
      throw error;
    }
  };
  const isRunning = async (name: string): Promise<boolean> => {
    const execution = await client().send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn(), name) }),
    );
    return execution.status === "RUNNING";
  };
  return {
    start: async (order) => {
      const at = now();
      for (let attempt = 0; attempt <= RESUMES_PER_WINDOW; attempt++) {
        const name = executionName(order.id, at, attempt);
        if ((await startNamed(order, name)) || (await isRunning(name))) return;
      }
    },
  };
};
