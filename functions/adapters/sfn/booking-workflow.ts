import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { WORKFLOWS } from "../../../lib/resources";
import { requiredEnv } from "../../shared/config";
import type { BookingStart, BookingWorkflow } from "../../use-cases/ports";

let client: SFNClient | undefined;

/**
 * A resumed booking runs under a name of its own: Step Functions keeps a closed execution's
 * name for 90 days, so starting the order's first name again would only ever answer
 * ExecutionAlreadyExists. One name per window, so the sweeps of one window (every minute)
 * resume the order once, not once each; the window outlasts the workflow's SupplierBusy
 * retries (about ten minutes).
 */
export const RESUME_WINDOW_MS = 15 * 60_000;

export const executionName = (orderId: string, start: BookingStart, now: number): string =>
  start === "first" ? orderId : `${orderId}-resume-${Math.floor(now / RESUME_WINDOW_MS)}`;

/**
 * Starts the order lifecycle workflow. The first start is named after the order, so a
 * retried request cannot start it twice; a resume (reconciliation) gets its window's name.
 */
export const stepFunctionsBookingWorkflow = (
  reconcileAfterSeconds: number,
  now: () => number = Date.now,
): BookingWorkflow => ({
  start: async (order, start = "first") => {
    client ??= new SFNClient({ maxAttempts: 3 });
    try {
      await client.send(
        new StartExecutionCommand({
          stateMachineArn: requiredEnv(WORKFLOWS.orderLifecycle.env),
          name: executionName(order.id, start, now()),
          input: JSON.stringify({
            order_id: order.id,
            tenant_id: order.tenantId,
            reconcile_after_s: reconcileAfterSeconds,
          }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  },
});
