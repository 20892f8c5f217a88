import { randomUUID } from "node:crypto";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { QueuePoller, type SqsHandler } from "../../lib/local/queue-poller";
import { type LocalSqs, startLocalSqs } from "../../lib/local/sqs";

/**
 * QueuePoller stands in for a Lambda SQS event source mapping when running locally. These tests
 * drive it with pollOnce() against the real fauxqs server (loopback), on FIFO queues of their own
 * with a 1 s visibility timeout and maxReceiveCount 2, so every redelivery is quick to observe.
 */

const VISIBILITY_TIMEOUT_S = 1;
const MAX_RECEIVE_COUNT = 2;
/** Long enough for a message left in flight to be visible again. */
const PAST_VISIBILITY_MS = VISIBILITY_TIMEOUT_S * 1000 + 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface QueuePair {
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
}

let sqs: LocalSqs;
let client: SQSClient;
const pollers: QueuePoller[] = [];

beforeAll(async () => {
  sqs = await startLocalSqs({ prefix: "pollertest" });
  expect(new URL(sqs.endpoint).hostname).toBe("127.0.0.1");
  client = new SQSClient({
    endpoint: sqs.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    useQueueUrlAsEndpoint: false,
  });
});

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
});

afterAll(async () => {
  client?.destroy();
  await sqs?.close();
});

const createFifo = async (name: string, attributes: Record<string, string>): Promise<string> => {
  const created = await client.send(
    new CreateQueueCommand({
      QueueName: `${name}.fifo`,
      Attributes: { FifoQueue: "true", ContentBasedDeduplication: "false", ...attributes },
    }),
  );
  if (created.QueueUrl === undefined) throw new Error(`fauxqs did not create ${name}`);
  return created.QueueUrl;
};

const attributesOf = async (url: string): Promise<Record<string, string>> => {
  const result = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return result.Attributes ?? {};
};

/** A DLQ and a main queue redriving to it, both FIFO, named for this test only. */
const createPair = async (label: string): Promise<QueuePair> => {
  const name = `pollertest-${label}-${randomUUID().slice(0, 8)}`;
  const dlqUrl = await createFifo(`${name}-dlq`, { MessageRetentionPeriod: "1209600" });
  const dlqArn = (await attributesOf(dlqUrl)).QueueArn;
  if (dlqArn === undefined) throw new Error(`no ARN for ${dlqUrl}`);
  const url = await createFifo(name, {
    VisibilityTimeout: String(VISIBILITY_TIMEOUT_S),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
  });
  const arn = (await attributesOf(url)).QueueArn;
  if (arn === undefined) throw new Error(`no ARN for ${url}`);
  return { url, arn, dlqUrl };
};

const send = async (url: string, body: string, group: string): Promise<string> => {
  const sent = await client.send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: randomUUID(),
    }),
  );
  if (sent.MessageId === undefined) throw new Error("fauxqs returned no MessageId");
  return sent.MessageId;
};

/** Visible and in-flight counts, as numbers. */
const depth = async (url: string): Promise<{ visible: number; inFlight: number }> => {
  const attributes = await attributesOf(url);
  return {
    visible: Number(attributes.ApproximateNumberOfMessages),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible),
  };
};

const receiveDirect = async (url: string): Promise<Message[]> => {
  const received = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ["All"],
    }),
  );
  return received.Messages ?? [];
};

interface Subject {
  readonly poller: QueuePoller;
  /** Every batch the handler was invoked with, in order. */
  readonly batches: SQSRecord[][];
  readonly errors: unknown[];
  /** Polls without waiting until `count` more records have reached the handler (or gives up). */
  deliver(count: number): Promise<SQSRecord[]>;
}

const subject = (
  pair: QueuePair,
  batchSize: number,
  respond: (event: SQSEvent) => SQSBatchResponse | undefined,
): Subject => {
  const batches: SQSRecord[][] = [];
  const errors: unknown[] = [];
  const handler: SqsHandler = async (event) => {
    batches.push(event.Records);
    return respond(event);
  };
  const poller = new QueuePoller({
    endpoint: sqs.endpoint,
    queueUrl: pair.url,
    queueArn: pair.arn,
    batchSize,
    functionName: "queue-poller-test",
    handler: async () => handler,
    onError: (error) => errors.push(error),
  });
  pollers.push(poller);
  const deliver = async (count: number): Promise<SQSRecord[]> => {
    const seen: SQSRecord[] = [];
    // fauxqs hands out at most one message per message group per receive, so it may take a few.
    for (let attempt = 0; attempt < 20 && seen.length < count; attempt++) {
      const before = batches.length;
      await poller.pollOnce(0);
      for (const batch of batches.slice(before)) seen.push(...batch);
    }
    return seen;
  };
  return { poller, batches, errors, deliver };
};

const ids = (records: readonly { messageId: string }[]) => records.map((record) => record.messageId).sort();

