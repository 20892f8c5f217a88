/**
 * The Step Functions stand-in, driven only through the real SFNClient, running the ASL rendered
 * from the same CDK chains the cloud deploys (lib/cloud/workflows.ts) with fake task handlers.
 */

import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { type CfnFunction, Code, Function as LambdaFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { DefinitionBody, StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { executionName, stepFunctionsBookingWorkflow } from "../../functions/adapters/sfn/booking-workflow";
import { orderLifecycleDefinition, reconciliationDefinition } from "../../lib/cloud/workflows";
import {
  type LocalStepFunctions,
  type LocalWorkflow,
  type RenderedWorkflow,
  renderWorkflows,
  startLocalStepFunctions,
  type TaskHandler,
} from "../../lib/local/step-functions";
import type { TaskKey } from "../../lib/resources";

const TASK_KEYS = [
  "bookOrder",
  "reconcileOrder",
  "expireOrder",
  "findUncertainOrders",
  "checkSchedule",
  "eraseExpiredPersonalData",
] as const satisfies readonly TaskKey[];
const LIFECYCLE = "order-lifecycle";
const RECONCILIATION = "reconciliation";

/** What each fake Lambda does in the current test, and what it was called with. */
const fakes: Record<TaskKey, TaskHandler> = {
  bookOrder: async () => ({ status: "BOOKED" }),
  reconcileOrder: async () => ({ status: "BOOKED" }),
  expireOrder: async () => ({ status: "EXPIRED" }),
  findUncertainOrders: async () => ({ orders: [], schedule_checks: [] }),
  checkSchedule: async () => ({ outcome: "unchanged" }),
  eraseExpiredPersonalData: async () => ({ erased: 0 }),
};
const calls: Record<TaskKey, unknown[]> = {
  bookOrder: [],
  reconcileOrder: [],
  expireOrder: [],
  findUncertainOrders: [],
  checkSchedule: [],
  eraseExpiredPersonalData: [],
};

/** An error a handler throws; Step Functions sees its name as the error type. */
class DrctUnavailable extends Error {
  override name = "DrctUnavailable";
}

/** Synthesizes both state machines from the real chains; Lambda logical ids map back to task keys. */
const renderBothWorkflows = (): { rendered: RenderedWorkflow[]; keyByLogicalId: Map<string, TaskKey> } => {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, "Workflows");
  const functions = Object.fromEntries(
    TASK_KEYS.map((key) => [
      key,
      new LambdaFunction(stack, key, {
        runtime: Runtime.NODEJS_22_X,
        handler: "index.handler",
        code: Code.fromInline("exports.handler = async () => ({});"),
      }),
    ]),
  ) as Record<TaskKey, LambdaFunction>;
  new StateMachine(stack, "OrderLifecycle", {
    stateMachineName: LIFECYCLE,
    definitionBody: DefinitionBody.fromChainable(orderLifecycleDefinition(stack, functions)),
  });
  new StateMachine(stack, "Reconciliation", {
    stateMachineName: RECONCILIATION,
    definitionBody: DefinitionBody.fromChainable(reconciliationDefinition(stack, functions)),
  });
  const keyByLogicalId = new Map<string, TaskKey>(
    TASK_KEYS.map((key) => [stack.getLogicalId(functions[key].node.defaultChild as CfnFunction), key]),
  );
  return { rendered: renderWorkflows(Template.fromStack(stack).toJSON()), keyByLogicalId };
};

const toLocalWorkflow = (workflow: RenderedWorkflow, keyByLogicalId: Map<string, TaskKey>): LocalWorkflow => {
  const taskHandlers: Record<string, TaskHandler> = {};
  for (const [stateName, logicalId] of Object.entries(workflow.lambdaTasks)) {
    const key = keyByLogicalId.get(logicalId);
    if (key === undefined) throw new Error(`no fake for ${logicalId}`);
    taskHandlers[stateName] = (input) => {
      calls[key].push(input);
      return fakes[key](input);
    };
  }
  return { name: workflow.name ?? workflow.logicalId, definition: workflow.definition, taskHandlers };
};

let rendered: RenderedWorkflow[];
let keyByLogicalId: Map<string, TaskKey>;
let local: LocalStepFunctions;
let sfn: SFNClient;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  ({ rendered, keyByLogicalId } = renderBothWorkflows());
  local = await startLocalStepFunctions({
    workflows: rendered.map((workflow) => toLocalWorkflow(workflow, keyByLogicalId)),
    onError: (error) => internalErrors.push(error),
  });
  sfn = new SFNClient({
    endpoint: local.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
});

afterAll(async () => {
  sfn?.destroy();
  await local?.close();
  expect(internalErrors).toEqual([]);
});

beforeEach(() => {
  for (const key of TASK_KEYS) calls[key] = [];
});

const orderInput = (orderId: string) => ({ order_id: orderId, tenant_id: "agency-a", reconcile_after_s: 0 });

const start = async (machine: string, name: string, input: unknown) =>
  sfn.send(
    new StartExecutionCommand({ stateMachineArn: local.stateMachineArn(machine), name, input: JSON.stringify(input) }),
  );

/** Waits for every execution, then describes this one. */
const finished = async (executionArn: string): Promise<DescribeExecutionCommandOutput> => {
  await local.idle(3_000);
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
};

const history = async (executionArn: string): Promise<HistoryEvent[]> =>
  (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];

/** The states entered, in order: the path the execution took. */
const path = (events: HistoryEvent[]) =>
  events.flatMap((event) => (event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : []));

const outputOf = (description: DescribeExecutionCommandOutput): Record<string, unknown> =>
  JSON.parse(description.output ?? "null") as Record<string, unknown>;

describe("rendering", () => {
  test("both state machines render to plain ASL with their Lambda tasks", () => {
    const byName = new Map(rendered.map((workflow) => [workflow.name, workflow]));
    expect([...byName.keys()].sort()).toEqual([LIFECYCLE, RECONCILIATION]);
    const lifecycle = byName.get(LIFECYCLE);
    expect(lifecycle?.definition.StartAt).toBe("Book with DRCT");
    expect(JSON.stringify(lifecycle?.definition)).toContain('"Resource":"arn:aws:lambda:local:000000000000:function:');
    const keyOf = (workflow: RenderedWorkflow | undefined) =>
      Object.fromEntries(
        Object.entries(workflow?.lambdaTasks ?? {}).map(([state, id]) => [state, keyByLogicalId.get(id)]),
      );
    expect(keyOf(lifecycle)).toEqual({
      "Book with DRCT": "bookOrder",
      "Reconcile booking with DRCT": "reconcileOrder",
      "Expire the hold if unissued": "expireOrder",
    });
    // The reconcile task sits inside the Map's ItemProcessor.
    expect(keyOf(byName.get(RECONCILIATION))).toEqual({
      "Find uncertain orders": "findUncertainOrders",
      "Reconcile order with DRCT": "reconcileOrder",
      "Check order's schedule with DRCT": "checkSchedule",
    });
  });
});

describe("order lifecycle", () => {
  test("booked at once → SUCCEEDED", async () => {
    fakes.bookOrder = async () => ({ status: "BOOKED", pnr: "ABC123" });
    const { executionArn } = await start(LIFECYCLE, "booked-at-once", orderInput("ord-1"));
    const description = await finished(executionArn ?? "");
    expect(description.status).toBe("SUCCEEDED");
    expect(description.startDate).toBeInstanceOf(Date);
    expect(description.stopDate).toBeInstanceOf(Date);
    expect(outputOf(description).booking).toEqual({ status: "BOOKED", pnr: "ABC123" });
    expect(calls.bookOrder).toEqual([orderInput("ord-1")]);
    const events = await history(executionArn ?? "");
    expect(path(events)).toEqual([
      "Book with DRCT",
      "Booking outcome",
      "Held until a ticketing deadline?",
      "Booked: awaiting issue request",
    ]);
    expect(events.map((event) => event.type)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionSucceeded",
      "TaskStateExited",
      "ChoiceStateEntered",
      "ChoiceStateExited",
      "ChoiceStateEntered",
      "ChoiceStateExited",
      "SucceedStateEntered",
      "SucceedStateExited",
      "ExecutionSucceeded",
    ]);
    expect(events.map((event) => event.id)).toEqual(events.map((_event, index) => index + 1));
  });

  test("pending, then reconciled as booked → SUCCEEDED after waiting", async () => {
    fakes.bookOrder = async () => ({ status: "PENDING_RECONCILE" });
    fakes.reconcileOrder = async () => ({ status: "BOOKED" });
    const { executionArn } = await start(LIFECYCLE, "pending-then-reconciled", orderInput("ord-2"));
    const description = await finished(executionArn ?? "");
    expect(description.status).toBe("SUCCEEDED");
    expect(path(await history(executionArn ?? ""))).toEqual([
      "Book with DRCT",
      "Booking outcome",
      "Wait before reconciling",
      "Reconcile booking with DRCT",
      "Booking settled?",
      "Held until a ticketing deadline?",
      "Booked: awaiting issue request",
    ]);
    expect(calls.reconcileOrder).toEqual([{ ...orderInput("ord-2"), booking: { status: "PENDING_RECONCILE" } }]);
  });

  test("booking task throws → caught, reconciled as booked", async () => {
    fakes.bookOrder = async () => {
      throw new DrctUnavailable("DRCT did not answer");
    };
    fakes.reconcileOrder = async () => ({ status: "BOOKED" });
    const { executionArn } = await start(LIFECYCLE, "booking-threw-then-reconciled", orderInput("ord-3"));
    const description = await finished(executionArn ?? "");
    expect(description.status).toBe("SUCCEEDED");
    const output = outputOf(description);
    expect(output.booking).toEqual({ status: "BOOKED" });
    // Catch output as for a failed Lambda: Error is the error's name, Cause the runtime's JSON.
    const lastError = output.last_error as { Error: string; Cause: string };
    expect(lastError.Error).toBe("DrctUnavailable");
    expect(JSON.parse(lastError.Cause)).toMatchObject({
      errorType: "DrctUnavailable",
      errorMessage: "DRCT did not answer",
    });
    const events = await history(executionArn ?? "");
    expect(path(events)).toEqual([
      "Book with DRCT",
      "Wait before reconciling",
      "Reconcile booking with DRCT",
      "Booking settled?",
      "Held until a ticketing deadline?",
      "Booked: awaiting issue request",
    ]);
    const failure = events.find((event) => event.type === "LambdaFunctionFailed");
    expect(failure?.lambdaFunctionFailedEventDetails?.error).toBe("DrctUnavailable");
    expect(calls.bookOrder).toHaveLength(1); // not one of the Lambda.* errors the Retry names
  });

  test("booked with a ticketing deadline → waits for it (idle meanwhile), then the expiry ends the hold", async () => {
    // A whole second, at least a second ahead: what the task answers (TimestampPath takes no fractions).
    const deadline = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1_000).toISOString().replace(".000Z", "Z");
    fakes.bookOrder = async () => ({ status: "BOOKED", ticketing_deadline: deadline });
    let expiredAt = 0;
    fakes.expireOrder = async () => {
      expiredAt = Date.now();
      return { status: "EXPIRED" };
    };
    const { executionArn } = await start(LIFECYCLE, "held-then-expired", orderInput("ord-hold"));
    // Waiting on a deadline beyond the idle timeout counts as idle: nothing happens before it.
    await local.idle(200);
    const waiting = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(waiting.status).toBe("RUNNING");
    const description = await finished(executionArn ?? "");
    expect(description.status).toBe("SUCCEEDED");
    expect(expiredAt).toBeGreaterThanOrEqual(Date.parse(deadline));
    expect(calls.expireOrder).toEqual([
      { ...orderInput("ord-hold"), booking: { status: "BOOKED", ticketing_deadline: deadline } },
    ]);
    expect(outputOf(description).booking).toEqual({ status: "EXPIRED" });
    expect(path(await history(executionArn ?? ""))).toEqual([
      "Book with DRCT",
      "Booking outcome",
      "Held until a ticketing deadline?",
      "Wait for the ticketing deadline",
      "Expire the hold if unissued",
      "Still held?",
      "Hold ended",
    ]);
  });

  test("booking refused → FAILED with BookingFailed", async () => {
    fakes.bookOrder = async () => ({ status: "FAILED" });
    const { executionArn } = await start(LIFECYCLE, "booking-refused", orderInput("ord-4"));
    const description = await finished(executionArn ?? "");
    expect(description.status).toBe("FAILED");
    expect(description.error).toBe("BookingFailed");
    expect(description.cause).toBe("DRCT refused or never confirmed the booking");
    expect(description.output).toBeUndefined();
    const events = await history(executionArn ?? "");
    expect(path(events)).toEqual(["Book with DRCT", "Booking outcome", "Booking failed"]);
    expect(events.at(-1)?.type).toBe("ExecutionFailed");
    expect(events.at(-1)?.executionFailedEventDetails).toEqual({
      error: "BookingFailed",
      cause: "DRCT refused or never confirmed the booking",
    });
  });

  test("StartExecution is idempotent for the same name and input while running", async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    fakes.bookOrder = async () => {
      await released;
      return { status: "BOOKED" };
    };
    const first = await start(LIFECYCLE, "ord-5", orderInput("ord-5"));
    const again = await start(LIFECYCLE, "ord-5", orderInput("ord-5"));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    await expect(start(LIFECYCLE, "ord-5", { ...orderInput("ord-5"), tenant_id: "agency-b" })).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    const listed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: local.stateMachineArn(LIFECYCLE), statusFilter: "RUNNING" }),
    );
    expect(listed.executions?.map((execution) => execution.name)).toEqual(["ord-5"]);
    release();
    expect((await finished(first.executionArn ?? "")).status).toBe("SUCCEEDED");
    expect(calls.bookOrder).toHaveLength(1);
    // Once closed, the name is taken whatever the input (as in AWS).
    await expect(start(LIFECYCLE, "ord-5", orderInput("ord-5"))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  test("StopExecution aborts; unknown executions and state machines are typed errors", async () => {
    let answer = () => {};
    fakes.bookOrder = () =>
      new Promise((resolve) => {
        answer = () => resolve({ status: "BOOKED" });
      });
    const { executionArn } = await start(LIFECYCLE, "stopped-while-booking", orderInput("ord-6"));
    await sfn.send(new StopExecutionCommand({ executionArn, error: "Operator", cause: "testing" }));
    answer(); // too late: the execution stays aborted
    const description = await finished(executionArn ?? "");
    expect(description).toMatchObject({ status: "ABORTED", error: "Operator", cause: "testing" });
    expect((await history(executionArn ?? "")).at(-1)?.type).toBe("ExecutionAborted");

    const newest = await sfn.send(new ListExecutionsCommand({ stateMachineArn: local.stateMachineArn(LIFECYCLE) }));
    expect(newest.executions?.[0]?.name).toBe("stopped-while-booking");

    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: `${executionArn ?? ""}-missing` })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(start("no-such-machine", "x", {})).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });
});

