import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decide, type RateDecision, type RateLimitPolicy, remainingAt } from "../../functions/domain/rate-limit";
import { ACCOUNT_LIMITS, PLANS } from "../../lib/resources";

/** A realistic clock value (epoch ms): the adapters call `decide` with Date.now(). */
const T0 = Date.UTC(2031, 2, 10, 8, 0, 0);

interface Step {
  readonly at: number;
  /** The stored TAT the decision was made against. */
  readonly tat: number | undefined;
  readonly decision: RateDecision;
}

/** Decides each call in order, storing the TAT only when granted (as DynamoRateLimiter does). */
const simulate = (
  policy: RateLimitPolicy,
  times: readonly number[],
  initialTat?: number,
): { steps: Step[]; tat: number | undefined } => {
  let tat = initialTat;
  const steps: Step[] = [];
  for (const at of times) {
    const decision = decide(policy, tat, at);
    steps.push({ at, tat, decision });
    if (decision.granted) tat = decision.nextTat;
  }
  return { steps, tat };
};

/** Calls back to back at one instant until the first refusal (at most `max` grants). */
const drain = (
  policy: RateLimitPolicy,
  tat: number | undefined,
  now: number,
  max = 100,
): { granted: RateDecision[]; refusal: RateDecision | undefined; tat: number | undefined } => {
  const granted: RateDecision[] = [];
  let current = tat;
  for (let i = 0; i <= max; i += 1) {
    const decision = decide(policy, current, now);
    if (!decision.granted) return { granted, refusal: decision, tat: current };
    granted.push(decision);
    current = decision.nextTat;
  }
  return { granted, refusal: undefined, tat: current };
};

const interval = (policy: RateLimitPolicy): number => policy.windowMs / policy.limit;

const anyPolicy: fc.Arbitrary<RateLimitPolicy> = fc.record({
  limit: fc.integer({ min: 1, max: 100 }),
  windowMs: fc.integer({ min: 100, max: 120_000 }),
  burst: fc.integer({ min: 1, max: 20 }),
});

/**
 * Policies whose emission interval (windowMs / limit) is a whole number of ms, like every
 * policy in lib/resources.ts. See the `test.fails` below for other intervals.
 */
const wholeIntervalPolicy: fc.Arbitrary<RateLimitPolicy> = fc.integer({ min: 1, max: 100 }).chain((limit) =>
  fc.record({
    limit: fc.constant(limit),
    windowMs: fc
      .integer({ min: Math.ceil(100 / limit), max: Math.floor(120_000 / limit) })
      .map((emission) => emission * limit),
    burst: fc.integer({ min: 1, max: 20 }),
  }),
);

const startTime = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 10_000_000 }),
  fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
);

/** Gaps between calls, scaled to the policy: back to back, around the emission interval, or up to two windows. */
const gapsFor = (policy: RateLimitPolicy): fc.Arbitrary<number[]> =>
  fc.array(
    fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: Math.ceil(interval(policy)) * 2 }),
      fc.integer({ min: 0, max: policy.windowMs * 2 }),
    ),
    { maxLength: 80 },
  );

interface Scenario {
  readonly policy: RateLimitPolicy;
  /** Non-decreasing call times. */
  readonly times: number[];
}

const scenario = (policies: fc.Arbitrary<RateLimitPolicy>): fc.Arbitrary<Scenario> =>
  policies.chain((policy) =>
    fc.record({ start: startTime, gaps: gapsFor(policy) }).map(({ start, gaps }) => {
      let t = start;
      return { policy, times: gaps.map((gap) => (t += gap)) };
    }),
  );

