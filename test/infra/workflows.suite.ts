import { beforeAll, describe, expect, test } from "vitest";
import { ORDER_STATUSES, type OrderStatus } from "../../functions/domain/order";
import { SWEEP_LIMIT } from "../../functions/use-cases/find-uncertain-orders";
import { SCHEDULE_CHECKS_PER_SWEEP } from "../../functions/use-cases/schedule-watch";
import { type RenderedWorkflow, renderWorkflows } from "../../lib/local/step-functions";
import { WORKFLOWS } from "../../lib/resources";
import type { CfnTemplate } from "../../lib/template/resolve";
import { synthesized } from "./synthesized";

/** The workflows as synthesized (ASL rendered from the template), read state by state. */
type State = Record<string, unknown>;

let template: CfnTemplate;
let workflows: Map<string, RenderedWorkflow>;

beforeAll(() => {
  template = synthesized().stateless;
  workflows = new Map(renderWorkflows(template).map((workflow) => [workflow.name ?? "", workflow]));
});

const workflow = (id: string): RenderedWorkflow => {
  const found = workflows.get(`aviaframe-dev-${id}`);
  if (found === undefined) throw new Error(`no workflow ${id}`);
  return found;
};

/** Every state, nested ones too. */
const statesOf = (definition: State): Map<string, State> => {
  const all = new Map<string, State>();
  for (const [name, state] of Object.entries((definition.States ?? {}) as Record<string, State>)) {
    all.set(name, state);
    const nested = (state.ItemProcessor ?? state.Iterator) as State | undefined;
    if (nested !== undefined) for (const [inner, value] of statesOf(nested)) all.set(inner, value);
  }
  return all;
};

/** Step Functions' Choice rules, as far as the workflows use them. */
const holds = (rule: State, input: Record<string, unknown>): boolean => {
  if (Array.isArray(rule.Or)) return (rule.Or as State[]).some((inner) => holds(inner, input));
  if (Array.isArray(rule.And)) return (rule.And as State[]).every((inner) => holds(inner, input));
  if (rule.Not !== undefined) return !holds(rule.Not as State, input);
  const path = String(rule.Variable).replace(/^\$\./, "").split(".");
  const value = path.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], input);
  if (rule.StringEquals !== undefined) return value === rule.StringEquals;
  if (rule.IsPresent !== undefined) return (value !== undefined) === rule.IsPresent;
  throw new Error(`rule not understood: ${JSON.stringify(rule)}`);
};

const nextOfChoice = (state: State, input: Record<string, unknown>): string =>
  String(((state.Choices as State[]).find((rule) => holds(rule, input)) ?? { Next: state.Default }).Next);

/** Where an execution goes from a Choice on `input`, through any Choices that follow it. */
const landOf = (states: Map<string, State>, choice: State, input: Record<string, unknown>): State | undefined => {
  const next = states.get(nextOfChoice(choice, input));
  return next?.Type === "Choice" ? landOf(states, next, input) : next;
};

describe("order lifecycle", () => {
  test("every settled status ends the execution; only an open booking loops back to reconcile", () => {
    const states = statesOf(workflow(WORKFLOWS.orderLifecycle.id).definition);
    // The booking's Choices; the hold's (on the ticketing deadline) come after a settled booking only.
    const choices = [...states].filter(
      ([, state]) => state.Type === "Choice" && !JSON.stringify(state).includes("ticketing_deadline"),
    );
    expect(choices.length).toBeGreaterThanOrEqual(2);
    const open: readonly OrderStatus[] = ["PENDING", "PENDING_RECONCILE"];
    for (const [name, choice] of choices) {
      for (const status of ORDER_STATUSES) {
        const next = landOf(states, choice, { booking: { status } });
        const ends = next?.Type === "Succeed" || next?.Type === "Fail";
        expect(ends, `${name} on ${status} → ${JSON.stringify(next)}`).toBe(!open.includes(status));
        if (status === "FAILED") expect(next?.Type).toBe("Fail");
      }
    }
  });
});

describe("the hold", () => {
  test("a BOOKED order with a ticketing deadline waits for it, then the expiry; only a still-held order waits again", () => {
    const states = statesOf(workflow(WORKFLOWS.orderLifecycle.id).definition);
    const held = { booking: { status: "BOOKED", ticketing_deadline: "2031-01-01T00:00:00Z" } };
    const [, outcome] = [...states].find(([name]) => name === "Booking outcome") ?? [];
    const wait = landOf(states, outcome ?? {}, held);
    expect(wait).toMatchObject({ Type: "Wait", TimestampPath: "$.booking.ticketing_deadline" });
    const expire = states.get(String(wait?.Next));
    expect(expire).toMatchObject({ Type: "Task", ResultPath: "$.booking" });
    const after = states.get(String(expire?.Next)) ?? {};
    expect(landOf(states, after, held)).toBe(wait);
    for (const status of ORDER_STATUSES.filter((status) => status !== "BOOKED")) {
      expect(landOf(states, after, { booking: { status } })?.Type).toMatch(/^(Succeed|Fail)$/);
    }
  });
});

describe("reconciliation sweep", () => {
  const lambdaTimeout = (logicalId: string) =>
    Number(template.Resources?.[logicalId]?.Properties?.Timeout ?? Number.POSITIVE_INFINITY);

  test("a full sweep fits its time budget: each order takes at most one task timeout, in rounds of each Map's concurrency", () => {
    const sweep = workflow(WORKFLOWS.reconciliation.id);
    const states = statesOf(sweep.definition);
    const concurrencyOf = (name: string) => Number(states.get(name)?.MaxConcurrency);
    const maps = {
      "Reconcile order with DRCT": { items: SWEEP_LIMIT, concurrency: concurrencyOf("Reconcile each order") },
      "Check order's schedule with DRCT": {
        items: SCHEDULE_CHECKS_PER_SWEEP,
        concurrency: concurrencyOf("Check each order's schedule"),
      },
    } as Record<string, { items: number; concurrency: number }>;
    let worst = 0;
    for (const [stateName, logicalId] of Object.entries(sweep.lambdaTasks)) {
      const state = states.get(stateName);
      const retries = ((state?.Retry ?? []) as State[]).reduce((sum, retry) => sum + Number(retry.MaxAttempts ?? 3), 0);
      const seconds = lambdaTimeout(logicalId) * (1 + retries);
      const map = maps[stateName];
      if (map !== undefined) expect(map.concurrency, stateName).toBeGreaterThan(0);
      worst += map === undefined ? seconds : Math.ceil(map.items / map.concurrency) * seconds;
    }
    expect(Object.keys(sweep.lambdaTasks)).toEqual(expect.arrayContaining(Object.keys(maps)));
    const budget = Number(sweep.definition.TimeoutSeconds);
    expect(worst, `worst case ${worst} s of a ${budget} s budget`).toBeLessThanOrEqual(budget);
  });

  test("the sweep's first step is given its own execution and state machine, to see an earlier run", () => {
    const sweep = workflow(WORKFLOWS.reconciliation.id);
    const find = statesOf(sweep.definition).get("Find uncertain orders");
    expect(find?.Parameters).toMatchObject({
      "execution_arn.$": "$$.Execution.Id",
      "state_machine_arn.$": "$$.StateMachine.Id",
    });
  });
});
