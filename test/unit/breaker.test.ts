import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  admit,
  afterFailure,
  afterSuccess,
  type BreakerPolicy,
  type BreakerState,
  CLOSED,
} from "../../functions/domain/breaker";

const T0 = Date.UTC(2031, 2, 10, 8, 0, 0);

const POLICY: BreakerPolicy = { failureThreshold: 3, windowMs: 10_000, cooldownMs: 30_000, probeLeaseMs: 5_000 };

const anyPolicy: fc.Arbitrary<BreakerPolicy> = fc.record({
  failureThreshold: fc.integer({ min: 1, max: 10 }),
  windowMs: fc.integer({ min: 1, max: 120_000 }),
  cooldownMs: fc.integer({ min: 1, max: 120_000 }),
  probeLeaseMs: fc.integer({ min: 1, max: 60_000 }),
});

/** Small thresholds, so that random runs open the breaker often. */
const modelPolicy: fc.Arbitrary<BreakerPolicy> = anyPolicy.map((policy) => ({
  ...policy,
  failureThreshold: 1 + (policy.failureThreshold % 4),
}));

/** Applies failures at the given times from `state`, returning every result. */
const failAt = (policy: BreakerPolicy, state: BreakerState, times: readonly number[]) => {
  const results: { next: BreakerState; opened: boolean }[] = [];
  let current = state;
  for (const at of times) {
    const result = afterFailure(policy, current, at);
    results.push(result);
    current = result.next;
  }
  return { results, state: current };
};

/** The state right after the breaker opened at T0 under POLICY. */
const openedAtT0 = (): BreakerState => failAt(POLICY, CLOSED, [T0 - 2, T0 - 1, T0]).state;

describe("closed", () => {
  test("admits calls", () => {
    expect(admit(POLICY, CLOSED, T0)).toEqual({ kind: "call" });
  });

  test("a success with no failures counted writes nothing", () => {
    expect(afterSuccess(CLOSED)).toBeUndefined();
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (version, windowStart) => {
        expect(afterSuccess({ ...CLOSED, version, windowStart })).toBeUndefined();
      }),
    );
  });

  test("a success after some failures resets the count, without reporting a recovery", () => {
    const { state } = failAt(POLICY, CLOSED, [T0, T0 + 1]);
    expect(state.failures).toBe(2);
    const result = afterSuccess(state);
    expect(result).toEqual({ next: { ...CLOSED, version: state.version + 1 }, recovered: false });
  });
});

describe("opening", () => {
  test("opens at exactly failureThreshold failures within windowMs, and reports it once", () => {
    fc.assert(
      fc.property(
        anyPolicy.chain((policy) =>
          fc.record({
            policy: fc.constant(policy),
            offsets: fc
              .array(fc.integer({ min: 0, max: policy.windowMs - 1 }), {
                minLength: policy.failureThreshold,
                maxLength: policy.failureThreshold,
              })
              .map((offsets) => offsets.sort((a, b) => a - b)),
            later: fc.array(fc.nat({ max: 200_000 }), { maxLength: 5 }),
          }),
        ),
        ({ policy, offsets, later }) => {
          const times = offsets.map((offset) => T0 + offset);
          const { results } = failAt(policy, CLOSED, times);
          results.forEach(({ next, opened }, i) => {
            const last = i === policy.failureThreshold - 1;
            expect(opened).toBe(last);
            expect(next.status).toBe(last ? "open" : "closed");
            expect(next.failures).toBe(i + 1);
          });
          const opened = results.at(-1)?.next;
          expect(opened?.openedAt).toBe(times.at(-1));
          // Further failures (late calls) keep it open and never report "opened" again.
          let t = times.at(-1) ?? T0;
          const more = failAt(
            policy,
            opened ?? CLOSED,
            later.map((gap) => (t += gap)),
          );
          for (const { next, opened: again } of more.results) {
            expect(again).toBe(false);
            expect(next.status).toBe("open");
          }
        },
      ),
    );
  });

  test("failures farther apart than windowMs never open it", () => {
    fc.assert(
      fc.property(
        anyPolicy.filter((p) => p.failureThreshold >= 2),
        fc.array(fc.nat({ max: 100_000 }), { minLength: 1, maxLength: 40 }),
        (policy, extraGaps) => {
          let t = T0;
          const times = extraGaps.map((extra) => (t += policy.windowMs + extra));
          for (const { next, opened } of failAt(policy, CLOSED, times).results) {
            expect(opened).toBe(false);
            expect(next.status).toBe("closed");
            expect(next.failures).toBe(1);
          }
        },
      ),
    );
  });

  test("whenever it opens, the last failureThreshold failures lie within less than windowMs", () => {
    fc.assert(
      fc.property(
        anyPolicy.chain((policy) =>
          fc.record({
            policy: fc.constant(policy),
            gaps: fc.array(fc.oneof(fc.constant(0), fc.nat({ max: policy.windowMs * 2 })), { maxLength: 60 }),
          }),
        ),
        ({ policy, gaps }) => {
          let t = T0;
          const times = gaps.map((gap) => (t += gap));
          let state = CLOSED;
          for (let i = 0; i < times.length; i += 1) {
            const { next, opened } = afterFailure(policy, state, times[i] ?? 0);
            if (opened) {
              const first = times[i - policy.failureThreshold + 1];
              expect(first).toBeDefined();
              expect((times[i] ?? 0) - (first ?? -Infinity)).toBeLessThan(policy.windowMs);
              return;
            }
            state = next;
          }
        },
      ),
    );
  });
});

