import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type * as z from "zod";
import { bookkeeping } from "./bookkeeping";
import { logger } from "./powertools";

/** A Step Functions task handler: logger context per invocation, typed input. */
export const taskHandler = <I, O>(schema: z.ZodType<I>, run: (input: I, context: Context) => Promise<O>) =>
  middy<unknown, O>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(bookkeeping())
    .handler(async (event, context) => run(schema.parse(event), context));
