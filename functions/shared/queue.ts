import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { bookkeeping } from "./bookkeeping";
import { logger } from "./powertools";

/**
 * A FIFO queue consumer: one record at a time, each group in sequence (a failed record fails
 * the rest of its group, not other groups), and failures reported per record so only they
 * come back.
 */
export const fifoBatchHandler = (
  handleRecord: (record: SQSRecord, context: Context) => Promise<void>,
  options: FifoBatchOptions = {},
) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(bookkeeping())
    .handler(async (event, context) => {
      const response = await processPartialResponse(
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

export interface FifoBatchOptions {
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
