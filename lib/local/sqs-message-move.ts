import { randomUUID } from "node:crypto";
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

/**
 * SQS's dead-letter redrive (StartMessageMoveTask, ListMessageMoveTasks), which fauxqs does
 * not speak: the task moves every message of the source (a DLQ) to the destination, in the
 * background, keeping each FIFO message's group, and answers at once with its handle, as
 * SQS does. Registered in front of fauxqs's router (lib/local/sqs.ts).
 */
export interface MessageMoveTask {
  readonly TaskHandle: string;
  readonly SourceArn: string;
  readonly DestinationArn: string;
  Status: "RUNNING" | "COMPLETED" | "FAILED";
  ApproximateNumberOfMessagesMoved: number;
  readonly StartedTimestamp: number;
  FailureReason?: string;
}

const nameOf = (arn: string): string => arn.split(":").pop() ?? "";

export const messageMover = (endpoint: string, onError: (error: unknown) => void) => {
  const tasks: MessageMoveTask[] = [];
  const client = new SQSClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const urlOf = async (arn: string) =>
    (await client.send(new GetQueueUrlCommand({ QueueName: nameOf(arn) }))).QueueUrl ?? "";

  const move = async (task: MessageMoveTask): Promise<void> => {
    const [source, destination] = await Promise.all([urlOf(task.SourceArn), urlOf(task.DestinationArn)]);
    const fifo = destination.endsWith(".fifo");
    // A FIFO receive hands out one group at a time; a few empty receives in a row mean it is drained.
    for (let empty = 0; empty < 3; ) {
      const page = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: source,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 30,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ["MessageGroupId"],
          MessageAttributeNames: ["All"],
        }),
      );
      const messages = page.Messages ?? [];
      empty = messages.length === 0 ? empty + 1 : 0;
      for (const message of messages) {
        await client.send(
          new SendMessageCommand({
            QueueUrl: destination,
            MessageBody: message.Body ?? "",
            MessageAttributes: message.MessageAttributes,
            ...(fifo
              ? {
                  MessageGroupId: message.Attributes?.MessageGroupId ?? "redrive",
                  MessageDeduplicationId: `${message.MessageId}-${task.TaskHandle.slice(0, 8)}`,
                }
              : {}),
          }),
        );
        await client.send(new DeleteMessageCommand({ QueueUrl: source, ReceiptHandle: message.ReceiptHandle }));
        task.ApproximateNumberOfMessagesMoved += 1;
      }
    }
  };

  return {
    /** Answers the SQS JSON protocol's request body of either operation. */
    handle: (action: "StartMessageMoveTask" | "ListMessageMoveTasks", body: Record<string, unknown>) => {
      const sourceArn = typeof body.SourceArn === "string" ? body.SourceArn : "";
      if (action === "ListMessageMoveTasks") {
        return { Results: tasks.filter((task) => task.SourceArn === sourceArn).reverse() };
      }
      const destinationArn = typeof body.DestinationArn === "string" ? body.DestinationArn : "";
      if (tasks.some((task) => task.SourceArn === sourceArn && task.Status === "RUNNING")) {
        return { error: "a message move task is already running on this source queue" };
      }
      const task: MessageMoveTask = {
        TaskHandle: Buffer.from(JSON.stringify({ id: randomUUID(), sourceArn })).toString("base64"),
        SourceArn: sourceArn,
        DestinationArn: destinationArn,
        Status: "RUNNING",
        ApproximateNumberOfMessagesMoved: 0,
        StartedTimestamp: Date.now(),
      };
      tasks.push(task);
      void move(task).then(
        () => {
          task.Status = "COMPLETED";
        },
        (error: unknown) => {
          task.Status = "FAILED";
          task.FailureReason = error instanceof Error ? error.message : String(error);
          onError(error);
        },
      );
      return { TaskHandle: task.TaskHandle };
    },
    /** Resolves once no task runs (tests and shutdown). */
    close: () => client.destroy(),
  };
};
