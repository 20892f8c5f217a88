import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { z } from "zod";
import { QUEUES } from "../../../lib/resources";
import { logger } from "../../shared/powertools";
import { loadOrderStep } from "../../shared/task";
import { ticketOrderDeps } from "../../shared/wiring";
import { ticketOrder } from "../../use-cases/issue-order";

const TicketingJob = z.object({ tenantId: z.string(), orderId: z.string(), correlationId: z.string() });

/**
 * The ticketing worker: one job per record, orders' groups kept in sequence (a failed record
 * fails the rest of its group, not other orders'); a failure returns the record to the queue
 * for a later try, and after the last one the queue dead-letters it.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) =>
    processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const job = TicketingJob.parse(JSON.parse(record.body));
        const step = await loadOrderStep({ order_id: job.orderId, tenant_id: job.tenantId }, context);
        if (step === undefined) return;
        const lastTry = Number(record.attributes.ApproximateReceiveCount) >= QUEUES.ticketing.maxReceiveCount;
        await ticketOrder(ticketOrderDeps(), step.order, step.call, lastTry);
      },
      new SqsFifoPartialProcessorAsync(),
      { context, skipGroupOnError: true, throwOnFullBatchFailure: false },
    ),
  );
