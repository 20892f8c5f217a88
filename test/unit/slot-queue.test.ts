import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  arrive,
  EMPTY_QUEUE,
  leave,
  PRIORITIES,
  type Priority,
  type SlotPolicy,
  type SlotQueue,
  type SlotWaiter,
  serviceOrder,
  turn,
} from "../../functions/domain/slot-queue";

const POLICY: SlotPolicy = { intervalMs: 1_100, backgroundEvery: 4, headGraceMs: 250 };
const T0 = Date.UTC(2031, 2, 10, 8, 0, 0);

let sequence = 0;
/** Ids that sort in creation order (ties between simultaneous arrivals break by id), whatever ran before. */
const nextId = (): string => {
  sequence += 1;
  return `w${String(sequence).padStart(8, "0")}`;
};
const caller = (tenantId: string, at: number, priority: Priority = "interactive", weight = 1) => ({
  id: nextId(),
  tenantId,
  priority,
  weight,
  enqueuedAt: at,
});

/** Queues `count` callers of a tenant at `at` (each willing to wait `waitMs`), answering the queue. */
const flood = (queue: SlotQueue, tenantId: string, count: number, at: number, waitMs: number, weight = 1) => {
  let state = queue;
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const next = arrive(state, caller(tenantId, at, "interactive", weight), at, at + waitMs, POLICY);
    if (next.kind === "refused") continue;
    state = next.queue;
    if (next.kind === "wait") ids.push(state.waiters.at(-1)?.id ?? "");
  }
  return { queue: state, ids };
};

/** Hands out every slot from `from` on to whoever is first in line, answering the tenants served in order. */
const drain = (queue: SlotQueue, from: number, slots: number): { tenants: string[]; queue: SlotQueue } => {
  let state = queue;
  const tenants: string[] = [];
  for (let slot = 0; slot < slots; slot += 1) {
    const now = Math.max(state.nextSlotAt ?? from, from);
    const head = serviceOrder(state, now, POLICY)[0];
    if (head === undefined) break;
    const next = turn(state, head.id, now, POLICY);
    if (next.kind !== "take") throw new Error(`head ${head.id} could not take its slot: ${next.kind}`);
    tenants.push(head.tenantId);
    state = next.queue;
  }
  return { tenants, queue: state };
};

describe("arrivals", () => {
  test("an idle account grants at once and opens the next slot one interval later", () => {
    const first = arrive(EMPTY_QUEUE, caller("a", T0), T0, T0 + 1_500, POLICY);
    expect(first.kind).toBe("granted");
    if (first.kind !== "granted") return;
    expect(first.queue.nextSlotAt).toBe(T0 + 1_100);
    expect(first.queue.waiters).toEqual([]);
  });

  test("a caller who finds the slot taken waits for the next one when it opens within its wait, else is refused", () => {
    const granted = arrive(EMPTY_QUEUE, caller("a", T0), T0, T0 + 1_500, POLICY);
    if (granted.kind !== "granted") throw new Error("expected a grant");
    const waits = arrive(granted.queue, caller("b", T0 + 100), T0 + 100, T0 + 1_600, POLICY);
    expect(waits).toMatchObject({ kind: "wait", slotAt: T0 + 1_100 });
    if (waits.kind !== "wait") return;
    // A third caller's slot would open at T0 + 2,200: beyond a 1.5 s wait.
    const refused = arrive(waits.queue, caller("c", T0 + 200), T0 + 200, T0 + 1_700, POLICY);
    expect(refused).toEqual({ kind: "refused", retryAfterMs: 2_000 });
  });

  test("a waiter takes its slot when it opens, not before", () => {
    const granted = arrive(EMPTY_QUEUE, caller("a", T0), T0, T0 + 1_500, POLICY);
    if (granted.kind !== "granted") throw new Error("expected a grant");
    const waits = arrive(granted.queue, caller("b", T0), T0, T0 + 1_500, POLICY);
    if (waits.kind !== "wait") throw new Error("expected a wait");
    const id = waits.queue.waiters[0]?.id ?? "";
    expect(turn(waits.queue, id, T0 + 1_000, POLICY)).toEqual({ kind: "wait", until: T0 + 1_100 });
    const taken = turn(waits.queue, id, T0 + 1_100, POLICY);
    expect(taken.kind).toBe("take");
    if (taken.kind === "take") expect(taken.queue).toMatchObject({ nextSlotAt: T0 + 2_200, waiters: [] });
  });
});

