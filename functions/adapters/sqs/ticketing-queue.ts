import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { QUEUES } from "../../../lib/resources";
import { requiredEnv } from "../../shared/config";
import type { TicketingQueue } from "../../use-cases/ports";

let client: SQSClient | undefined;

/**
 * Ticketing jobs on the FIFO queue: one message group per order (its jobs run in order, one
 * at a time); the deduplication id makes a job sent twice within five minutes one job.
 */
export const sqsTicketingQueue = (now: () => number = Date.now): TicketingQueue => ({
  enqueue: async (job) => {
    // The regional endpoint, not the queue URL's host: the same in AWS, and locally the
    // endpoint is the one the runtime configured (fauxqs's queue URL hosts do not resolve).
    client ??= new SQSClient({ maxAttempts: 3, useQueueUrlAsEndpoint: false });
    await client.send(
      new SendMessageCommand({
        QueueUrl: requiredEnv(QUEUES.ticketing.env),
        MessageBody: JSON.stringify(job),
        MessageGroupId: job.orderId,
        MessageDeduplicationId: `${job.orderId}-${Math.floor(now() / 300_000)}`,
      }),
    );
  },
});
