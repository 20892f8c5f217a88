import { randomUUID } from "node:crypto";
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemNotFoundError,
  IdempotencyValidationError,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { Context } from "aws-lambda";
import { AvfError, validationError } from "../domain/errors";
import type { Order } from "../domain/order";
import { toPublicOrder } from "../domain/order-view";
import { tableName } from "./config";
import type { HttpResult } from "./http";

export type IdempotentOperation = "createOrder" | "issueOrder" | "cancelOrder" | "changeOrder" | "rejectScheduleChange";

const SEVEN_DAYS_S = 7 * 86_400;

interface Payload {
  /** tenant + Idempotency-Key; the operation is the record's key prefix. */
  readonly idempotency_key: string;
  /** What the request asked for: the same key with another body is a mismatch. */
  readonly body: unknown;
}

/** What an operation answers: a status and the order it is about. */
export interface OrderAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly order: Order;
}

/**
 * What the idempotency record keeps of the answer: its status, headers and the order's id,
 * never the order itself (it names the passengers); a replay reads the stored order again.
 */
interface StoredResult {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly order_id: string;
  /** Which execution produced the result: another one's means this answer is a replay. */
  readonly execution: string;
}

type Execute = () => Promise<StoredResult>;

const wrappers = new Map<
  IdempotentOperation,
  { run: (payload: Payload, execute: Execute) => Promise<StoredResult>; config: IdempotencyConfig }
>();

/** One persistence layer and config per operation: Powertools silently ignores a second config on a shared layer. */
const wrapperFor = (operation: IdempotentOperation) => {
  let wrapper = wrappers.get(operation);
  if (wrapper === undefined) {
    const config = new IdempotencyConfig({
      eventKeyJmesPath: "idempotency_key",
      payloadValidationJmesPath: "body",
      expiresAfterSeconds: SEVEN_DAYS_S,
      throwOnNoIdempotencyKey: true,
    });
    const persistenceStore = new DynamoDBPersistenceLayer({ tableName: tableName("idempotency") });
    const run = makeIdempotent(async (_payload: Payload, execute: Execute) => execute(), {
      persistenceStore,
      config,
      keyPrefix: operation,
      dataIndexArgument: 0,
    });
    wrapper = { run, config };
    wrappers.set(operation, wrapper);
  }
  return wrapper;
};

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Past its deadline a request still writes its answer: its record stays in progress this much longer. */
const IN_PROGRESS_MARGIN_MS = 2_000;

/** The Lambda context as Powertools should see it: remaining time bounded by the request's deadline. */
const inProgressUntil = (context: Context, deadlineAt: number): Context => ({
  ...context,
  getRemainingTimeInMillis: () =>
    Math.max(1_000, Math.min(context.getRemainingTimeInMillis(), deadlineAt + IN_PROGRESS_MARGIN_MS - Date.now())),
});

/**
 * Runs a side-effecting request at most once per (tenant, operation, Idempotency-Key) for 7
 * days (Powertools idempotency on DynamoDB): a repeat with the same body gets the first
 * answer's status and order (as stored now: the record keeps only its id) with
 * `Idempotent-Replayed: true`; another body → 409 AVF_409_IDEMPOTENCY_MISMATCH;
 * while the first still runs → 409 AVF_409_REQUEST_IN_PROGRESS with Retry-After. A request
 * that fails leaves no record, so the client may simply retry it.
 */
export const runIdempotently = async (
  operation: IdempotentOperation,
  request: {
    tenantId: string;
    headers: Readonly<Record<string, string>>;
    body: unknown;
    lambdaContext: Context;
    /** When the request gives up: its in-progress record lapses shortly after, not with the Lambda's timeout. */
    deadlineAt: number;
  },
  handle: () => Promise<OrderAnswer>,
  reread: (orderId: string) => Promise<Order | undefined>,
): Promise<HttpResult> => {
  const key = request.headers["idempotency-key"];
  if (key === undefined || key === "") {
    throw new AvfError("AVF_400_IDEMPOTENCY_KEY_REQUIRED", "send an Idempotency-Key header (1–255 characters)");
  }
  if (!KEY_PATTERN.test(key)) {
    throw validationError([{ path: "Idempotency-Key", message: "must be 1–255 visible ASCII characters" }]);
  }
  const { run, config } = wrapperFor(operation);
  // The in-progress record expires shortly after this request's own deadline (the time its
  // work is bounded by), so after a crash its retry waits seconds, not the Lambda's timeout.
  config.registerLambdaContext(inProgressUntil(request.lambdaContext, request.deadlineAt));
  const execution = randomUUID();
  let fresh: Order | undefined;
  try {
    const result = await run({ idempotency_key: `${request.tenantId}#${key}`, body: request.body ?? {} }, async () => {
      const answer = await handle();
      fresh = answer.order;
      return {
        status: answer.status,
        ...(answer.headers === undefined ? {} : { headers: answer.headers }),
        order_id: answer.order.id,
        execution,
      };
    });
    if (result.execution === execution && fresh !== undefined) {
      return { status: result.status, headers: result.headers, body: toPublicOrder(fresh) };
    }
    const order = await reread(result.order_id);
    if (order === undefined) throw new AvfError("AVF_404_ORDER_NOT_FOUND", "no such order");
    return {
      status: result.status,
      headers: { ...result.headers, "idempotent-replayed": "true" },
      body: toPublicOrder(order),
    };
  } catch (error) {
    if (error instanceof IdempotencyValidationError) {
      throw new AvfError("AVF_409_IDEMPOTENCY_MISMATCH", "this Idempotency-Key was used with a different request");
    }
    // ItemNotFound: the first request's record vanished between our write and read (it failed
    // and was removed), a race the client resolves by retrying like any in-progress answer.
    if (error instanceof IdempotencyAlreadyInProgressError || error instanceof IdempotencyItemNotFoundError) {
      throw new AvfError("AVF_409_REQUEST_IN_PROGRESS", "a request with this Idempotency-Key is still running", {
        retryAfterSeconds: 1,
      });
    }
    throw error;
  }
};