describe("reconciliation sweep", () => {
  test("one order failing does not stop the others", async () => {
    fakes.findUncertainOrders = async () => ({
      orders: [{ order_id: "ord-a" }, { order_id: "ord-b" }, { order_id: "ord-c" }],
      schedule_checks: [],
    });
    fakes.reconcileOrder = async (input) => {
      if ((input as { order_id: string }).order_id === "ord-b") throw new DrctUnavailable("DRCT did not answer");
      return { status: "BOOKED" };
    };
    const { executionArn } = await start(RECONCILIATION, "sweep-one-fails", {});
    const description = await finished(executionArn ?? "");
    expect(description.status).toBe("SUCCEEDED");
    expect(calls.reconcileOrder).toHaveLength(3);
    expect(calls.reconcileOrder).toEqual(
      expect.arrayContaining([{ order_id: "ord-a" }, { order_id: "ord-b" }, { order_id: "ord-c" }]),
    );
    const events = await history(executionArn ?? "");
    const entered = path(events);
    expect(entered[0]).toBe("Find uncertain orders");
    expect(entered.filter((name) => name === "Reconcile order with DRCT")).toHaveLength(3);
    expect(entered.filter((name) => name === "Leave it for the next run")).toHaveLength(1);
    expect(entered.at(-1)).toBe("Sweep done");
    expect(events.filter((event) => event.type === "MapIterationStarted")).toHaveLength(3);
  });
});

