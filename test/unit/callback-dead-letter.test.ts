import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { describe, expect, test } from "vitest";
import type { Delivery } from "../../functions/domain/delivery";
import { fifoBatchHandler } from "../../functions/shared/queue";
import { recordDeadLettered, replayCallback } from "../../functions/use-cases/callbacks";
import type { CallbackQueue, DeliveryStore } from "../../functions/use-cases/ports";

/**
 * A later callback of an order waits behind an earlier one that keeps failing; each try of
 * the earlier one is a receive of the later one too, and SQS dead-letters it after
 * maxReceiveCount while its delivery still says `pending` — which replay refuses. The
 * consumer records it dead-lettered as it leaves, and the replay works.
 */
const MAX_RECEIVES = 20;
const T0 = "2031-03-10T08:00:00.000Z";

const record = (messageId: string, group: string, receives: number, body: unknown): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body: JSON.stringify(body),
  attributes: {
    ApproximateReceiveCount: String(receives),
    SentTimestamp: "0",
    SenderId: "x",
    ApproximateFirstReceiveTimestamp: "0",
    MessageGroupId: group,
    SequenceNumber: messageId,
    MessageDeduplicationId: messageId,
  },
  messageAttributes: {},
  md5OfBody: "",
  eventSource: "aws:sqs",
  eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:callbacks.fifo",
  awsRegion: "eu-west-1",
});

const context = {
  functionName: "callbacks",
  awsRequestId: "req",
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const delivery = (id: string, status: Delivery["status"] = "pending"): Delivery => ({
  id,
  tenantId: "tenant-a",
  orderId: "ord_1",
  eventType: "order.issued",
  sequence: 3,
  webhookId: `msg_${id}`,
  url: "https://partner.example.com/hooks",
  occurredAt: T0,
  correlationId: "corr",
  status,
  attempts: [],
  roundStartedAt: T0,
  roundFirstAttempt: 0,
  replays: 0,
  createdAt: T0,
  updatedAt: T0,
  version: 1,
});

class MemoryDeliveries implements DeliveryStore {
  readonly rows = new Map<string, Delivery>();
  async create(created: Delivery) {
    if (this.rows.has(created.id)) return "exists" as const;
    this.rows.set(created.id, created);
    return "created" as const;
  }
  async listForOrder(tenantId: string, orderId: string) {
    return [...this.rows.values()].filter((row) => row.tenantId === tenantId && row.orderId === orderId);
  }
  async find(id: string) {
    return this.rows.get(id);
  }
  async save(previous: Delivery, next: Delivery) {
    if (this.rows.get(previous.id)?.version !== previous.version) return false;
    this.rows.set(next.id, next);
    return true;
  }
}

describe("a callback that waited behind its order's earlier one until dead-lettered", () => {
  test("the consumer calls back for each record leaving on its last receive, skipped ones included", async () => {
    const leaving: string[] = [];
    const handler = fifoBatchHandler(
      async (sqsRecord) => {
        if (sqsRecord.messageId === "earlier") throw new Error("partner answered 500");
      },
      { maxReceiveCount: MAX_RECEIVES, beforeDeadLetter: async (sqsRecord) => void leaving.push(sqsRecord.messageId) },
    );
    const event: SQSEvent = {
      Records: [
        record("earlier", "ord_1", 9, { deliveryId: "dlv_1" }),
        record("later", "ord_1", MAX_RECEIVES, { deliveryId: "dlv_2" }),
        record("other-order", "ord_2", MAX_RECEIVES, { deliveryId: "dlv_3" }),
      ],
    };
    const response = await handler(event, context);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(["earlier", "later"]);
    expect(leaving).toEqual(["later"]);
  });

  test("it is recorded dead-lettered, and can then be replayed", async () => {
    const deliveries = new MemoryDeliveries();
    deliveries.rows.set("dlv_2", delivery("dlv_2"));
    const now = () => new Date("2031-03-10T09:00:00Z");
    expect(await recordDeadLettered({ deliveries: deliveries, now }, "dlv_2")).toBe(true);
    expect(deliveries.rows.get("dlv_2")?.status).toBe("dead_lettered");

    const jobs: Parameters<CallbackQueue["enqueue"]>[0][] = [];
    const replayed = await replayCallback(
      {
        deliveries: deliveries,
        queue: { enqueue: async (job) => void jobs.push(job) },
        now,
      },
      "tenant-a",
      "dlv_2",
    );
    expect(replayed.status).toBe("pending");
    expect(jobs).toHaveLength(1);
  });

  test("a delivery that settled meanwhile is left as it is", async () => {
    const deliveries = new MemoryDeliveries();
    deliveries.rows.set("dlv_4", delivery("dlv_4", "delivered"));
    const now = () => new Date();
    expect(await recordDeadLettered({ deliveries: deliveries, now }, "dlv_4")).toBe(false);
    expect(deliveries.rows.get("dlv_4")?.status).toBe("delivered");
  });
});
