/**
 * The fair slot queue against the DynamoDB stand-in, as many Lambdas would share it: callers
 * racing for DRCT's search slots never get two slots closer than one interval, equal tenants
 * share them, and a waiter that dies holds nothing past its lease.
 */
import { describe, expect, test } from "vitest";
import type { SlotRequest } from "../../functions/adapters/drct/guard-ports";
import { DynamoSlotQueue } from "../../functions/adapters/dynamodb/slot-queue";
import { useLocalDynamo } from "./local-dynamo";

useLocalDynamo("slots-test", ["supplierState"]);
const POLICY = { intervalMs: 200, backgroundEvery: 4, headGraceMs: 100 };

const request = (tenantId: string, waitMs: number): SlotRequest => ({
  tenantId,
  priority: "interactive",
  weight: 1,
  waitUntil: Date.now() + waitMs,
  policy: POLICY,
});

/**
 * Acquires concurrently; answers, for each caller, whether and when (by the queue's clock, ms
 * since the start) it got its slot.
 */
const race = async (bucket: string, tenants: readonly string[], waitMs: number) => {
  const queue = new DynamoSlotQueue();
  const started = Date.now();
  return Promise.all(
    tenants.map(async (tenantId) => {
      const decision = await queue.acquire(bucket, request(tenantId, waitMs));
      return {
        tenantId,
        granted: decision.granted,
        at: (decision.at ?? Number.NaN) - started,
        retryAfterMs: decision.retryAfterMs,
      };
    }),
  );
};