describe("open", () => {
  test("rejects with the remaining cooldown until it ends", () => {
    const state = openedAtT0();
    expect(state.status).toBe("open");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: POLICY.cooldownMs - 1 }), (elapsed) => {
        expect(admit(POLICY, state, T0 + elapsed)).toEqual({
          kind: "reject",
          retryAfterMs: POLICY.cooldownMs - elapsed,
        });
      }),
    );
  });

  test("after the cooldown exactly one caller probes; the lease blocks others until it ends", () => {
    const state = openedAtT0();
    const at = T0 + POLICY.cooldownMs;
    const admission = admit(POLICY, state, at);
    if (admission.kind !== "probe") throw new Error(`expected a probe, got ${admission.kind}`);
    expect(admission.next).toEqual({
      ...state,
      status: "half_open",
      probeUntil: at + POLICY.probeLeaseMs,
      version: state.version + 1,
    });
    // A second caller reading the written state is turned away for the rest of the lease.
    expect(admit(POLICY, admission.next, at)).toEqual({ kind: "reject", retryAfterMs: POLICY.probeLeaseMs });
    expect(admit(POLICY, admission.next, at + POLICY.probeLeaseMs - 1)).toEqual({ kind: "reject", retryAfterMs: 1 });
    // Once the lease ends (the probe never reported), the next caller takes a new lease.
    const again = admit(POLICY, admission.next, at + POLICY.probeLeaseMs);
    if (again.kind !== "probe") throw new Error(`expected a probe, got ${again.kind}`);
    expect(again.next.probeUntil).toBe(at + 2 * POLICY.probeLeaseMs);
    expect(again.next.version).toBe(admission.next.version + 1);
  });

  test("a failed probe re-opens (not reported as opened) and restarts the cooldown", () => {
    const probe = admit(POLICY, openedAtT0(), T0 + POLICY.cooldownMs);
    if (probe.kind !== "probe") throw new Error("expected a probe");
    const failedAt = T0 + POLICY.cooldownMs + 1_234;
    const { next, opened } = afterFailure(POLICY, probe.next, failedAt);
    expect(opened).toBe(false);
    expect(next).toMatchObject({ status: "open", openedAt: failedAt, probeUntil: 0, version: probe.next.version + 1 });
    expect(admit(POLICY, next, failedAt + POLICY.cooldownMs - 1)).toEqual({ kind: "reject", retryAfterMs: 1 });
    expect(admit(POLICY, next, failedAt + POLICY.cooldownMs).kind).toBe("probe");
  });

  test("a successful probe closes it and reports the recovery", () => {
    const probe = admit(POLICY, openedAtT0(), T0 + POLICY.cooldownMs);
    if (probe.kind !== "probe") throw new Error("expected a probe");
    const result = afterSuccess(probe.next);
    expect(result).toEqual({ next: { ...CLOSED, version: probe.next.version + 1 }, recovered: true });
    expect(admit(POLICY, result?.next ?? probe.next, T0 + POLICY.cooldownMs + 1)).toEqual({ kind: "call" });
  });
});

/** The model tests' view of time and the breaker as it would be stored. */
type Advance = { readonly ms: number } | { readonly toBoundary: number };

/** Time moves by some ms, or to just around the end of the current cooldown or probe lease. */
const advance: fc.Arbitrary<Advance> = fc.oneof(
  fc.record({
    ms: fc.oneof({ arbitrary: fc.nat({ max: 1_000 }), weight: 3 }, { arbitrary: fc.nat({ max: 150_000 }), weight: 1 }),
  }),
  fc.record({ toBoundary: fc.integer({ min: -2, max: 1 }) }),
);

const advanced = (policy: BreakerPolicy, state: BreakerState, now: number, step: Advance): number => {
  if ("ms" in step) return now + step.ms;
  const boundary =
    state.status === "open"
      ? state.openedAt + policy.cooldownMs
      : state.status === "half_open"
        ? state.probeUntil
        : now;
  return Math.max(now, boundary + step.toBoundary);
};

type Command =
  | { readonly kind: "advance"; readonly step: Advance }
  | { readonly kind: "start" }
  | { readonly kind: "finish"; readonly pick: number; readonly ok: boolean };

