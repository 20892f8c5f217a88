import * as z from "zod";
import { scheduleChangeDeps, scheduleWatch } from "../../shared/disruption-wiring";
import { loadOrderStep } from "../../shared/order-step";
import { logger } from "../../shared/powertools";
import { fifoBatchHandler } from "../../shared/queue";
import { observeSchedule } from "../../use-cases/schedule-changes";

const ScheduleChangeJob = z.object({ drctOrderId: z.string().min(1), changeId: z.string().min(1) });

/**
 * DRCT said a booking's schedule changed: read DRCT's order and record the change, once
 * (the sweep may have seen it first). A failure returns the message for a later try.
 */
export const handler = fifoBatchHandler(async (record, context) => {
  const job = ScheduleChangeJob.parse(JSON.parse(record.body));
  const ref = await scheduleWatch().findByDrctOrderId(job.drctOrderId);
  if (ref === undefined) {
    // Not ours, or our order does not know its DRCT reference yet: the sweep will compare it.
    logger.warn("schedule change for a DRCT order we do not know", { drct_order_id: job.drctOrderId });
    return;
  }
  const step = await loadOrderStep({ order_id: ref.orderId, tenant_id: ref.tenantId }, context);
  if (step === undefined) return;
  const { recorded } = await observeSchedule(scheduleChangeDeps(), step.order, {
    ...step.call,
    priority: "ticketing",
  });
  logger.info("DRCT schedule change notification handled", { recorded, drct_change_id: job.changeId });
});
