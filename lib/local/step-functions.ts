import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from "aws-local-stepfunctions";
import {
  ACCOUNT,
  forEachState,
  isRecord,
  REGION,
  type RenderedWorkflow,
  renderWorkflows,
  type TaskKind,
  taskKind,
} from "./asl-render";
import { ExecutionStore, type StoredExecution } from "./execution-store";
import {
  causeText,
  type EngineHandlers,
  type EngineJson,
  type EngineRun,
  type Execution,
  type HistoryEvent,
  type Json,
  json,
  ROLE_ARN,
  recordEvent,
  type Workflow,
  withoutExecutionData,
} from "./step-functions-history";
import { REDRIVABLE, redrivePoint } from "./step-functions-redrive";

export { type RenderedWorkflow, renderWorkflows };

/**
 * The Step Functions stand-in. The ASL comes from the same CDK chains the cloud deploys
 * (rendered from the synthesized template), executions run in-process with
 * aws-local-stepfunctions, and clients talk to it with the real @aws-sdk/client-sfn over the
 * AWS JSON 1.0 protocol. No Step Functions emulator that runs local handlers exists on npm.
 */

const stateMachineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
const executionArn = (machine: string, name: string) =>
  `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine}:${name}`;

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

/** A Lambda handler as a Task calls it: the payload in, the function's result out. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalWorkflow {
  name: string;
  definition: Record<string, unknown>;
  /** Keyed by Task state name (nested ones included); every Task state needs one. */
  taskHandlers: Record<string, TaskHandler>;
}

export interface LocalStepFunctions {
  endpoint: string;
  /** arn:aws:states:local:000000000000:stateMachine:<name> */
  stateMachineArn(name: string): string;
  /**
   * Resolves when every running execution has finished, or is in a Wait state that ends after
   * timeoutMs (an order held until its ticketing deadline: nothing happens before then);
   * rejects after timeoutMs (tests).
   */
  idle(timeoutMs?: number): Promise<void>;
  /** Aborts running executions, closes the server. */
  close(): Promise<void>;
}

/** The `__type` of an AWS JSON error answer; the SDK raises the exception of that name. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** What Step Functions sees when a Lambda function throws: Error = errorType, Cause = the JSON. */
class LambdaFunctionError extends Error {
  constructor(errorType: string, cause: string) {
    super(cause);
    this.name = errorType;
  }
}

const asLambdaFailure = (thrown: unknown): LambdaFunctionError => {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  const errorType = error.name || "Error";
  const trace = (error.stack ?? `${errorType}: ${error.message}`).split("\n");
  return new LambdaFunctionError(errorType, JSON.stringify({ errorType, errorMessage: error.message, trace }));
};

/** Lambda speaks JSON: the handler gets a copy and `undefined` comes back as null. */
const throughJson = (value: unknown): Json => JSON.parse(JSON.stringify(value ?? null)) as Json;

const wrapHandler = (kind: TaskKind, handler: TaskHandler) => async (input: EngineJson) => {
  const payload = kind.kind === "lambdaInvoke" && isRecord(input) ? input.Payload : input;
  let result: unknown;
  try {
    result = await handler(throughJson(payload));
  } catch (error) {
    throw asLambdaFailure(error);
  }
  const json = throughJson(result);
  if (kind.kind !== "lambdaInvoke") return json as EngineJson;
  return {
    ExecutedVersion: "$LATEST",
    Payload: json,
    SdkResponseMetadata: { RequestId: randomUUID() },
    StatusCode: 200,
  } satisfies Json as EngineJson;
};

const usesJsonata = (definition: Record<string, unknown>): boolean => {
  let found = definition.QueryLanguage === "JSONata";
  forEachState(definition, (_name, state) => {
    found ||= state.QueryLanguage === "JSONata";
  });
  return found;
};