describe("redrive (RedriveExecution)", () => {
  test("a failed execution goes on from the state it failed in, with that state's input; others are refused", async () => {
    fakes.findUncertainOrders = async () => {
      throw new DrctUnavailable("DynamoDB said no");
    };
    const { executionArn = "" } = await start(RECONCILIATION, "sweep-to-redrive", { sweep: 1 });
    expect((await finished(executionArn)).status).toBe("FAILED");
    expect(calls.findUncertainOrders).toHaveLength(1);

    fakes.findUncertainOrders = async () => ({ orders: [{ order_id: "ord-r" }], schedule_checks: [] });
    fakes.reconcileOrder = async () => ({ status: "BOOKED" });
    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn }));
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    const description = await finished(executionArn);
    expect(description.status).toBe("SUCCEEDED");
    expect(description.redriveCount).toBe(1);
    expect(calls.findUncertainOrders).toHaveLength(2);
    expect(calls.findUncertainOrders[1]).toEqual(calls.findUncertainOrders[0]);
    expect(calls.reconcileOrder).toEqual([{ order_id: "ord-r" }]);
    const events = await history(executionArn);
    expect(events.map((event) => event.type)).toContain("ExecutionRedriven");
    expect(events.at(-1)?.type).toBe("ExecutionSucceeded");
    expect(events.map((event) => event.id)).toEqual(events.map((_event, index) => index + 1));

    // A succeeded execution is not redrivable, and neither is an unknown one.
    await expect(sfn.send(new RedriveExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(
      ExecutionNotRedrivable,
    );
    await expect(
      sfn.send(new RedriveExecutionCommand({ executionArn: `${executionArn.slice(0, -5)}-none` })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });
});

describe("resuming a lost booking (the reconciliation's restart)", () => {
  const AT = Date.parse("2031-01-01T00:05:00Z");
  const order = { id: "ord-resumed", tenantId: "agency-a" };
  const running = async () =>
    (
      (
        await sfn.send(
          new ListExecutionsCommand({ stateMachineArn: local.stateMachineArn(LIFECYCLE), statusFilter: "RUNNING" }),
        )
      ).executions ?? []
    )
      .map((execution) => execution.name ?? "")
      .filter((name) => name.startsWith(order.id));

  test("one execution runs at a time, and one that died is followed by the next, not blocked for the window", async () => {
    let answer = () => {};
    fakes.bookOrder = () =>
      new Promise((resolve) => {
        answer = () => resolve({ status: "BOOKED" });
      });
    const workflow = stepFunctionsBookingWorkflow(0, {
      now: () => AT,
      client: () => sfn,
      stateMachineArn: () => local.stateMachineArn(LIFECYCLE),
    });
    const startFiveAtOnce = () => Promise.all(Array.from({ length: 5 }, () => workflow.start(order)));
    const kill = (name: string) =>
      sfn.send(
        new StopExecutionCommand({
          executionArn: `${local.stateMachineArn(LIFECYCLE).replace(":stateMachine:", ":execution:")}:${name}`,
          error: "Local.RuntimeStopped",
          cause: "what a kill leaves: aborted, its name taken",
        }),
      );

    await startFiveAtOnce();
    expect(await running()).toEqual([order.id]);
    // Two crashes in one window: each time the next name, one execution at a time.
    for (const attempt of [1, 2]) {
      await kill(executionName(order.id, AT, attempt - 1));
      expect(await running()).toEqual([]);
      await startFiveAtOnce();
      expect(await running()).toEqual([executionName(order.id, AT, attempt)]);
    }

    answer();
    await local.idle(3_000);
    expect(await running()).toEqual([]);
    fakes.bookOrder = async () => ({ status: "BOOKED" });
  });
});

describe("executions survive a restart (DATA_DIR)", () => {
  test("a finished one keeps its outcome and history; one killed mid-run is ABORTED; both names stay taken", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sfn-"));
    const file = join(dir, "executions.json");
    const workflows = () => rendered.map((workflow) => toLocalWorkflow(workflow, keyByLogicalId));
    const before = await startLocalStepFunctions({ workflows: workflows(), stateFile: file });
    const client = (endpoint: string) =>
      new SFNClient({ endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    const first = client(before.endpoint);
    const arnOf = (name: string) =>
      `${before.stateMachineArn(LIFECYCLE).replace(":stateMachine:", ":execution:")}:${name}`;
    const startOn = (sfnClient: SFNClient, name: string) =>
      sfnClient.send(
        new StartExecutionCommand({
          stateMachineArn: before.stateMachineArn(LIFECYCLE),
          name,
          input: JSON.stringify(orderInput(name)),
        }),
      );
    try {
      fakes.bookOrder = async () => ({ status: "BOOKED" });
      await startOn(first, "done-before-the-crash");
      await before.idle(3_000);
      fakes.bookOrder = () => new Promise(() => undefined); // DRCT never answers: still running at the "crash"
      await startOn(first, "running-at-the-crash");
      await sleep(300);
      // What a SIGKILL leaves: the state file as last written while the execution ran.
      copyFileSync(file, `${file}.at-crash`);
    } finally {
      first.destroy();
      await before.close();
    }
    copyFileSync(`${file}.at-crash`, file);

    const after = await startLocalStepFunctions({ workflows: workflows(), stateFile: file });
    const second = client(after.endpoint);
    try {
      const done = await second.send(new DescribeExecutionCommand({ executionArn: arnOf("done-before-the-crash") }));
      expect(done.status).toBe("SUCCEEDED");
      expect(outputOf(done).booking).toEqual({ status: "BOOKED" });
      const doneHistory =
        (await second.send(new GetExecutionHistoryCommand({ executionArn: arnOf("done-before-the-crash") }))).events ??
        [];
      expect(path(doneHistory)).toEqual([
        "Book with DRCT",
        "Booking outcome",
        "Held until a ticketing deadline?",
        "Booked: awaiting issue request",
      ]);
      const killed = await second.send(new DescribeExecutionCommand({ executionArn: arnOf("running-at-the-crash") }));
      expect(killed).toMatchObject({ status: "ABORTED", error: "Local.RuntimeStopped" });
      // As in AWS, a name is taken once used: a restart must pick a name of its own.
      await expect(startOn(second, "running-at-the-crash")).rejects.toBeInstanceOf(ExecutionAlreadyExists);
      await expect(startOn(second, "done-before-the-crash")).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    } finally {
      second.destroy();
      await after.close();
      rmSync(dir, { recursive: true, force: true });
      fakes.bookOrder = async () => ({ status: "BOOKED" });
    }
  });
});
