import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  deadLetterView,
  isStuck,
  type OrderSummary,
  orderBoard,
  outcomeClass,
  statesOf,
  UNSETTLED_STATUSES,
} from "../../functions/domain/ops";
import { ORDER_STATUSES } from "../../functions/domain/order";
import { daysBetween, listDeadLetters, redriveDeadLetters, supplierState } from "../../functions/use-cases/ops";

const NOW = Date.UTC(2031, 2, 10, 8, 0, 0);
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

const summary = fc.record({
  order_id: fc.uuid().map((id) => `ord_${id}`),
  tenant_id: fc.constantFrom("agency-a", "agency-b"),
  status: fc.constantFrom(...ORDER_STATUSES),
  created_at: fc.constant(minutesAgo(600)),
  updated_at: fc.integer({ min: 0, max: 600 }).map(minutesAgo),
}) as fc.Arbitrary<OrderSummary>;

describe("the order board", () => {
  test("stuck = unsettled (PENDING, PENDING_RECONCILE, ISSUING) for at least the threshold", () => {
    expect(isStuck({ status: "PENDING_RECONCILE", updated_at: minutesAgo(15) }, NOW, 15)).toBe(true);
    expect(isStuck({ status: "PENDING_RECONCILE", updated_at: minutesAgo(14) }, NOW, 15)).toBe(false);
    expect(isStuck({ status: "ISSUING", updated_at: minutesAgo(60) }, NOW, 15)).toBe(true);
    expect(isStuck({ status: "BOOKED", updated_at: minutesAgo(600) }, NOW, 15)).toBe(false);
  });

  test("every stuck order comes before every other, oldest stuck first, the rest newest first; none lost", () => {
    fc.assert(
      fc.property(fc.array(summary, { maxLength: 40 }), fc.integer({ min: 1, max: 120 }), (orders, after) => {
        const board = orderBoard(orders, NOW, after);
        expect(board.map((entry) => entry.order_id).sort()).toEqual(orders.map((order) => order.order_id).sort());
        const firstCalm = board.findIndex((entry) => !entry.stuck);
        if (firstCalm >= 0) expect(board.slice(firstCalm).every((entry) => !entry.stuck)).toBe(true);
        for (const entry of board) {
          expect(entry.stuck).toBe(UNSETTLED_STATUSES.includes(entry.status) && entry.age_min >= after);
        }
        const stuck = board.filter((entry) => entry.stuck).map((entry) => entry.updated_at);
        expect(stuck).toEqual([...stuck].sort());
        const calm = board.filter((entry) => !entry.stuck).map((entry) => entry.updated_at);
        expect(calm).toEqual([...calm].sort().reverse());
      }),
    );
  });
});

describe("an execution's states from its history", () => {
  test("each state entered, with when it exited, and the one the execution failed in", () => {
    const states = statesOf([
      { type: "ExecutionStarted", timestamp: "t0" },
      { type: "TaskStateEntered", timestamp: "t1", stateName: "Book with DRCT" },
      { type: "TaskStateExited", timestamp: "t2", stateName: "Book with DRCT" },
      { type: "ChoiceStateEntered", timestamp: "t3", stateName: "Booking outcome" },
      { type: "ChoiceStateExited", timestamp: "t4", stateName: "Booking outcome" },
      { type: "TaskStateEntered", timestamp: "t5", stateName: "Reconcile booking with DRCT" },
      { type: "ExecutionFailed", timestamp: "t6", error: "States.TaskFailed" },
    ]);
    expect(states).toEqual([
      { name: "Book with DRCT", entered_at: "t1", exited_at: "t2", outcome: "succeeded" },
      { name: "Booking outcome", entered_at: "t3", exited_at: "t4", outcome: "succeeded" },
      { name: "Reconcile booking with DRCT", entered_at: "t5", outcome: "failed", error: "States.TaskFailed" },
    ]);
    expect(statesOf([{ type: "PassStateEntered", timestamp: "t1", stateName: "Wait" }])[0]?.outcome).toBe("running");
  });
});

