import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { WORKFLOWS } from "../../../lib/resources";
import { requiredEnv } from "../../shared/config";
import type { BookingWorkflow } from "../../use-cases/ports";

let client: SFNClient | undefined;

/**
 * Starts the order lifecycle workflow, one execution per order named after it: starting it
 * twice (a retried request) is harmless, as Step Functions keeps execution names unique.
 */
export const stepFunctionsBookingWorkflow = (reconcileAfterSeconds: number): BookingWorkflow => ({
  start: async (order) => {
    client ??= new SFNClient({ maxAttempts: 3 });
    try {
      await client.send(
        new StartExecutionCommand({
          stateMachineArn: requiredEnv(WORKFLOWS.orderLifecycle.env),
          name: order.id,
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
