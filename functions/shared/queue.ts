import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { logger } from "./powertools";

/**
 * A FIFO queue consumer: one record at a time, each group in sequence (a failed record fails
 * the rest of its group, not other groups), and failures reported per record so only they
 * come back.
 */
export const fifoBatchHandler = (handleRecord: (record: SQSRecord, context: Context) => Promise<void>) =>
  middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) =>
      processPartialResponse(
        event,
        (record: SQSRecord) => handleRecord(record, context),
        new SqsFifoPartialProcessorAsync(),
        {
          context,
          skipGroupOnError: true,
          throwOnFullBatchFailure: false,
        },
      ),
    );
