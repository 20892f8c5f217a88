import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { deadLetterEnvOf, QUEUES, type QueueKey } from "../../../lib/resources";
import { requiredEnv } from "../../shared/config";
import type { DeadLetterQueue, DeadLetterQueues } from "../../use-cases/ops";
import { sqs } from "./fifo-queue";

const attributesOf = async (url: string, names: ("QueueArn" | "ApproximateNumberOfMessages")[]) =>
  (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }))).Attributes ?? {};

/** Looks at up to `peek` messages without consuming them: each is visible again at once. */
const peekMessages = async (url: string, peek: number): Promise<{ id: string; body: string; group?: string }[]> => {
  const seen = new Map<string, { id: string; body: string; group?: string }>();
  const handles: string[] = [];
  // A FIFO receive hands out one message group at a time: a few receives see several groups.
  for (let round = 0; round < 4 && seen.size < peek; round += 1) {
    const page = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, peek - seen.size),
        VisibilityTimeout: 5,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    );
    const messages = page.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      if (message.MessageId === undefined || seen.has(message.MessageId)) continue;
      const group = message.Attributes?.MessageGroupId;
      seen.set(message.MessageId, {
        id: message.MessageId,
        body: message.Body ?? "",
        ...(group === undefined ? {} : { group }),
      });
      if (message.ReceiptHandle !== undefined) {
        handles.push(message.ReceiptHandle);
      }
    }
  }
  // One call each: IAM authorizes the batch call as sqs:ChangeMessageVisibility anyway, and there are at most `peek`.
  await Promise.all(
    handles.map((handle) =>
      sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 })),
    ),
  );
  return [...seen.values()];
};

/**
 * The dead-letter queues of the FIFO job queues (lib/resources.ts QUEUES), named by their
 * source queue's key. Redrive is SQS's own StartMessageMoveTask, back to the source queue.
 */
export const sqsDeadLetterQueues = (keys: readonly QueueKey[]): DeadLetterQueues => ({
  names: keys,
  list: async (peek) =>
    Promise.all(
      keys.map(async (key): Promise<DeadLetterQueue> => {
        const url = requiredEnv(deadLetterEnvOf(QUEUES[key]));
        // Counted after the peek (which leaves what it saw visible again), and never fewer than
        // it saw: a message dead-lettered between the two must not be listed under a count of 0.
        const messages = await peekMessages(url, peek);
        const attributes = await attributesOf(url, ["ApproximateNumberOfMessages"]);
        return {
          name: key,
          source: QUEUES[key].id,
          count: Math.max(Number(attributes.ApproximateNumberOfMessages ?? 0), messages.length),
          messages,
        };
      }),
    ),
  redrive: async (name) => {
    const key = name as QueueKey;
    const [dlq, source] = await Promise.all([
      attributesOf(requiredEnv(deadLetterEnvOf(QUEUES[key])), ["QueueArn"]),
      attributesOf(requiredEnv(QUEUES[key].env), ["QueueArn"]),
    ]);
    const task = await sqs().send(
      new StartMessageMoveTaskCommand({ SourceArn: dlq.QueueArn, DestinationArn: source.QueueArn }),
    );
    return {
      task_handle: task.TaskHandle ?? "",
      source: String(dlq.QueueArn),
      destination: String(source.QueueArn),
    };
  },
});

/** Puts a job given up on into its queue's dead-letter queue itself, in its message group. */
export const sendToDeadLetter = async (
  key: QueueKey,
  message: { body: string; groupId: string; dedupId: string },
): Promise<void> => {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: requiredEnv(deadLetterEnvOf(QUEUES[key])),
      MessageBody: message.body,
      MessageGroupId: message.groupId,
      MessageDeduplicationId: message.dedupId,
    }),
  );
};