describe("decide: examples", () => {
  test("a never-used bucket has its whole burst", () => {
    expect(remainingAt({ limit: 12, windowMs: 60_000, burst: 3 }, undefined, T0)).toBe(3);
  });

  test("the DRCT account's search budget (1 per 1.1 s, no burst)", () => {
    const policy = ACCOUNT_LIMITS.search;
    const first = decide(policy, undefined, T0);
    expect(first).toEqual({ granted: true, nextTat: T0 + 1_100, remaining: 0, retryAfterMs: 0, resetMs: 1_100 });

    const early = decide(policy, first.nextTat, T0 + 1_099);
    expect(early).toEqual({ granted: false, nextTat: T0 + 1_100, remaining: 0, retryAfterMs: 1, resetMs: 1 });

    const onTime = decide(policy, first.nextTat, T0 + 1_100);
    expect(onTime.granted).toBe(true);
    expect(onTime.nextTat).toBe(T0 + 2_200);
  });

  test("a standard tenant's searches: 3 back to back, then one every 5 s", () => {
    const policy = PLANS.standard.supplier.search; // 12 per minute, burst 3
    const { granted, refusal, tat } = drain(policy, undefined, T0);
    expect(granted.map((d) => d.remaining)).toEqual([2, 1, 0]);
    expect(refusal).toEqual({
      granted: false,
      nextTat: T0 + 15_000,
      remaining: 0,
      retryAfterMs: 5_000,
      resetMs: 15_000,
    });
    expect(decide(policy, tat, T0 + 4_999).granted).toBe(false);
    expect(decide(policy, tat, T0 + 5_000).granted).toBe(true);
  });

  test("a TAT in the past counts as an empty bucket", () => {
    const policy: RateLimitPolicy = { limit: 2, windowMs: 1_000, burst: 2 };
    expect(decide(policy, T0 - 10_000, T0)).toEqual(decide(policy, undefined, T0));
    expect(remainingAt(policy, T0 - 10_000, T0)).toBe(2);
  });

  test("burst + limit calls in one window is reachable (the bound below is tight)", () => {
    const policy: RateLimitPolicy = { limit: 4, windowMs: 1_000, burst: 3 };
    const times = [T0, T0, T0, T0 + 250, T0 + 500, T0 + 750, T0 + 1_000];
    const { steps } = simulate(policy, times);
    expect(steps.map((s) => s.decision.granted)).toEqual([true, true, true, true, true, true, true]);
    expect(decide(policy, simulate(policy, times).tat, T0 + 1_000).granted).toBe(false);
  });

  test("with burst > limit a quiet window refills only `limit` calls: the bucket refills at limit per window", () => {
    const policy: RateLimitPolicy = { limit: 1, windowMs: 1_000, burst: 5 };
    const { tat, granted } = drain(policy, undefined, T0);
    expect(granted).toHaveLength(5);
    expect(drain(policy, tat, T0 + 1_000).granted).toHaveLength(1);
    expect(drain(policy, tat, T0 + 5_000).granted).toHaveLength(5);
  });
});