describe("fair shares", () => {
  test("a tenant with one waiting search goes ahead of a tenant that already had a slot and queued many", () => {
    const busy = arrive(EMPTY_QUEUE, caller("heavy", T0), T0, T0, POLICY);
    if (busy.kind !== "granted") throw new Error("expected a grant");
    const heavy = flood(busy.queue, "heavy", 5, T0 + 10, 10_000);
    const light = arrive(heavy.queue, caller("light", T0 + 20), T0 + 20, T0 + 1_520, POLICY);
    expect(light).toMatchObject({ kind: "wait", slotAt: T0 + 1_100 });
    if (light.kind !== "wait") return;
    expect(drain(light.queue, T0 + 1_100, 3).tenants).toEqual(["light", "heavy", "heavy"]);
  });

  test("two equal tenants flooding alternate: each gets half the slots", () => {
    const a = flood(EMPTY_QUEUE, "a", 20, T0, 60_000);
    const both = flood(a.queue, "b", 20, T0 + 1, 60_000);
    const { tenants } = drain(both.queue, T0, 30);
    const shareOfA = tenants.filter((tenant) => tenant === "a").length / tenants.length;
    expect(shareOfA).toBeGreaterThanOrEqual(0.4);
    expect(shareOfA).toBeLessThanOrEqual(0.6);
  });

  test("slots follow the plans' weights: weight 2 gets two of every three contended slots", () => {
    const premium = flood(EMPTY_QUEUE, "premium", 30, T0, 60_000, 2);
    const both = flood(premium.queue, "standard", 30, T0, 60_000, 1);
    const { tenants } = drain(both.queue, T0, 30);
    const premiumSlots = tenants.filter((tenant) => tenant === "premium").length;
    expect(premiumSlots).toBeGreaterThanOrEqual(19);
    expect(premiumSlots).toBeLessThanOrEqual(21);
  });

  test("interactive calls go before background ones, but background gets one slot in backgroundEvery", () => {
    let queue: SlotQueue = EMPTY_QUEUE;
    for (const [tenantId, priority] of [
      ["bg", "background"],
      ["tk", "ticketing"],
      ["ia", "interactive"],
    ] as const) {
      for (let index = 0; index < 10; index += 1) {
        const next = arrive(queue, caller(tenantId, T0, priority), T0, T0 + 60_000, POLICY);
        if (next.kind !== "refused") queue = next.queue;
      }
    }
    const { tenants } = drain(queue, T0, 8);
    expect(tenants).toEqual(["ia", "ia", "ia", "bg", "ia", "ia", "ia", "bg"]);
  });

  test("ticketing goes before background when no interactive call waits", () => {
    const busy = arrive(EMPTY_QUEUE, caller("ia", T0), T0, T0, POLICY);
    if (busy.kind !== "granted") throw new Error("expected a grant");
    let queue: SlotQueue = busy.queue;
    for (const [tenantId, priority] of [
      ["bg", "background"],
      ["tk", "ticketing"],
    ] as const) {
      const next = arrive(queue, caller(tenantId, T0, priority), T0 + 5, T0 + 60_000, POLICY);
      if (next.kind !== "refused") queue = next.queue;
    }
    expect(serviceOrder(queue, T0 + 5, POLICY).map((waiter) => waiter.tenantId)).toEqual(["tk", "bg"]);
  });
});

describe("leases", () => {
  test("a waiter whose lease ran out (its Lambda died) holds nothing: the next one is served", () => {
    const granted = arrive(EMPTY_QUEUE, caller("a", T0), T0, T0, POLICY);
    if (granted.kind !== "granted") throw new Error("expected a grant");
    const dead = arrive(granted.queue, caller("dead", T0), T0, T0 + 1_200, POLICY);
    if (dead.kind !== "wait") throw new Error("expected a wait");
    const alive = arrive(dead.queue, caller("alive", T0 + 1), T0 + 1, T0 + 5_000, POLICY);
    if (alive.kind !== "wait") throw new Error("expected a wait");
    const aliveId = alive.queue.waiters.at(-1)?.id ?? "";
    expect(turn(alive.queue, aliveId, T0 + 1_200, POLICY).kind).toBe("wait");
    expect(turn(alive.queue, aliveId, T0 + 1_201, POLICY).kind).toBe("take");
  });

  test("a slot its head does not take within the grace goes to the next waiter, who asks", () => {
    const granted = arrive(EMPTY_QUEUE, caller("a", T0), T0, T0, POLICY);
    if (granted.kind !== "granted") throw new Error("expected a grant");
    const slow = arrive(granted.queue, caller("slow", T0), T0, T0 + 5_000, POLICY);
    if (slow.kind !== "wait") throw new Error("expected a wait");
    const next = arrive(slow.queue, caller("next", T0 + 1), T0 + 1, T0 + 5_000, POLICY);
    if (next.kind !== "wait") throw new Error("expected a wait");
    const nextId = next.queue.waiters.at(-1)?.id ?? "";
    expect(turn(next.queue, nextId, T0 + 1_100, POLICY)).toEqual({ kind: "wait", until: T0 + 1_350 });
    expect(turn(next.queue, nextId, T0 + 1_350, POLICY).kind).toBe("take");
  });

  test("a place held past the wait lets a caller that looks again late take a slot that opened within its wait", () => {
    const granted = arrive(EMPTY_QUEUE, caller("a", T0), T0, T0, POLICY);
    if (granted.kind !== "granted") throw new Error("expected a grant");
    const waits = arrive(granted.queue, caller("b", T0), T0, T0 + 1_500, POLICY, T0 + 2_500);
    if (waits.kind !== "wait") throw new Error("expected a wait");
    const id = waits.queue.waiters[0]?.id ?? "";
    // Its slot opened at T0 + 1,100; it looks again only at T0 + 2,000, after its wait but within its place.
    expect(turn(waits.queue, id, T0 + 2_000, POLICY).kind).toBe("take");
    expect(turn(waits.queue, id, T0 + 2_501, POLICY).kind).toBe("gone");
  });

  test("leaving removes the waiter; a gone waiter is told so", () => {
    const granted = arrive(EMPTY_QUEUE, caller("a", T0), T0, T0, POLICY);
    if (granted.kind !== "granted") throw new Error("expected a grant");
    const waits = arrive(granted.queue, caller("b", T0), T0, T0 + 1_500, POLICY);
    if (waits.kind !== "wait") throw new Error("expected a wait");
    const id = waits.queue.waiters[0]?.id ?? "";
    const left = leave(waits.queue, id, T0 + 10);
    expect(left.waiters).toEqual([]);
    expect(turn(left, id, T0 + 1_100, POLICY)).toEqual({ kind: "gone" });
  });
});

