import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { bookkeeping } from "./bookkeeping";
import { logger } from "./powertools";

/**
 * A FIFO queue consumer: each group in sequence (a failed record fails the rest of its group,
 * not other groups), and failures reported per record so only they come back. By default one
 * record at a time; with `groupsInParallel` the batch's groups run side by side, so one
 * group's slow records (one tenant's slow endpoint) do not hold up another's.
 */
export const fifoBatchHandler = (
  handleRecord: (record: SQSRecord, context: Context) => Promise<void>,
  options: FifoBatchOptions = {},
) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(bookkeeping())
    .handler(async (event, context) => {
      const response = options.groupsInParallel
        ? await processGroupsInParallel(event.Records, (record) => handleRecord(record, context))
        : await processPartialResponse(
            event,
            (record: SQSRecord) => handleRecord(record, context),
            new SqsFifoPartialProcessorAsync(),
            {
              context,
              skipGroupOnError: true,
              throwOnFullBatchFailure: false,
            },
          );
      if (options.beforeDeadLetter !== undefined) await beforeDeadLetter(event, response, options);
      return response;
    });

/** Groups side by side, each group's records in order; the rest of a group after a failure fails too. */
export const processGroupsInParallel = async (
  records: readonly SQSRecord[],
  handle: (record: SQSRecord) => Promise<void>,
): Promise<SQSBatchResponse> => {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? record.messageId;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const failed: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (const [index, record] of group.entries()) {
        try {
          await handle(record);
        } catch (error) {
          logger.debug("record handed back to the queue", { error, message_id: record.messageId });
          failed.push(...group.slice(index).map((skipped) => skipped.messageId));
          return;
        }
      }
    }),
  );
  // In the batch's order, as the partial-batch response lists them.
  const failedSet = new Set(failed);
  return {
    batchItemFailures: records
      .filter((record) => failedSet.has(record.messageId))
      .map((record) => ({ itemIdentifier: record.messageId })),
  };
};

export interface FifoBatchOptions {
  /** Run the batch's message groups concurrently (each group still in order). */
  readonly groupsInParallel?: boolean;
  /** The queue's maxReceiveCount: a record failed on this receive goes to the dead-letter queue. */
  readonly maxReceiveCount?: number;
  /**
   * Called for each record reported failed (its own failure, or skipped behind an earlier
   * record of its group) on its last receive, before SQS moves it to the dead-letter queue.
   */
  readonly beforeDeadLetter?: (record: SQSRecord) => Promise<void>;
}

const beforeDeadLetter = async (event: SQSEvent, response: SQSBatchResponse, options: FifoBatchOptions) => {
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  for (const record of event.Records) {
    if (!failed.has(record.messageId)) continue;
    if (Number(record.attributes.ApproximateReceiveCount) < (options.maxReceiveCount ?? Number.POSITIVE_INFINITY))
      continue;
    await options
      .beforeDeadLetter?.(record)
      .catch((error: unknown) =>
        logger.error("could not record a dead-lettered message", { error, message_id: record.messageId }),
      );
  }
};
