/**
 * Rate limiting by GCRA (the generic cell rate algorithm): a bucket is one number, the
 * theoretical arrival time (TAT) of the next call. Equivalent to a token bucket, but a single
 * value, so a shared store can guard it with one conditional write.
 */
export interface RateLimitPolicy {
  /** Calls allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
  /** Calls that may come back to back after a quiet period (≥ 1). */
  readonly burst: number;
}

export interface RateDecision {
  readonly granted: boolean;
  /** The TAT to store when granted. */
  readonly nextTat: number;
  /** Calls still allowed right now after this decision. */
  readonly remaining: number;
  /** Milliseconds until the next call would be allowed (0 when granted). */
  readonly retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetMs: number;
}

/** The time one call takes of the bucket (GCRA's emission interval). */
export const emissionInterval = (policy: RateLimitPolicy): number => policy.windowMs / policy.limit;

/** Intervals such as 1000/6 ms are not exact at epoch-ms magnitudes (one ULP ≈ 0.0002 ms): compare with this much slack. */
const EPSILON_MS = 0.01;

/** Decides a call at `now` for a bucket whose stored TAT is `tat` (undefined: never used). */
export const decide = (policy: RateLimitPolicy, tat: number | undefined, now: number): RateDecision => {
  const interval = emissionInterval(policy);
  const tolerance = interval * (policy.burst - 1);
  const start = Math.max(tat ?? now, now);
  if (start - now > tolerance + EPSILON_MS) {
    return {
      granted: false,
      nextTat: start,
      remaining: 0,
      // The same slack as the grant test, so a retry at exactly this time is granted.
      retryAfterMs: Math.max(1, Math.ceil(start - now - tolerance - EPSILON_MS)),
      resetMs: Math.ceil(start - now),
    };
  }
  const nextTat = start + interval;
  return {
    granted: true,
    nextTat,
    remaining: remainingAt(policy, nextTat, now),
    retryAfterMs: 0,
    resetMs: Math.ceil(nextTat - now),
  };
};

/** Calls allowed at `now` without consuming anything. */
export const remainingAt = (policy: RateLimitPolicy, tat: number | undefined, now: number): number => {
  const interval = emissionInterval(policy);
  const used = Math.max(0, (tat ?? now) - now);
  return Math.max(0, Math.min(policy.burst, Math.floor((policy.burst * interval - used + EPSILON_MS) / interval)));
};