describe("properties", () => {
  interface Arrival {
    readonly tenant: number;
    readonly priority: Priority;
    readonly afterMs: number;
    readonly waitMs: number;
    /** How late this caller looks again after it was told to (a slow or dying Lambda). */
    readonly lagMs: number;
  }
  const arrivalArb = fc.record({
    tenant: fc.integer({ min: 0, max: 4 }),
    priority: fc.constantFrom(...PRIORITIES),
    afterMs: fc.integer({ min: 0, max: 800 }),
    waitMs: fc.integer({ min: 0, max: 3_000 }),
    lagMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 }), fc.constant(10_000)),
  });

  /** Runs the callers against one shared queue on a simulated clock; answers every grant. */
  const simulate = (arrivals: readonly Arrival[]) => {
    let queue: SlotQueue = EMPTY_QUEUE;
    let now = T0;
    const grants: { at: number; waiter: SlotWaiter }[] = [];
    const pending: { at: number; waiter: SlotWaiter; lagMs: number }[] = [];
    const refusedAt: number[] = [];
    const step = (at: number) => {
      // Waiters look again in time order, each when told plus its lag.
      for (;;) {
        pending.sort((a, b) => a.at - b.at);
        const due = pending[0];
        if (due === undefined || due.at > at) break;
        pending.shift();
        const next = turn(queue, due.waiter.id, due.at, POLICY);
        if (next.kind === "take") {
          queue = next.queue;
          grants.push({ at: due.at, waiter: due.waiter });
        } else if (next.kind === "wait") pending.push({ ...due, at: next.until + due.lagMs });
      }
    };
    for (const [index, arrival] of arrivals.entries()) {
      now += arrival.afterMs;
      step(now);
      const me = { ...caller(`t${arrival.tenant}`, now, arrival.priority), id: `p${index}` };
      const next = arrive(queue, me, now, now + arrival.waitMs, POLICY);
      if (next.kind === "granted") {
        queue = next.queue;
        grants.push({ at: now, waiter: { ...me, leaseUntil: now + arrival.waitMs } });
      } else if (next.kind === "wait") {
        queue = next.queue;
        pending.push({
          at: next.slotAt + arrival.lagMs,
          waiter: { ...me, leaseUntil: now + arrival.waitMs },
          lagMs: arrival.lagMs,
        });
      } else refusedAt.push(now);
    }
    step(Number.POSITIVE_INFINITY);
    return grants;
  };

  test("never two grants closer than one interval, whatever arrives and however late waiters look", () => {
    fc.assert(
      fc.property(fc.array(arrivalArb, { maxLength: 60 }), (arrivals) => {
        const times = simulate(arrivals)
          .map((grant) => grant.at)
          .sort((a, b) => a - b);
        for (let index = 1; index < times.length; index += 1) {
          expect((times[index] ?? 0) - (times[index - 1] ?? 0)).toBeGreaterThanOrEqual(POLICY.intervalMs - 0.01);
        }
      }),
    );
  });

  test("no waiter is granted a slot after its lease (it had given up)", () => {
    fc.assert(
      fc.property(fc.array(arrivalArb, { maxLength: 60 }), (arrivals) => {
        for (const grant of simulate(arrivals)) expect(grant.at).toBeLessThanOrEqual(grant.waiter.leaseUntil);
      }),
    );
  });
});
