/**
 * Alarm thresholds per stage. `prod` wakes someone for what agencies feel; every other stage
 * (sandbox, dev, local) runs against DRCT's sandbox (DRCT-API.md §1), whose faults and rate
 * limits are noisier and where nobody is woken for a blip, so its thresholds are looser.
 * Counts are per 5 minutes; ages in seconds; latency in ms.
 */
export interface AlarmThresholds {
  readonly drct401: number;
  readonly drct429: number;
  readonly drct5xx: number;
  readonly drctTimeouts: number;
  readonly lambdaErrors: number;
  readonly lambdaThrottles: number;
  readonly api5xx: number;
  readonly apiLatencyP95Ms: number;
  readonly dynamoThrottles: number;
  /** Ticketing jobs wait out a 300 s visibility timeout after a crash: more than two of those is stuck. */
  readonly ticketingOldestS: number;
  /** Callbacks back off up to 300 s between attempts while a partner is down: longer than that is a block. */
  readonly callbacksOldestS: number;
}

export const ALARM_THRESHOLDS: Readonly<Record<"prod" | "sandbox", AlarmThresholds>> = {
  prod: {
    drct401: 1,
    drct429: 5,
    drct5xx: 10,
    drctTimeouts: 10,
    lambdaErrors: 1,
    lambdaThrottles: 1,
    api5xx: 5,
    apiLatencyP95Ms: 3_000,
    dynamoThrottles: 1,
    ticketingOldestS: 600,
    callbacksOldestS: 1_800,
  },
  sandbox: {
    drct401: 1,
    drct429: 20,
    drct5xx: 30,
    drctTimeouts: 30,
    lambdaErrors: 5,
    lambdaThrottles: 5,
    api5xx: 20,
    apiLatencyP95Ms: 6_000,
    dynamoThrottles: 10,
    ticketingOldestS: 1_800,
    callbacksOldestS: 3_600,
  },
};

export const thresholdsFor = (stage: string): AlarmThresholds =>
  stage === "prod" ? ALARM_THRESHOLDS.prod : ALARM_THRESHOLDS.sandbox;
