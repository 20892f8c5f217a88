import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { QUEUES, type QueueKey } from "../../../lib/resources";
import { requiredEnv } from "../../shared/config";

let client: SQSClient | undefined;

/**
 * The regional endpoint, not each queue URL's host: the same in AWS, and locally the endpoint
 * is the one the runtime configured (fauxqs's queue URL hosts do not resolve).
 */
export const sqs = (): SQSClient => {
  client ??= new SQSClient({ maxAttempts: 3, useQueueUrlAsEndpoint: false });
  return client;
};

/** Sends to a FIFO queue: messages of one group are delivered in order, one at a time. */
export const sendFifo = async (queue: QueueKey, body: unknown, groupId: string, dedupId: string): Promise<void> => {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: requiredEnv(QUEUES[queue].env),
      MessageBody: JSON.stringify(body),
      MessageGroupId: groupId,
      MessageDeduplicationId: dedupId,
    }),
  );
};

/** Makes a received message visible again only after `seconds` (its group waits meanwhile). */
export const retryLater = async (queue: QueueKey, receiptHandle: string, seconds: number): Promise<void> => {
  await sqs().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: requiredEnv(QUEUES[queue].env),
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: Math.min(43_200, Math.max(0, Math.ceil(seconds))),
    }),
  );
};
