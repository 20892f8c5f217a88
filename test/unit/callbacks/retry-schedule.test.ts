import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { DEFAULT_RETRY_SCHEDULE_S, nextAttemptDelayMs, parseRetrySchedule } from "../../../functions/domain/delivery";

import { T0 } from "./world";

describe("parseRetrySchedule", () => {
  test("accepts the CONTRACT default", () => {
    const text = "0,2,6,12,20,30,45,65,90,120,155,195,235,270,300";
    expect(parseRetrySchedule(text)).toEqual([0, 2, 6, 12, 20, 30, 45, 65, 90, 120, 155, 195, 235, 270, 300]);
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE_S.join(","))).toEqual([...DEFAULT_RETRY_SCHEDULE_S]);
  });

  test("accepts spaces, a single entry and repeated entries", () => {
    expect(parseRetrySchedule(" 0, 2 ,6 ")).toEqual([0, 2, 6]);
    expect(parseRetrySchedule("5")).toEqual([5]);
    expect(parseRetrySchedule("0,0,3,3")).toEqual([0, 0, 3, 3]);
  });

  test.each(["0,6,2", "10,0", "0,-1,2", "-1", "0,abc,6", "0,2,six", "NaN", "0,Infinity", "1;2;3"])(
    "rejects %j",
    (text) => {
      expect(() => parseRetrySchedule(text)).toThrow(/not a retry schedule/);
    },
  );

  test("any non-decreasing list of non-negative seconds round-trips", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 100_000 }), { minLength: 1, maxLength: 30 }), (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        expect(parseRetrySchedule(sorted.join(","))).toEqual(sorted);
      }),
    );
  });

  test("any list with a decrease, or a negative entry, is rejected", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1_000, max: 1_000 }), { minLength: 1, maxLength: 20 }), (values) => {
        const decreases = values.some((value, index) => index > 0 && value < (values[index - 1] ?? 0));
        const negative = values.some((value) => value < 0);
        fc.pre(decreases || negative);
        expect(() => parseRetrySchedule(values.join(","))).toThrow();
      }),
    );
  });

  // BUG: Number("") is 0, so an empty entry passes as 0 seconds: "0,,6" parses as [0, 0, 6] and
  // ",2,6" as [0, 2, 6]. A typo in CALLBACK_RETRY_SCHEDULE_S is silently accepted as an extra attempt.
  test("rejects an empty entry (BUG: parsed as 0)", () => {
    expect(() => parseRetrySchedule("0,,6")).toThrow(/not a retry schedule/);
  });

  // BUG: the same cause: CALLBACK_RETRY_SCHEDULE_S="" (set but empty; zod's default only covers an
  // unset variable) parses as [0] — one attempt, then every callback is dead-lettered — instead of failing loudly.
  test("rejects an empty or blank setting (BUG: parsed as [0])", () => {
    expect(() => parseRetrySchedule("")).toThrow(/not a retry schedule/);
    expect(() => parseRetrySchedule("  ")).toThrow(/not a retry schedule/);
  });
});

describe("nextAttemptDelayMs", () => {
  test("the example of the schedule [0,2,6]", () => {
    expect(nextAttemptDelayMs([0, 2, 6], 1, T0, T0)).toBe(2_000);
    expect(nextAttemptDelayMs([0, 2, 6], 2, T0, T0 + 2_000)).toBe(4_000);
    expect(nextAttemptDelayMs([0, 2, 6], 3, T0, T0 + 6_000)).toBeUndefined();
    expect(nextAttemptDelayMs([0, 2, 6], 1, T0, T0, 10)).toBe(10_000);
    expect(nextAttemptDelayMs([0, 2, 6], 1, T0, T0, 1)).toBe(2_000);
    expect(nextAttemptDelayMs([0, 2, 6], 2, T0, T0 + 60_000)).toBe(0);
  });

  const scheduleArb = fc
    .array(fc.nat({ max: 3_600 }), { maxLength: 20 })
    .map((values) => [...values].sort((a, b) => a - b));
  const retryAfterArb = fc.option(fc.oneof(fc.nat({ max: 86_400 }), fc.double({ min: 0, max: 86_400, noNaN: true })), {
    nil: undefined,
  });

  test("never negative, undefined exactly when the round is used up, never before Retry-After", () => {
    fc.assert(
      fc.property(
        scheduleArb,
        fc.nat({ max: 25 }),
        fc.integer({ min: T0 - 86_400_000, max: T0 + 86_400_000 }),
        fc.integer({ min: -60_000, max: 7_200_000 }),
        retryAfterArb,
        (schedule, attemptsInRound, roundStartedAt, elapsed, retryAfterSeconds) => {
          const delay = nextAttemptDelayMs(
            schedule,
            attemptsInRound,
            roundStartedAt,
            roundStartedAt + elapsed,
            retryAfterSeconds,
          );
          expect(delay === undefined).toBe(attemptsInRound >= schedule.length);
          if (delay === undefined) return;
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeGreaterThanOrEqual((retryAfterSeconds ?? 0) * 1_000);
        },
      ),
    );
  });

  test("without Retry-After: the time left until round start + schedule[attemptsInRound] s, or 0 when past", () => {
    fc.assert(
      fc.property(
        scheduleArb.filter((schedule) => schedule.length > 0),
        fc.nat(),
        fc.integer({ min: -60_000, max: 7_200_000 }),
        (schedule, pick, elapsed) => {
          const attemptsInRound = pick % schedule.length;
          const due = T0 + (schedule[attemptsInRound] ?? 0) * 1_000;
          expect(nextAttemptDelayMs(schedule, attemptsInRound, T0, T0 + elapsed)).toBe(
            Math.max(0, due - (T0 + elapsed)),
          );
        },
      ),
    );
  });
});
