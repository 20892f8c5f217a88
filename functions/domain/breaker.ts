/**
 * The supplier circuit breaker's rules, as pure functions over its shared state. The adapter
 * stores the state in DynamoDB; every transition is a conditional write on `version`.
 */
export type BreakerStatus = "closed" | "open" | "half_open";

export interface BreakerState {
  readonly status: BreakerStatus;
  /** Failures counted since `windowStart` while closed. */
  readonly failures: number;
  readonly windowStart: number;
  readonly openedAt: number;
  /** While half-open: until when the one probe holds its lease. */
  readonly probeUntil: number;
  readonly version: number;
}

export interface BreakerPolicy {
  /** Failures within `windowMs` that open the breaker. */
  readonly failureThreshold: number;
  readonly windowMs: number;
  /** How long the breaker stays open before one probe may try. */
  readonly cooldownMs: number;
  /** How long a probe may take before another caller may probe. */
  readonly probeLeaseMs: number;
}

export const CLOSED: BreakerState = {
  status: "closed",
  failures: 0,
  windowStart: 0,
  openedAt: 0,
  probeUntil: 0,
  version: 0,
};

export type Admission =
  | { readonly kind: "call" }
  /** This caller is the probe: its outcome closes or re-opens the breaker. */
  | { readonly kind: "probe"; readonly next: BreakerState }
  | { readonly kind: "reject"; readonly retryAfterMs: number };

export const admit = (policy: BreakerPolicy, state: BreakerState, now: number): Admission => {
  if (state.status === "closed") return { kind: "call" };
  const cooldownEnds = state.openedAt + policy.cooldownMs;
  if (state.status === "open" && now < cooldownEnds) return { kind: "reject", retryAfterMs: cooldownEnds - now };
  if (state.status === "half_open" && now < state.probeUntil) {
    return { kind: "reject", retryAfterMs: state.probeUntil - now };
  }
  return {
    kind: "probe",
    next: { ...state, status: "half_open", probeUntil: now + policy.probeLeaseMs, version: state.version + 1 },
  };
};

/** The state after a failed call; `opened` when this failure opened (or re-opened) the breaker. */
export const afterFailure = (
  policy: BreakerPolicy,
  state: BreakerState,
  now: number,
): { next: BreakerState; opened: boolean } => {
  if (state.status !== "closed") {
    return {
      next: { ...state, status: "open", openedAt: now, probeUntil: 0, version: state.version + 1 },
      opened: false,
    };
  }
  const inWindow = now - state.windowStart < policy.windowMs;
  const failures = inWindow ? state.failures + 1 : 1;
  const windowStart = inWindow ? state.windowStart : now;
  if (failures >= policy.failureThreshold) {
    return {
      next: { status: "open", failures, windowStart, openedAt: now, probeUntil: 0, version: state.version + 1 },
      opened: true,
    };
  }
  return { next: { ...state, failures, windowStart, version: state.version + 1 }, opened: false };
};

/** The state after a successful call; `recovered` when it closed an open or half-open breaker. */
export const afterSuccess = (state: BreakerState): { next: BreakerState; recovered: boolean } | undefined => {
  if (state.status === "closed" && state.failures === 0) return undefined;
  return { next: { ...CLOSED, version: state.version + 1 }, recovered: state.status !== "closed" };
};