const prepareWorkflow = (workflow: LocalWorkflow, validateAsl: boolean): Workflow => {
  if (usesJsonata(workflow.definition)) {
    throw new Error(`${workflow.name}: aws-local-stepfunctions ignores JSONata; use JSONPath`);
  }
  const tasks = new Map<string, { kind: TaskKind; exactInput: boolean }>();
  const waits = new Map<string, Record<string, unknown>>();
  forEachState(workflow.definition, (stateName, state) => {
    if (state.Type === "Wait") waits.set(stateName, state);
    if (state.Type !== "Task") return;
    const exactInput = state.InputPath === undefined && state.Parameters === undefined;
    tasks.set(stateName, { kind: taskKind(state), exactInput });
  });
  const handlers: EngineHandlers = {};
  for (const [stateName, task] of tasks) {
    const handler = workflow.taskHandlers[stateName];
    // Without an override aws-local-stepfunctions would call the real AWS Lambda.
    if (handler === undefined) throw new Error(`${workflow.name}: Task state "${stateName}" has no local handler`);
    handlers[stateName] = wrapHandler(task.kind, handler);
  }
  for (const stateName of Object.keys(workflow.taskHandlers)) {
    if (!tasks.has(stateName)) throw new Error(`${workflow.name}: no Task state named "${stateName}"`);
  }
  const machine = new StateMachine(workflow.definition as unknown as StateMachineDefinition, {
    validationOptions: { checkArn: false, checkPaths: false, noValidate: !validateAsl },
  });
  return {
    name: workflow.name,
    arn: stateMachineArn(workflow.name),
    definition: workflow.definition,
    machine,
    handlers,
    tasks,
    waits,
    executions: [],
  };
};

/** AWS's rule: 1–80 characters, no whitespace, brackets, wildcards, special or control characters. */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

const page = <T>(items: T[], request: Record<string, unknown>): { items: T[]; nextToken?: string } => {
  const requested = typeof request.maxResults === "number" ? request.maxResults : 0;
  const size = requested > 0 ? Math.min(requested, 1000) : 100;
  let start = 0;
  if (typeof request.nextToken === "string") {
    start = Number(Buffer.from(request.nextToken, "base64url").toString("utf8"));
    if (!Number.isInteger(start) || start < 0) throw new ServiceError("InvalidToken", "Invalid Token");
  }
  const end = start + size;
  const next = end < items.length ? Buffer.from(String(end)).toString("base64url") : undefined;
  return next === undefined ? { items: items.slice(start, end) } : { items: items.slice(start, end), nextToken: next };
};

const requiredString = (request: Record<string, unknown>, key: string): string => {
  const value = request[key];
  if (typeof value !== "string" || value === "") {
    throw new ServiceError("ValidationException", `1 validation error detected: '${key}' must not be null`);
  }
  return value;
};

const stored = (execution: Execution): StoredExecution => ({
  arn: execution.arn,
  name: execution.name,
  workflow: execution.workflow.name,
  input: execution.input,
  startDate: execution.startDate,
  stopDate: execution.stopDate,
  status: execution.status,
  output: execution.output,
  error: execution.error,
  cause: execution.cause,
  history: execution.history,
});

/**
 * An execution of an earlier run of the stand-in. One that was still running died with that
 * process (the stand-in cannot resume an execution mid-state): it is ABORTED, its name stays
 * taken as in AWS, and the reconciliation settles its order.
 */
const restored = (saved: StoredExecution, workflow: Workflow): Execution => {
  const interrupted = saved.status === "RUNNING";
  return {
    ...saved,
    workflow,
    status: interrupted ? "ABORTED" : saved.status,
    stopDate: interrupted ? Date.now() : saved.stopDate,
    error: interrupted ? "Local.RuntimeStopped" : saved.error,
    cause: interrupted ? "the local runtime stopped while this execution ran" : saved.cause,
    history: [
      ...saved.history.map((event) => ({ ...event }) as HistoryEvent),
      ...(interrupted
        ? [
            {
              id: saved.history.length + 1,
              previousEventId: saved.history.length,
              timestamp: Date.now() / 1000,
              type: "ExecutionAborted",
            },
          ]
        : []),
    ],
    failing: new Set(),
    engineSettled: true,
    abort: () => undefined,
    finished: Promise.resolve(),
  };
};

