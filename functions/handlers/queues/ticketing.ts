import * as z from "zod";
import { QUEUES } from "../../../lib/resources";
import { loadOrderStep } from "../../shared/order-step";
import { ticketOrderDeps } from "../../shared/order-wiring";
import { fifoBatchHandler } from "../../shared/queue";
import { ticketOrder } from "../../use-cases/issue-order";

const TicketingJob = z.object({ tenantId: z.string(), orderId: z.string(), correlationId: z.string() });

/**
 * The ticketing worker: one job per record; a failure returns the record to the queue for a
 * later try (same DRCT Idempotency-Key), and after the last one the queue dead-letters it.
 */
export const handler = fifoBatchHandler(async (record, context) => {
  const job = TicketingJob.parse(JSON.parse(record.body));
  const step = await loadOrderStep({ order_id: job.orderId, tenant_id: job.tenantId }, context);
  if (step === undefined) return;
  const lastTry = Number(record.attributes.ApproximateReceiveCount) >= QUEUES.ticketing.maxReceiveCount;
  await ticketOrder(ticketOrderDeps(), step.order, step.call, lastTry);
});