describe("DynamoSlotQueue", () => {
  test("20 concurrent callers: granted slots are never closer than one interval; the rest are refused with when to retry", async () => {
    const results = await race(
      "SLOTS#test#spacing",
      Array.from({ length: 20 }, (_, index) => `t${index % 4}`),
      1_000,
    );
    const granted = results.filter((result) => result.granted).map((result) => result.at);
    granted.sort((a, b) => a - b);
    expect(granted.length).toBeGreaterThanOrEqual(2);
    for (let index = 1; index < granted.length; index += 1) {
      expect((granted[index] ?? 0) - (granted[index - 1] ?? 0)).toBeGreaterThanOrEqual(POLICY.intervalMs - 0.01);
    }
    for (const refused of results.filter((result) => !result.granted)) expect(refused.retryAfterMs).toBeGreaterThan(0);
  });

  test("two tenants each queueing many calls get the contended slots in turn", async () => {
    const tenants = Array.from({ length: 12 }, (_, index) => (index < 6 ? "a" : "b"));
    const results = await race("SLOTS#test#fair", tenants, 5_000);
    const order = results
      .filter((result) => result.granted)
      .sort((x, y) => x.at - y.at)
      .map((result) => result.tenantId);
    expect(order).toHaveLength(12);
    const shareOfA = order.slice(0, 8).filter((tenantId) => tenantId === "a").length;
    expect(shareOfA).toBeGreaterThanOrEqual(3);
    expect(shareOfA).toBeLessThanOrEqual(5);
  });

  test("a waiter that never comes back (its Lambda died) holds no slot past its lease", async () => {
    const bucket = "SLOTS#test#lease";
    const queue = new DynamoSlotQueue();
    expect((await queue.acquire(bucket, request("first", 0))).granted).toBe(true);
    // A caller that queues and then never looks again: a Lambda frozen or killed while waiting.
    const dead = new DynamoSlotQueue(Date.now, () => new Promise<void>(() => undefined));
    void dead.acquire(bucket, request("dead", 300));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const alive = await queue.acquire(bucket, request("alive", 2_000));
    expect(alive.granted).toBe(true);
    // The dead waiter's slot (at ~200 ms) is skipped once its lease (300 ms) ran out.
    expect(Date.now() - started).toBeLessThan(POLICY.intervalMs * 3);
  });

  test("a slot used late (its call went out after a slow take) moves the next slot to one interval after that use", async () => {
    const bucket = "SLOTS#test#prompt";
    // A clock that makes everything after the first reading 300 ms later: the take looks slow.
    let readings = 0;
    const slow = new DynamoSlotQueue(() => Date.now() + (readings++ === 0 ? 0 : 300));
    const started = Date.now();
    const taken = await slow.acquire(bucket, request("slow", 0));
    expect(taken.granted).toBe(true);
    await slow.markUsed(bucket, { at: taken.at ?? 0, nextSlotAt: taken.nextSlotAt }, POLICY);
    const next = await new DynamoSlotQueue().acquire(bucket, request("next", 2_000));
    expect(next.granted).toBe(true);
    // The slow caller's call went out 300 ms after it took the slot: the next slot is an interval after that.
    expect((next.at ?? 0) - started).toBeGreaterThanOrEqual(300 + POLICY.intervalMs);
  });

  test("even a call 30 ms after its take moves the next slot: the spacing is between uses, not takes", async () => {
    const bucket = "SLOTS#test#slightly-late";
    let readings = 0;
    const slightlySlow = new DynamoSlotQueue(() => Date.now() + (readings++ === 0 ? 0 : 30));
    const taken = await slightlySlow.acquire(bucket, request("slightly", 0));
    expect(taken.granted).toBe(true);
    await slightlySlow.markUsed(bucket, { at: taken.at ?? 0, nextSlotAt: taken.nextSlotAt }, POLICY);
    const next = await new DynamoSlotQueue().acquire(bucket, request("next", 2_000));
    expect(next.granted).toBe(true);
    expect((next.at ?? 0) - (taken.at ?? 0)).toBeGreaterThanOrEqual(30 + POLICY.intervalMs);
  });

  test("a slot given back (its call will not be made) opens again for the next caller at once", async () => {
    const bucket = "SLOTS#test#given-back";
    const queue = new DynamoSlotQueue();
    expect((await queue.acquire(bucket, request("first", 0))).granted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, POLICY.intervalMs + 10));
    const refused = await queue.acquire(bucket, request("refused-tenant", 0));
    expect(refused.granted).toBe(true);
    await queue.giveBack(bucket, { at: refused.at ?? 0, nextSlotAt: refused.nextSlotAt, before: refused.before });
    const next = await queue.acquire(bucket, request("next", 0));
    expect(next.granted).toBe(true);
  });

  test("a slot given back after the next one was taken changes nothing: slots stay an interval apart", async () => {
    const bucket = "SLOTS#test#given-back-late";
    const queue = new DynamoSlotQueue();
    const first = await queue.acquire(bucket, request("first", 0));
    const second = await queue.acquire(bucket, request("second", 2_000));
    expect(second.granted).toBe(true);
    await queue.giveBack(bucket, { at: first.at ?? 0, nextSlotAt: first.nextSlotAt, before: first.before });
    const third = await queue.acquire(bucket, request("third", 2_000));
    expect(third.granted).toBe(true);
    expect((third.at ?? 0) - (second.at ?? 0)).toBeGreaterThanOrEqual(POLICY.intervalMs - 0.01);
  });

  test("a call already called off when it arrives writes nothing to the queue", async () => {
    const bucket = "SLOTS#test#called-off-early";
    const queue = new DynamoSlotQueue();
    const calledOff = new AbortController();
    calledOff.abort();
    expect((await queue.acquire(bucket, { ...request("late", 2_000), signal: calledOff.signal })).granted).toBe(false);
    expect(await queue.look(bucket)).toEqual({
      queue: { nextSlotAt: undefined, waiters: [], virtual: {}, clock: 0, sinceBackground: 0 },
      version: 0,
    });
  });

  test("a waiter whose call is called off (its signal aborts) leaves the queue at once", async () => {
    const bucket = "SLOTS#test#called-off";
    const queue = new DynamoSlotQueue();
    expect((await queue.acquire(bucket, request("first", 0))).granted).toBe(true);
    const calledOff = new AbortController();
    const started = Date.now();
    const waiting = queue.acquire(bucket, { ...request("waiter", 5_000), signal: calledOff.signal });
    await new Promise((resolve) => setTimeout(resolve, 30));
    calledOff.abort();
    expect((await waiting).granted).toBe(false);
    expect(Date.now() - started).toBeLessThan(POLICY.intervalMs);
    expect((await queue.look(bucket)).queue.waiters).toEqual([]);
  });
});
