import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { WORKFLOWS } from "../../../lib/resources";
import { requiredEnv } from "../../shared/config";
import type { BookingStart, BookingWorkflow } from "../../use-cases/ports";

let sharedClient: SFNClient | undefined;

/**
 * A resumed booking runs under a name of its own: Step Functions keeps a closed execution's
 * name for 90 days, so starting the order's first name again would only ever answer
 * ExecutionAlreadyExists. Names are per window and numbered within it: the sweeps of one
 * window (every minute) find the running resume by its name and leave it alone, while a resume
 * that died (a crash aborts it) is followed by the next number instead of blocking the order
 * until the window ends. The window outlasts the workflow's SupplierBusy retries (about ten
 * minutes).
 */
export const RESUME_WINDOW_MS = 15 * 60_000;

/** More resumes than this in one window means something else is wrong: leave it to the next window. */
export const RESUMES_PER_WINDOW = 8;

export const executionName = (orderId: string, start: BookingStart, now: number, attempt = 1): string => {
  if (start === "first") return orderId;
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
 * Starts the order lifecycle workflow. The first start is named after the order, so a
 * retried request cannot start it twice. A resume (reconciliation) takes the window's first
 * name not used by a closed execution: the name itself is the lock, so two sweeps never run
 * two resumes of one order at once, and a running one is left to finish.
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
    start: async (order, start = "first") => {
      if (start === "first") {
        await startNamed(order, executionName(order.id, "first", now()));
        return;
      }
      const at = now();
      for (let attempt = 1; attempt <= RESUMES_PER_WINDOW; attempt++) {
        const name = executionName(order.id, "resume", at, attempt);
        if ((await startNamed(order, name)) || (await isRunning(name))) return;
      }
    },
  };
};