describe("decide: properties", () => {
  test("granted calls in any window of windowMs never exceed burst + limit", () => {
    fc.assert(
      fc.property(scenario(anyPolicy), ({ policy, times }) => {
        const granted = simulate(policy, times)
          .steps.filter((s) => s.decision.granted)
          .map((s) => s.at);
        for (let i = 0; i < granted.length; i += 1) {
          let inWindow = 0;
          for (
            let j = i;
            j < granted.length && (granted[j] ?? Infinity) - (granted[i] ?? 0) <= policy.windowMs;
            j += 1
          ) {
            inWindow += 1;
          }
          expect(inWindow).toBeLessThanOrEqual(policy.burst + policy.limit);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("with burst 1, granted calls are at least windowMs / limit apart", () => {
    fc.assert(
      fc.property(scenario(anyPolicy.map((p) => ({ ...p, burst: 1 }))), ({ policy, times }) => {
        const granted = simulate(policy, times)
          .steps.filter((s) => s.decision.granted)
          .map((s) => s.at);
        for (let i = 1; i < granted.length; i += 1) {
          expect((granted[i] ?? 0) - (granted[i - 1] ?? 0)).toBeGreaterThanOrEqual(interval(policy));
        }
      }),
      { numRuns: 300 },
    );
  });

  test("after a quiet period of windowMs (burst ≤ limit) a full burst is granted back to back, and no more", () => {
    fc.assert(
      fc.property(
        scenario(wholeIntervalPolicy.filter((p) => p.burst <= p.limit)),
        fc.integer({ min: 0, max: 200_000 }),
        ({ policy, times }, extra) => {
          const { tat } = simulate(policy, times);
          const last = times.at(-1) ?? T0;
          const { granted, refusal } = drain(policy, tat, last + policy.windowMs + extra);
          expect(granted).toHaveLength(policy.burst);
          expect(refusal?.granted).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("for any burst, a full burst is back after a quiet period of max(windowMs, burst × windowMs / limit)", () => {
    fc.assert(
      fc.property(scenario(wholeIntervalPolicy), fc.integer({ min: 0, max: 10_000 }), ({ policy, times }, extra) => {
        const { tat } = simulate(policy, times);
        const last = times.at(-1) ?? T0;
        const quiet = Math.max(policy.windowMs, policy.burst * interval(policy));
        expect(remainingAt(policy, tat, last + quiet + extra)).toBe(policy.burst);
        expect(drain(policy, tat, last + quiet + extra).granted).toHaveLength(policy.burst);
      }),
      { numRuns: 300 },
    );
  });

  test("a refusal's retryAfterMs is exactly when the next call is granted", () => {
    fc.assert(
      fc.property(scenario(anyPolicy), ({ policy, times }) => {
        for (const { at, tat, decision } of simulate(policy, times).steps) {
          if (decision.granted) {
            expect(decision.retryAfterMs).toBe(0);
            continue;
          }
          expect(Number.isInteger(decision.retryAfterMs)).toBe(true);
          expect(decision.retryAfterMs).toBeGreaterThanOrEqual(1);
          expect(decision.remaining).toBe(0);
          expect(decide(policy, tat, at + decision.retryAfterMs).granted).toBe(true);
          if (decision.retryAfterMs > 1)
            expect(decide(policy, tat, at + decision.retryAfterMs - 1).granted).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("remaining counts down by one per granted call at one instant, and says exactly how many more are granted", () => {
    fc.assert(
      fc.property(scenario(wholeIntervalPolicy), fc.nat({ max: 200_000 }), ({ policy, times }, later) => {
        const { tat } = simulate(policy, times);
        const now = (times.at(-1) ?? T0) + later;
        const before = remainingAt(policy, tat, now);
        const { granted, refusal } = drain(policy, tat, now);
        expect(granted).toHaveLength(before);
        expect(granted.map((d) => d.remaining)).toEqual(granted.map((_, i) => before - 1 - i));
        expect(refusal?.remaining).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  test("remaining is always a whole number between 0 and burst", () => {
    fc.assert(
      fc.property(scenario(anyPolicy), fc.nat({ max: 300_000 }), ({ policy, times }, probe) => {
        const { steps, tat } = simulate(policy, times);
        const values = [
          ...steps.map((s) => s.decision.remaining),
          ...steps.map((s) => remainingAt(policy, s.tat, s.at)),
          remainingAt(policy, tat, (times.at(-1) ?? T0) + probe),
        ];
        for (const remaining of values) {
          expect(Number.isInteger(remaining)).toBe(true);
          expect(remaining).toBeGreaterThanOrEqual(0);
          expect(remaining).toBeLessThanOrEqual(policy.burst);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("a granted call's resetMs is when the bucket is full again", () => {
    fc.assert(
      fc.property(scenario(anyPolicy), ({ policy, times }) => {
        for (const { at, decision } of simulate(policy, times).steps) {
          if (!decision.granted) continue;
          expect(decision.resetMs).toBeGreaterThan(0);
          expect(remainingAt(policy, decision.nextTat, at + decision.resetMs)).toBe(policy.burst);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("decide: emission intervals that are not a whole number of ms", () => {
  // BUG (functions/domain/rate-limit.ts, decide): the test `start - now > tolerance` compares
  // floating-point values with no margin. When windowMs / limit is not exactly representable
  // (here 1000 / 6 = 166.66…), `(now + interval) - now` rounds to slightly more than
  // `interval × (burst − 1)` at epoch-ms magnitudes, so the second call of a fresh bucket is
  // refused (retryAfterMs 1) and the promised burst is not granted. Every policy in
  // lib/resources.ts has a whole-ms interval, so production is not affected today.
  test("a fresh bucket grants its full burst back to back (limit 6 per 1000 ms, burst 2)", () => {
    const policy: RateLimitPolicy = { limit: 6, windowMs: 1_000, burst: 2 };
    const { granted } = drain(policy, undefined, 1_700_000_000_000);
    expect(granted).toHaveLength(2);
  });

  // BUG (same cause, plus the 1e-9 fudge in remainingAt): the first decision reports
  // remaining 1, yet the next call at the same instant is refused.
  test("remaining agrees with the next decision at the same instant (limit 6 per 1000 ms, burst 2)", () => {
    const policy: RateLimitPolicy = { limit: 6, windowMs: 1_000, burst: 2 };
    const first = decide(policy, undefined, 1_000);
    expect(first.remaining).toBe(1);
    expect(decide(policy, first.nextTat, 1_000).granted).toBe(true);
  });
});
