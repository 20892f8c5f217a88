/**
 * One Lambda execution environment: a worker thread with the function's own environment
 * (the Worker's `env` option), which imports the handler module once and keeps it warm
 * between invocations, one invocation at a time, as Lambda does.
 */
import { randomUUID } from "node:crypto";
import * as nodeModule from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type { Context } from "aws-lambda";
import { type OutboundCall, recordOutboundCalls } from "./outbound-calls";

export interface WorkerSetup {
  readonly handlerFile: string;
  readonly functionName: string;
  readonly memoryMb: number;
  /** Record each invocation's outbound calls (the bench's AWS call and wave counts). */
  readonly recordCalls?: boolean;
  /** V8's compiled code for the bundle, kept on disk between environments (Node 22+; a local speed-up only). */
  readonly compileCacheDir?: string;
}

export interface InvokeMessage {
  readonly id: number;
  readonly event: unknown;
  readonly deadline: number;
}

/** Sent once the handler module is loaded (or failed to load: the invocations then report it). */
export interface InitializedMessage {
  readonly initialized: true;
}

export type WorkerMessage = InitializedMessage | ResultMessage;

export type ResultMessage = (
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly name: string; readonly message: string; readonly stack?: string };
    }
) & { readonly calls?: readonly OutboundCall[] };

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const setup = workerData as WorkerSetup;
// Each new environment would compile the same multi-megabyte bundle again: about a fifth of a local cold start.
if (setup.compileCacheDir !== undefined) nodeModule.enableCompileCache?.(setup.compileCacheDir);
const recorder = setup.recordCalls === true ? recordOutboundCalls() : undefined;
const loaded = import(setup.handlerFile).then((module: { handler?: unknown }) => {
  if (typeof module.handler !== "function") throw new Error(`${setup.handlerFile} exports no handler`);
  return module.handler as Handler;
});
// An init error is reported by each invocation, as Lambda reports it.
void loaded
  .catch(() => undefined)
  .then(() => parentPort?.postMessage({ initialized: true } satisfies InitializedMessage));

const contextFor = (deadline: number): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: setup.functionName,
  functionVersion: "$LATEST",
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${setup.functionName}`,
  memoryLimitInMB: String(setup.memoryMb),
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${setup.functionName}`,
  logStreamName: "local",
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Lambda answers JSON: what the handler returns crosses as JSON (undefined → null). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

parentPort?.on("message", (message: InvokeMessage) => {
  void (async () => {
    let reply: ResultMessage;
    const handler = await loaded.catch(() => undefined);
    recorder?.start();
    try {
      if (handler === undefined) await loaded; // rethrows the init error
      reply = {
        id: message.id,
        ok: true,
        result: asJson(await (handler as Handler)(message.event, contextFor(message.deadline))),
      };
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      reply = { id: message.id, ok: false, error: { name: error.name, message: error.message, stack: error.stack } };
    }
    parentPort?.postMessage(recorder === undefined ? reply : { ...reply, calls: recorder.stop() });
  })();
});