describe("QueuePoller against fauxqs (Lambda SQS event source mapping semantics)", () => {
  test("hands batches of at most batchSize records shaped like Lambda's, and deletes what succeeded", async () => {
    const pair = await createPair("batch");
    const sent = new Map<string, { body: string; group: string }>();
    for (const group of ["g1", "g2", "g3"]) {
      const body = JSON.stringify({ group });
      sent.set(await send(pair.url, body, group), { body, group });
    }
    const { batches, errors, deliver, poller } = subject(pair, 5, () => undefined);

    const records = await deliver(3);

    expect(ids(records)).toEqual([...sent.keys()].sort());
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(5);
    for (const record of records) {
      const original = sent.get(record.messageId);
      expect(record.body).toBe(original?.body);
      expect(record.attributes.ApproximateReceiveCount).toBe("1");
      expect(record.attributes.MessageGroupId).toBe(original?.group);
      expect(record.receiptHandle).not.toBe("");
      expect(record.eventSource).toBe("aws:sqs");
      expect(record.eventSourceARN).toBe(pair.arn);
    }
    expect(errors).toEqual([]);

    // All succeeded, so all were deleted: nothing visible, nothing in flight, nothing comes back.
    expect(await depth(pair.url)).toEqual({ visible: 0, inFlight: 0 });
    await sleep(PAST_VISIBILITY_MS);
    const handled = batches.length;
    expect(await poller.pollOnce(0)).toBe(0);
    expect(batches.length).toBe(handled);
    expect(await receiveDirect(pair.url)).toEqual([]);
  });

  test("never hands the handler more than batchSize records", async () => {
    const pair = await createPair("cap");
    for (const group of ["g1", "g2", "g3"]) await send(pair.url, group, group);
    const { batches, deliver } = subject(pair, 2, () => undefined);

    const records = await deliver(3);

    expect(records).toHaveLength(3);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(2);
    expect(await depth(pair.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  test("partial batch failure: only the reported record is redelivered, after the visibility timeout", async () => {
    const pair = await createPair("partial");
    const failing = await send(pair.url, "fail", "g1");
    await send(pair.url, "ok-2", "g2");
    await send(pair.url, "ok-3", "g3");
    const { batches, errors, deliver, poller } = subject(pair, 5, (event) => ({
      batchItemFailures: event.Records.filter(
        (record) => record.body === "fail" && record.attributes.ApproximateReceiveCount === "1",
      ).map((record) => ({ itemIdentifier: record.messageId })),
    }));

    expect(await deliver(3)).toHaveLength(3);

    // The two successes are gone; the failure waits out its visibility timeout in flight.
    expect(await depth(pair.url)).toEqual({ visible: 0, inFlight: 1 });
    const handled = batches.length;
    expect(await poller.pollOnce(0)).toBe(0);
    expect(batches.length).toBe(handled);

    await sleep(PAST_VISIBILITY_MS);
    const again = await deliver(1);
    expect(again.map((record) => record.messageId)).toEqual([failing]);
    expect(again[0]?.body).toBe("fail");
    expect(again[0]?.attributes.ApproximateReceiveCount).toBe("2");
    expect(errors).toEqual([]);

    // The second delivery succeeded, so the queue is now empty.
    expect(await depth(pair.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  test("a throwing handler fails the whole batch and reports the error", async () => {
    const pair = await createPair("throw");
    const sent = [await send(pair.url, "a", "g1"), await send(pair.url, "b", "g2")];
    const boom = new Error("handler blew up");
    const { errors, deliver } = subject(pair, 5, (event) => {
      if (event.Records.some((record) => record.attributes.ApproximateReceiveCount === "1")) throw boom;
      return undefined;
    });

    const first = await deliver(2);
    expect(ids(first)).toEqual([...sent].sort());
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const error of errors) expect(error).toBe(boom);
    // Nothing was deleted: every record is still in flight.
    expect(await depth(pair.url)).toEqual({ visible: 0, inFlight: 2 });

    await sleep(PAST_VISIBILITY_MS);
    const second = await deliver(2);
    expect(ids(second)).toEqual([...sent].sort());
    for (const record of second) expect(record.attributes.ApproximateReceiveCount).toBe("2");
    expect(await depth(pair.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  test("a record that keeps failing moves to the DLQ after maxReceiveCount receives", async () => {
    const pair = await createPair("dlq");
    const poison = await send(pair.url, "poison", "g1");
    const { batches, errors, poller } = subject(pair, 5, (event) => ({
      batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
    }));

    for (let receive = 1; receive <= MAX_RECEIVE_COUNT; receive++) {
      if (receive > 1) await sleep(PAST_VISIBILITY_MS);
      expect(await poller.pollOnce(0)).toBe(1);
      expect(batches.at(-1)?.map((record) => [record.messageId, record.attributes.ApproximateReceiveCount])).toEqual([
        [poison, String(receive)],
      ]);
    }
    await sleep(PAST_VISIBILITY_MS);

    // As in SQS, the redrive happens on the next receive after maxReceiveCount: the handler
    // does not see the record a third time, and the DLQ holds it.
    const handled = batches.length;
    expect(await poller.pollOnce(0)).toBe(0);
    expect(batches.length).toBe(handled);
    expect(await depth(pair.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await receiveDirect(pair.url)).toEqual([]);

    const dead = await receiveDirect(pair.dlqUrl);
    expect(dead.map((message) => [message.MessageId, message.Body])).toEqual([[poison, "poison"]]);
    expect(errors).toEqual([]);
  });
});
