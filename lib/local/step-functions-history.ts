/**
 * The Step Functions stand-in's executions, and the AWS history events each
 * aws-local-stepfunctions event log stands for (GetExecutionHistory answers them).
 */
import type { RunOptions, StateMachine } from "aws-local-stepfunctions";
import { ACCOUNT, isRecord, REGION, type TaskKind } from "./asl-render";

export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/local-step-functions`;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type EngineJson = Parameters<StateMachine["run"]>[0];
export type EngineRun = ReturnType<StateMachine["run"]>;
export type EngineEvent = EngineRun["eventLogs"] extends AsyncGenerator<infer E> ? E : never;
export type EngineHandlers = NonNullable<NonNullable<RunOptions["overrides"]>["taskResourceLocalHandlers"]>;

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch seconds, as the JSON 1.0 protocol carries timestamps. */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface Workflow {
  name: string;
  arn: string;
  definition: Record<string, unknown>;
  machine: StateMachine;
  handlers: EngineHandlers;
  /** Task states by name, to tell Lambda tasks from other integrations in the history. */
  tasks: Map<string, { kind: TaskKind; exactInput: boolean }>;
  /** Wait states by name: when an execution in one wakes up. */
  waits: Map<string, Record<string, unknown>>;
  executions: Execution[];
}

export interface Execution {
  arn: string;
  name: string;
  workflow: Workflow;
  input: string;
  startDate: number;
  stopDate?: number;
  status: ExecutionStatus;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  redriveCount?: number;
  redriveDate?: number;
  /** Task/Map/Parallel states (name#iteration) whose latest attempt failed. */
  failing: Set<string>;
  /** While in a Wait state: when it ends (epoch ms). */
  wakesAt?: number;
  engineSettled: boolean;
  abort: () => void;
  finished: Promise<void>;
}

/** A JSONPath of plain fields (`$.booking.ticketing_deadline`) applied to a state's input. */
const atPath = (input: unknown, path: unknown): unknown =>
  typeof path !== "string"
    ? undefined
    : path
        .replace(/^\$\.?/, "")
        .split(".")
        .filter(Boolean)
        .reduce<unknown>((value, field) => (isRecord(value) ? value[field] : undefined), input);

/** When a Wait state entered at `enteredAt` with `input` ends (epoch ms); undefined if it cannot tell. */
export const waitEndsAt = (state: Record<string, unknown>, input: unknown, enteredAt: number): number | undefined => {
  const seconds = state.Seconds ?? atPath(input, state.SecondsPath);
  if (typeof seconds === "number") return enteredAt + seconds * 1000;
  const timestamp = state.Timestamp ?? atPath(input, state.TimestampPath);
  const at = typeof timestamp === "string" ? Date.parse(timestamp) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
};

export const causeText = (cause: unknown): string | undefined => {
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause === "string") return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
};

export const json = (value: unknown) => JSON.stringify(value ?? null);
export const NOT_TRUNCATED = { truncated: false };

/** Appends the AWS history events that one aws-local-stepfunctions event log stands for. */
export const recordEvent = (execution: Execution, event: EngineEvent): void => {
  const timestamp = event.timestamp / 1000;
  const add = (type: string, details: Record<string, unknown> = {}) => {
    const id = execution.history.length + 1;
    execution.history.push({ id, previousEventId: id - 1, timestamp, type, ...details });
  };
  const taskEvent = (stateName: string, phase: "Scheduled" | "Started" | "Succeeded" | "Failed", extra = {}) => {
    const kind = execution.workflow.tasks.get(stateName)?.kind;
    if (kind?.kind === "lambda") {
      const details = phase === "Scheduled" ? { resource: kind.resource, ...extra } : extra;
      add(`LambdaFunction${phase}`, phase === "Started" ? {} : { [`lambdaFunction${phase}EventDetails`]: details });
      return;
    }
    const resourceType = kind?.kind === "integration" ? kind.resourceType : "lambda";
    const resource = kind?.resource ?? "unknown";
    const region = phase === "Scheduled" ? { region: REGION } : {};
    add(`Task${phase}`, { [`task${phase}EventDetails`]: { resourceType, resource, ...region, ...extra } });
  };
  /** Scheduled + Started; the payload is shown when it is the state input (no InputPath/Parameters). */
  const taskAttempt = (stateName: string, stateInput: unknown) => {
    const task = execution.workflow.tasks.get(stateName);
    const input = json(stateInput);
    const payload = task?.kind.kind === "lambda" ? { input, inputDetails: NOT_TRUNCATED } : { parameters: input };
    taskEvent(stateName, "Scheduled", task?.exactInput === true ? payload : {});
    taskEvent(stateName, "Started");
  };
  switch (event.type) {
    case "ExecutionStarted":
      add("ExecutionStarted", {
        executionStartedEventDetails: { input: json(event.input), inputDetails: NOT_TRUNCATED, roleArn: ROLE_ARN },
      });
      return;
    case "ExecutionSucceeded":
      add("ExecutionSucceeded", {
        executionSucceededEventDetails: { output: json(event.output), outputDetails: NOT_TRUNCATED },
      });
      return;
    case "ExecutionFailed":
      add("ExecutionFailed", { executionFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) } });
      return;
    case "ExecutionAborted":
      add("ExecutionAborted", { executionAbortedEventDetails: { error: execution.error, cause: execution.cause } });
      return;
    case "ExecutionTimeout":
      add("ExecutionTimedOut", { executionTimedOutEventDetails: { error: "States.Timeout" } });
      return;
    case "MapIterationStarted":
      add(event.type, { mapIterationStartedEventDetails: { name: event.parentState.name, index: event.index } });
      return;
    case "MapIterationSucceeded":
      add(event.type, { mapIterationSucceededEventDetails: { name: event.parentState.name, index: event.index } });
      return;
    case "MapIterationFailed":
      add(event.type, { mapIterationFailedEventDetails: { name: event.parentState.name, index: event.index } });
      return;
    case "ParallelBranchStarted":
    case "ParallelBranchSucceeded":
    case "ParallelBranchFailed":
    case "StateCaught":
      return; // AWS has no event of its own for these
    default:
      break;
  }
  const { name, type } = event.state;
  const key = `${name}#${event.index ?? ""}`;
  switch (event.type) {
    case "StateEntered":
      if (type === "Wait") {
        const state = execution.workflow.waits.get(name);
        execution.wakesAt = state === undefined ? undefined : waitEndsAt(state, event.state.input, event.timestamp);
      }
      add(`${type}StateEntered`, {
        stateEnteredEventDetails: { name, input: json(event.state.input), inputDetails: NOT_TRUNCATED },
      });
      if (type === "Map" || type === "Parallel") add(`${type}StateStarted`);
      if (type === "Task") taskAttempt(name, event.state.input);
      return;
    case "StateRetried":
      execution.failing.delete(key);
      if (type === "Task") taskAttempt(name, event.state.input);
      return;
    case "StateFailed":
      execution.failing.add(key);
      if (type === "Task") taskEvent(name, "Failed", { error: event.Error, cause: causeText(event.Cause) });
      if (type === "Map" || type === "Parallel") add(`${type}StateFailed`);
      return;
    case "StateExited": {
      if (type === "Wait") execution.wakesAt = undefined;
      const failed = execution.failing.delete(key);
      if (!failed && type === "Task") taskEvent(name, "Succeeded");
      if (!failed && (type === "Map" || type === "Parallel")) add(`${type}StateSucceeded`);
      add(`${type}StateExited`, {
        stateExitedEventDetails: { name, output: json(event.state.output), outputDetails: NOT_TRUNCATED },
      });
      return;
    }
  }
};

export const withoutExecutionData = (event: HistoryEvent): HistoryEvent =>
  Object.fromEntries(
    Object.entries(event).map(([key, value]) => {
      if (!key.endsWith("EventDetails") || !isRecord(value)) return [key, value];
      const { input: _input, output: _output, parameters: _parameters, ...rest } = value;
      return [key, rest];
    }),
  ) as HistoryEvent;
