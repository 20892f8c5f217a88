/**
 * The GCRA limiter against the DynamoDB stand-in, as many Lambdas share it: however the
 * environments race and whatever each remembers, a bucket never grants more than its policy.
 */
import { describe, expect, test } from "vitest";
import { DynamoRateLimiter } from "../../functions/adapters/dynamodb/rate-limiter";
import { useLocalDynamo } from "./local-dynamo";

useLocalDynamo("limiter-test", ["supplierState"]);

describe("DynamoRateLimiter", () => {
  test("four environments racing 40 claims at one instant grant exactly the burst", async () => {
    const at = Date.parse("2031-01-01T00:00:00Z");
    const policy = { limit: 5, windowMs: 60_000, burst: 5 };
    const environments = Array.from({ length: 4 }, () => new DynamoRateLimiter(() => at));
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, index) => environments[index % 4]?.claim("RATE#race", policy)),
    );
    expect(decisions.filter((decision) => decision?.granted)).toHaveLength(5);
    for (const refused of decisions.filter((decision) => decision?.granted === false)) {
      expect(refused?.retryAfterMs).toBeGreaterThan(0);
    }
  });

  test("an environment that remembers an old TAT still never over-grants, and a quiet bucket fills again", async () => {
    let now = Date.parse("2031-02-01T00:00:00Z");
    const policy = { limit: 2, windowMs: 1_000, burst: 2 };
    const [a, b] = [new DynamoRateLimiter(() => now), new DynamoRateLimiter(() => now)];
    expect((await a.claim("RATE#stale", policy)).granted).toBe(true); // a remembers one use
    expect((await b.claim("RATE#stale", policy)).granted).toBe(true);
    expect((await b.claim("RATE#stale", policy)).granted).toBe(false);
    // a's memory is behind the table: its write conditioned on it loses, it re-reads, refuses.
    expect((await a.claim("RATE#stale", policy)).granted).toBe(false);
    now += 1_000;
    expect((await a.claim("RATE#stale", policy)).granted).toBe(true);
    expect((await b.claim("RATE#stale", policy)).granted).toBe(true);
    expect((await a.claim("RATE#stale", policy)).granted).toBe(false);
  });

  test("a claim given back is one call back, whatever was claimed after it; a full bucket stays full", async () => {
    let now = Date.parse("2031-03-01T00:00:00Z");
    const policy = { limit: 2, windowMs: 2_000, burst: 2 };
    const fresh = () => new DynamoRateLimiter(() => now);
    const a = fresh();
    const first = await a.claim("RATE#release", policy);
    expect(first.granted).toBe(true);
    expect((await fresh().claim("RATE#release", policy)).granted).toBe(true);
    expect((await fresh().claim("RATE#release", policy)).granted).toBe(false);
    // a's claim came before the second one: giving it back still frees one call.
    await a.release("RATE#release", policy, first);
    expect((await fresh().claim("RATE#release", policy)).granted).toBe(true);
    expect((await fresh().claim("RATE#release", policy)).granted).toBe(false);
    // Long after, both calls are back; a give-back then adds nothing beyond the burst.
    now += 10_000;
    await a.release("RATE#release", policy, first);
    const state = await fresh().peek("RATE#release", policy);
    expect(state.remaining).toBe(2);
  });

  test("a peek fresher than asked answers from what the environment saw; an older one reads", async () => {
    let now = Date.parse("2031-04-01T00:00:00Z");
    const policy = { limit: 3, windowMs: 3_000, burst: 3 };
    const [a, b] = [new DynamoRateLimiter(() => now), new DynamoRateLimiter(() => now)];
    expect((await a.claim("RATE#peek", policy)).granted).toBe(true);
    expect((await b.claim("RATE#peek", policy)).granted).toBe(true);
    // a saw one claim a moment ago: it tells that without reading b's.
    expect((await a.peek("RATE#peek", policy, { fresherThanMs: 1_000 })).remaining).toBe(2);
    expect((await a.peek("RATE#peek", policy)).remaining).toBe(1);
    now += 500;
    expect((await b.claim("RATE#peek", policy)).granted).toBe(true);
    now += 1_000;
    // What a saw is older than asked now: it reads, and sees b's second claim too.
    const state = await a.peek("RATE#peek", policy, { fresherThanMs: 1_000 });
    expect(state.remaining).toBe(1);
  });
});
