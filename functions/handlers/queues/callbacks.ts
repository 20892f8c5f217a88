import * as z from "zod";
import { QUEUES } from "../../../lib/resources";
import { sendToDeadLetter } from "../../adapters/sqs/dead-letters";
import { retryLater } from "../../adapters/sqs/fifo-queue";
import { deliverDeps } from "../../shared/callback-delivery-wiring";
import { config } from "../../shared/config";
import { fifoBatchHandler } from "../../shared/queue";
import { deliverCallback, recordDeadLettered } from "../../use-cases/callbacks";

const CallbackJob = z.object({ deliveryId: z.string() });

/** Thrown to hand a record back to the queue; its visibility already says when to try again. */
class TryAgainLater extends Error {}

/** Time kept back at the end of an invocation to record the attempt and hand records back. */
const DEADLINE_MARGIN_MS = 2_000;

/**
 * The callback sender: one attempt per record, the batch's orders side by side (one tenant's
 * slow endpoint delays another's callbacks by at most one attempt), and no attempt started
 * that could outlive the invocation. When the schedule says "again in N s", the
 * record's visibility becomes N s and it is reported failed, so SQS hands it back then, and
 * the order's later callbacks wait behind it (FIFO group), keeping the partner's order.
 */
export const handler = fifoBatchHandler(
  async (record, context) => {
    const job = CallbackJob.parse(JSON.parse(record.body));
    const attemptMs = config().callbackTimeoutMs;
    const outcome = await deliverCallback(
      deliverDeps(),
      job.deliveryId,
      () => context.getRemainingTimeInMillis() > attemptMs + DEADLINE_MARGIN_MS,
    );
    if (outcome.done && outcome.deadLettered === true) {
      // Its schedule ran out: to the dead-letter queue, where /ops shows it and a redrive sends it again.
      await sendToDeadLetter("callbacks", {
        body: record.body,
        groupId: record.attributes.MessageGroupId ?? job.deliveryId,
        dedupId: `${record.messageId}-dead`,
      });
    }
    if (!outcome.done) {
      await retryLater("callbacks", record.receiptHandle, outcome.retryInMs / 1000);
      throw new TryAgainLater(`delivery ${job.deliveryId}: next attempt in ${outcome.retryInMs} ms`);
    }
  },
  {
    groupsInParallel: true,
    // A job that waited behind its order's earlier callbacks can use up its receives while
    // still pending; it is recorded dead-lettered as it leaves, so a replay can send it.
    maxReceiveCount: QUEUES.callbacks.maxReceiveCount,
    beforeDeadLetter: async (record) => {
      const job = CallbackJob.safeParse(JSON.parse(record.body));
      if (job.success) await recordDeadLettered(deliverDeps(), job.data.deliveryId);
    },
  },
);