/** Failures twice as likely as successes, so that the breaker opens often. */
const outcome: fc.Arbitrary<boolean> = fc.nat({ max: 2 }).map((n) => n === 0);

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("advance" as const), step: advance }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("start" as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("finish" as const), pick: fc.nat(), ok: outcome }), weight: 2 },
);

interface InFlight {
  readonly probe: boolean;
  readonly leaseEnds: number;
  /** A re-open since this probe started revoked its lease. */
  revoked: boolean;
}

describe("model", () => {
  test("sequential calls (advance, outcome): no call goes through while open within the cooldown", () => {
    fc.assert(
      fc.property(modelPolicy, fc.array(fc.record({ advance, ok: outcome }), { maxLength: 120 }), (policy, steps) => {
        let state = CLOSED;
        let now = T0;
        /** Independent bookkeeping: when the cooldown of the last (re-)opening ends. */
        let cooldownEnds = -Infinity;
        for (const step of steps) {
          now = advanced(policy, state, now, step.advance);
          const admission = admit(policy, state, now);
          if (now < cooldownEnds) {
            expect(admission).toEqual({ kind: "reject", retryAfterMs: cooldownEnds - now });
            continue;
          }
          // One call at a time: a probe always reports before the next caller comes.
          expect(admission.kind).toBe(state.status === "closed" ? "call" : "probe");
          if (admission.kind === "probe") {
            expect(admission.next.version).toBe(state.version + 1);
            state = admission.next;
          }
          if (step.ok) {
            const result = afterSuccess(state);
            if (result === undefined) {
              expect(state).toMatchObject({ status: "closed", failures: 0 });
            } else {
              expect(result.next.version).toBe(state.version + 1);
              expect(result.recovered).toBe(state.status !== "closed");
              expect(result.next.status).toBe("closed");
              state = result.next;
            }
            cooldownEnds = -Infinity;
          } else {
            const { next, opened } = afterFailure(policy, state, now);
            expect(next.version).toBe(state.version + 1);
            expect(opened).toBe(state.status === "closed" && next.status === "open");
            if (state.status !== "closed") expect(next.status).toBe("open");
            if (next.status === "open") cooldownEnds = now + policy.cooldownMs;
            state = next;
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  test("concurrent calls: admissions only once the cooldown or lease has passed, one live probe at a time", () => {
    fc.assert(
      fc.property(modelPolicy, fc.array(command, { maxLength: 150 }), (policy, commands) => {
        let state = CLOSED;
        let now = T0;
        /** Independent bookkeeping: no admission before this time (cooldown or probe lease). */
        let blockedUntil = -Infinity;
        const inFlight: InFlight[] = [];
        let opens = 0;
        let openedReports = 0;

        const write = (next: BreakerState): void => {
          expect(next.version).toBeGreaterThan(state.version);
          if (next.status === "open" && state.status !== "open") {
            if (state.status === "closed") opens += 1;
          }
          if (next.status === "open") {
            blockedUntil = now + policy.cooldownMs;
            for (const call of inFlight) call.revoked = true;
          }
          if (next.status === "closed") blockedUntil = -Infinity;
          state = next;
        };

        for (const cmd of commands) {
          if (cmd.kind === "advance") {
            now = advanced(policy, state, now, cmd.step);
          } else if (cmd.kind === "start") {
            const admission = admit(policy, state, now);
            if (admission.kind === "reject") {
              expect(now).toBeLessThan(blockedUntil);
              expect(admission.retryAfterMs).toBe(blockedUntil - now);
              continue;
            }
            expect(now).toBeGreaterThanOrEqual(blockedUntil);
            if (admission.kind === "call") {
              expect(state.status).toBe("closed");
              inFlight.push({ probe: false, leaseEnds: now, revoked: false });
            } else {
              expect(state.status).not.toBe("closed");
              const live = inFlight.filter((c) => c.probe && !c.revoked && c.leaseEnds > now);
              expect(live).toHaveLength(0);
              write(admission.next);
              blockedUntil = now + policy.probeLeaseMs;
              inFlight.push({ probe: true, leaseEnds: now + policy.probeLeaseMs, revoked: false });
            }
          } else if (inFlight.length > 0) {
            inFlight.splice(cmd.pick % inFlight.length, 1);
            if (cmd.ok) {
              const result = afterSuccess(state);
              if (result === undefined) {
                expect(state).toMatchObject({ status: "closed", failures: 0 });
              } else {
                expect(result.recovered).toBe(state.status !== "closed");
                write(result.next);
              }
            } else {
              const { next, opened } = afterFailure(policy, state, now);
              if (opened) openedReports += 1;
              write(next);
            }
          }
        }
        expect(openedReports).toBe(opens);
      }),
      { numRuns: 1_000 },
    );
  });
});