describe("dead letters as operators see them", () => {
  const personal = fc.record({
    given_name: fc.string({ minLength: 3, maxLength: 20 }),
    family_name: fc.string({ minLength: 3, maxLength: 20 }),
    birth_date: fc.date({ noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
    email: fc.emailAddress(),
    phone: fc.stringMatching(/^\+\d{8,14}$/),
    number: fc.stringMatching(/^[A-Z0-9]{6,12}$/),
  });

  test("names, birth dates, documents, email and phone are masked at any depth; ids stay in clear", () => {
    fc.assert(
      fc.property(personal, fc.uuid(), fc.boolean(), (person, id, nested) => {
        const passenger = { ...person, document: { type: "passport", number: person.number } };
        const body = nested
          ? { detail: { order_id: `ord_${id}`, passengers: [passenger], contact: { email: person.email } } }
          : { orderId: `ord_${id}`, deliveryId: `dlv_${id}`, ...passenger };
        const view = deadLetterView("m-1", JSON.stringify(body));
        const text = JSON.stringify(view.body);
        for (const value of Object.values(person)) expect(text).not.toContain(JSON.stringify(value));
        expect(view.order_id).toBe(`ord_${id}`);
        if (!nested) expect(view.delivery_id).toBe(`dlv_${id}`);
      }),
    );
  });

  test("a body that is not JSON has emails and phone numbers masked; the FIFO group names the order", () => {
    const view = deadLetterView("m-2", "call ada@example.com or +44 20 7123 4567 now", "ord_9");
    expect(view.body).not.toMatch(/ada@example\.com|7123/);
    expect(view.order_id).toBe("ord_9");
    expect(deadLetterView("m-3", '{"deliveryId":"dlv_1"}', "ord_7")).toMatchObject({
      order_id: "ord_7",
      delivery_id: "dlv_1",
    });
  });

  test("the contract's shape: queues with name, source, count and masked messages", async () => {
    const listed = await listDeadLetters({
      list: async () => [
        {
          name: "callbacks",
          source: "callbacks",
          count: 1,
          messages: [{ id: "m", body: '{"deliveryId":"dlv_1","email":"x@y.io"}', group: "ord_1" }],
        },
      ],
    });
    expect(listed).toEqual({
      queues: [
        {
          name: "callbacks",
          source: "callbacks",
          count: 1,
          messages: [
            { id: "m", order_id: "ord_1", delivery_id: "dlv_1", body: { deliveryId: "dlv_1", email: "x***o" } },
          ],
        },
      ],
    });
  });

  test("a redrive of a queue that is not one of ours is 404, and nothing moves", async () => {
    const moved: string[] = [];
    const queues = {
      names: ["ticketing", "callbacks"],
      list: async () => [],
      redrive: async (name: string) => {
        moved.push(name);
        return { task_handle: "t", source: "s", destination: "d" };
      },
    };
    await expect(redriveDeadLetters(queues, "orders")).rejects.toMatchObject({ code: "AVF_404_NOT_FOUND" });
    expect(moved).toEqual([]);
    await redriveDeadLetters(queues, "callbacks");
    expect(moved).toEqual(["callbacks"]);
  });
});

describe("supplier state", () => {
  test("DRCT outcomes by class: 401 and 429 on their own, others by hundred, failures by kind", () => {
    expect(["200", "201", "404", "401", "429", "503", "timeout", "circuit_open"].map(outcomeClass)).toEqual([
      "2xx",
      "2xx",
      "4xx",
      "401",
      "429",
      "5xx",
      "timeout",
      "circuit_open",
    ]);
    expect(outcomeClass(502)).toBe("5xx");
  });

  test("recent outcomes are counted by class; a breaker never written is closed", async () => {
    const call = (status: string) => ({
      at: "t",
      tenant_id: "a",
      operation: "search",
      status,
      latency_ms: 1,
      retry_count: 0,
      correlation_id: "c",
    });
    const state = await supplierState(
      {
        breaker: async () => undefined,
        budgets: async () => [],
        recentCalls: async () => [call("200"), call("200"), call("503"), call("timeout")],
      },
      NOW,
    );
    expect(state.breaker).toEqual({ status: "closed" });
    expect(state.recent_outcomes).toEqual({ "2xx": 2, "5xx": 1, timeout: 1 });
  });

  test("the days a timeline reads DRCT calls of: every UTC day from creation to now, at most 14", () => {
    expect(daysBetween("2031-03-09T23:59:00.000Z", "2031-03-10T00:01:00.000Z")).toEqual(["2031-03-09", "2031-03-10"]);
    expect(daysBetween("2031-03-10T08:00:00.000Z", "2031-03-10T09:00:00.000Z")).toEqual(["2031-03-10"]);
    const long = daysBetween("2031-01-01T00:00:00.000Z", "2031-03-10T00:00:00.000Z");
    expect(long).toHaveLength(14);
    expect(long.at(-1)).toBe("2031-03-10");
  });
});