export const startLocalStepFunctions = async (options: {
  workflows: LocalWorkflow[];
  onError?: (error: unknown) => void;
  /** Where executions are kept across restarts; in memory only without it. */
  stateFile?: string;
  /** Validate each definition against the ASL schema (default); about 0.5 s of CPU per process. */
  validateAsl?: boolean;
}): Promise<LocalStepFunctions> => {
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  const workflows = new Map<string, Workflow>();
  for (const definition of options.workflows) {
    const workflow = prepareWorkflow(definition, options.validateAsl ?? true);
    if (workflows.has(workflow.arn)) throw new Error(`two workflows named ${workflow.name}`);
    workflows.set(workflow.arn, workflow);
  }
  const executions = new Map<string, Execution>();
  const running = new Set<Execution>();
  const store =
    options.stateFile === undefined
      ? undefined
      : new ExecutionStore(options.stateFile, () => [...executions.values()].map(stored));
  const changed = () => store?.changed();
  for (const saved of store?.load() ?? []) {
    const workflow = workflows.get(stateMachineArn(saved.workflow));
    if (workflow === undefined) continue;
    const execution = restored(saved, workflow);
    executions.set(execution.arn, execution);
    workflow.executions.push(execution);
    changed();
  }

  const findWorkflow = (arn: string): Workflow => {
    const workflow = workflows.get(arn);
    if (workflow !== undefined) return workflow;
    if (!arn.startsWith(stateMachineArn(""))) throw new ServiceError("InvalidArn", `Invalid Arn: '${arn}'`);
    throw new ServiceError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
  };
  const findExecution = (arn: string): Execution => {
    const execution = executions.get(arn);
    if (execution !== undefined) return execution;
    if (!arn.startsWith(`arn:aws:states:${REGION}:${ACCOUNT}:execution:`)) {
      throw new ServiceError("InvalidArn", `Invalid Arn: '${arn}'`);
    }
    throw new ServiceError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
  };

  const settle = (execution: Execution, outcome: unknown, succeeded: boolean) => {
    changed();
    if (execution.status !== "RUNNING") return; // stopped meanwhile
    execution.stopDate = Date.now();
    if (succeeded) {
      execution.status = "SUCCEEDED";
      execution.output = json(outcome);
    } else if (outcome instanceof ExecutionTimeoutError) {
      execution.status = "TIMED_OUT";
      execution.error = "States.Timeout";
    } else if (outcome instanceof ExecutionAbortedError) {
      execution.status = "ABORTED";
    } else if (outcome instanceof ExecutionError && outcome.cause instanceof Error) {
      execution.status = "FAILED";
      execution.error = outcome.cause.name;
      execution.cause = causeText(outcome.cause.cause ?? outcome.cause.message);
    } else {
      onError(outcome);
      execution.status = "FAILED";
      execution.error = "States.Runtime";
      execution.cause = causeText(outcome);
    }
  };

  const startExecution = (workflow: Workflow, name: string, input: string): Execution => {
    let parsed: EngineJson;
    try {
      parsed = JSON.parse(input) as EngineJson;
    } catch {
      throw new ServiceError("InvalidExecutionInput", "Invalid State Machine Execution Input: 'input is not JSON'");
    }
    const arn = executionArn(workflow.name, name);
    const startDate = Date.now();
    const run = workflow.machine.run(parsed, {
      overrides: { taskResourceLocalHandlers: workflow.handlers },
      context: {
        Execution: { Id: arn, Name: name, RoleArn: ROLE_ARN, StartTime: new Date(startDate).toISOString() },
        StateMachine: { Id: workflow.arn, Name: workflow.name },
      },
    });
    const execution: Execution = {
      arn,
      name,
      workflow,
      input,
      startDate,
      status: "RUNNING",
      history: [],
      failing: new Set(),
      engineSettled: false,
      abort: run.abort,
      finished: Promise.resolve(),
    };
    attach(execution, run);
    executions.set(arn, execution);
    workflow.executions.push(execution);
    changed();
    return execution;
  };

  /** Follows a run of the engine: its events become the execution's history, its end the execution's. */
  const attach = (execution: Execution, run: EngineRun): void => {
    execution.engineSettled = false;
    execution.abort = run.abort;
    const consumed = (async () => {
      for await (const event of run.eventLogs) {
        recordEvent(execution, event);
        changed();
      }
    })();
    const outcome = run.result.then(
      (output) => ({ value: output as unknown, succeeded: true }),
      (error: unknown) => ({ value: error, succeeded: false }),
    );
    void outcome.then(() => {
      execution.engineSettled = true;
    });
    // The status changes once the history is complete too, so a finished execution has its whole history.
    execution.finished = Promise.all([consumed, outcome])
      .then(([, result]) => settle(execution, result.value, result.succeeded))
      .catch(onError)
      .finally(() => running.delete(execution));
    running.add(execution);
  };

  /** RedriveExecution: on from the state it stopped in (step-functions-redrive.ts). */
  const redrive = (execution: Execution): number => {
    const from =
      REDRIVABLE.has(execution.status) && execution.engineSettled
        ? redrivePoint(execution.workflow.definition, execution.history)
        : undefined;
    if (from === undefined) {
      throw new ServiceError("ExecutionNotRedrivable", `Execution is not redrivable: '${execution.arn}'`);
    }
    const { workflow } = execution;
    const machine = new StateMachine(
      { ...workflow.definition, StartAt: from.state } as unknown as StateMachineDefinition,
      {
        validationOptions: { checkArn: false, checkPaths: false },
      },
    );
    const run = machine.run(JSON.parse(from.input) as EngineJson, {
      overrides: { taskResourceLocalHandlers: workflow.handlers },
      context: {
        Execution: {
          Id: execution.arn,
          Name: execution.name,
          RoleArn: ROLE_ARN,
          StartTime: new Date(execution.startDate).toISOString(),
        },
        StateMachine: { Id: workflow.arn, Name: workflow.name },
      },
    });
    const at = Date.now();
    execution.redriveCount = (execution.redriveCount ?? 0) + 1;
    execution.redriveDate = at;
    execution.status = "RUNNING";
    execution.stopDate = undefined;
    execution.error = undefined;
    execution.cause = undefined;
    execution.failing = new Set();
    const id = execution.history.length + 1;
    execution.history.push({
      id,
      previousEventId: id - 1,
      timestamp: at / 1000,
      type: "ExecutionRedriven",
      executionRedrivenEventDetails: { redriveCount: execution.redriveCount },
    });
    attach(execution, run);
    changed();
    return at;
  };

  const operations: Record<string, (request: Record<string, unknown>) => unknown> = {
    StartExecution: (request) => {
      const workflow = findWorkflow(requiredString(request, "stateMachineArn"));
      const name = typeof request.name === "string" ? request.name : randomUUID();
      if (!EXECUTION_NAME.test(name)) throw new ServiceError("InvalidName", `Invalid Name: '${name}'`);
      const input = typeof request.input === "string" ? request.input : "{}";
      const existing = executions.get(executionArn(workflow.name, name));
      if (existing !== undefined) {
        // Standard workflows: idempotent while the execution with that name and input runs.
        if (existing.status === "RUNNING" && existing.input === input) {
          return { executionArn: existing.arn, startDate: seconds(existing.startDate) };
        }
        throw new ServiceError("ExecutionAlreadyExists", `Execution Already Exists: '${existing.arn}'`);
      }
      const execution = startExecution(workflow, name, input);
      return { executionArn: execution.arn, startDate: seconds(execution.startDate) };
    },
    DescribeExecution: (request) => {
      const execution = findExecution(requiredString(request, "executionArn"));
      return {
        executionArn: execution.arn,
        stateMachineArn: execution.workflow.arn,
        name: execution.name,
        status: execution.status,
        startDate: seconds(execution.startDate),
        stopDate: seconds(execution.stopDate),
        input: execution.input,
        inputDetails: { included: true },
        output: execution.output,
        outputDetails: execution.output === undefined ? undefined : { included: true },
        error: execution.error,
        cause: execution.cause,
        redriveCount: execution.redriveCount ?? 0,
        redriveDate: seconds(execution.redriveDate),
      };
    },
    ListExecutions: (request) => {
      const workflow = findWorkflow(requiredString(request, "stateMachineArn"));
      const filter = request.statusFilter;
      const matching = workflow.executions
        .filter((execution) => filter === undefined || execution.status === filter)
        .reverse(); // newest first
      const { items, nextToken } = page(matching, request);
      return {
        executions: items.map((execution) => ({
          executionArn: execution.arn,
          stateMachineArn: workflow.arn,
          name: execution.name,
          status: execution.status,
          startDate: seconds(execution.startDate),
          stopDate: seconds(execution.stopDate),
        })),
        nextToken,
      };
    },
    StopExecution: (request) => {
      const execution = findExecution(requiredString(request, "executionArn"));
      if (execution.status === "RUNNING" && !execution.engineSettled) {
        execution.status = "ABORTED";
        execution.stopDate = Date.now();
        if (typeof request.error === "string") execution.error = request.error;
        if (typeof request.cause === "string") execution.cause = request.cause;
        execution.abort();
        changed();
      }
      return { stopDate: seconds(execution.stopDate ?? Date.now()) };
    },
    RedriveExecution: (request) => {
      const execution = findExecution(requiredString(request, "executionArn"));
      return { redriveDate: seconds(redrive(execution)) };
    },
    GetExecutionHistory: (request) => {
      const execution = findExecution(requiredString(request, "executionArn"));
      let events = request.reverseOrder === true ? [...execution.history].reverse() : execution.history;
      if (request.includeExecutionData === false) events = events.map(withoutExecutionData);
      const { items, nextToken } = page(events, request);
      return { events: items, nextToken };
    },
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": randomUUID() });
        res.end(JSON.stringify(body));
      };
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = target.startsWith("AWSStepFunctions.") ? operations[target.slice(17)] : undefined;
      try {
        if (req.method !== "POST" || operation === undefined) {
          throw new ServiceError("UnknownOperationException", `operation ${target || "(none)"} is not emulated`);
        }
        let request: unknown;
        try {
          request = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
        } catch {
          throw new ServiceError("SerializationException", "body is not JSON");
        }
        if (!isRecord(request)) throw new ServiceError("SerializationException", "body is not a JSON object");
        reply(200, operation(request));
      } catch (error) {
        if (error instanceof ServiceError) {
          reply(400, { __type: error.type, message: error.message });
          return;
        }
        onError(error);
        reply(500, { __type: "InternalFailure", message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });

  const idle = async (timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    // An execution waiting past the deadline does nothing before it: it is as idle as it gets.
    const busy = () => [...running].filter((execution) => (execution.wakesAt ?? 0) <= deadline);
    for (let pending = busy(); pending.length > 0; pending = busy()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const names = pending.map((execution) => `${execution.workflow.name}:${execution.name}`).join(", ");
        throw new Error(`executions still running after ${timeoutMs} ms: ${names}`);
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(pending.map((execution) => execution.finished)),
        // Look again soon: a running execution may have entered a long Wait meanwhile.
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.min(remaining, 100));
        }),
      ]);
      clearTimeout(timer);
    }
  };

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stateMachineArn,
    idle,
    close: async () => {
      for (const execution of running) {
        if (execution.status === "RUNNING" && !execution.engineSettled) {
          execution.status = "ABORTED";
          execution.stopDate = Date.now();
          execution.abort();
        }
      }
      await Promise.all([...running].map((execution) => execution.finished));
      store?.flush();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
};
