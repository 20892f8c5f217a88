import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { lambdaContext } from "./lambda-context";

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface PollerOptions {
  readonly endpoint: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly batchSize: number;
  readonly functionName: string;
  readonly handler: () => Promise<SqsHandler>;
  readonly onError: (error: unknown) => void;
}

const toRecord = (message: Message, queueArn: string): SQSRecord => {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      MessageGroupId: attributes.MessageGroupId,
      MessageDeduplicationId: attributes.MessageDeduplicationId,
      SequenceNumber: attributes.SequenceNumber,
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? "String",
          stringValue: value.StringValue,
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: "local",
  };
};

/**
 * What a Lambda event source mapping does for an SQS queue: long-poll, hand the handler a
 * batch, delete what succeeded, and leave each reported failure (or the whole batch when the
 * handler throws) to become visible again after the visibility timeout. The queue's redrive
 * policy then moves a message that failed maxReceiveCount times to its dead-letter queue.
 */
export class QueuePoller {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly client: SQSClient;

  constructor(private readonly options: PollerOptions) {
    this.client = new SQSClient({
      endpoint: options.endpoint,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.client.destroy();
  }

  /** Receives and processes one batch; answers how many messages it saw. */
  async pollOnce(waitTimeSeconds = 1): Promise<number> {
    const received = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: this.options.batchSize,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return 0;
    const records = messages.map((message) => toRecord(message, this.options.queueArn));
    const failed = new Set<string>();
    try {
      const handler = await this.options.handler();
      const response = await handler({ Records: records }, lambdaContext(this.options.functionName));
      const failures = response?.batchItemFailures ?? [];
      const known = new Set(records.map((record) => record.messageId));
      // As Lambda does: a failure naming no record of the batch fails the whole batch.
      if (failures.some((failure) => !known.has(failure.itemIdentifier))) for (const id of known) failed.add(id);
      for (const failure of failures) failed.add(failure.itemIdentifier);
    } catch (error) {
      this.options.onError(error);
      for (const record of records) failed.add(record.messageId);
    }
    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
    }
    return messages.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.pollOnce();
      } catch (error) {
        if (!this.running) break;
        this.options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}
