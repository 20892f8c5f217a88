import * as z from "zod";
import { ENV, MAX_BODY_BYTES, SECRETS, type SecretKey, TABLES, type TableKey } from "../../lib/resources";
import { CALLBACK_ATTEMPT_MAX_MS, DEFAULT_RETRY_SCHEDULE_S, parseRetrySchedule } from "../domain/delivery";

/**
 * Configuration read from the environment once, validated, and failing loudly at the first
 * use when something required is missing (a misdeployed function must not half-work).
 */
const ConfigSchema = z.object({
  stage: z.string().default("local"),
  drctBaseUrl: z.url(),
  drctTimeoutMs: z.coerce.number().int().positive().default(8_000),
  /** Gap between two DRCT searches for the whole account; DRCT allows 1/s, the rest is margin for clock and network jitter. */
  drctSearchIntervalMs: z.coerce.number().int().positive().default(1_100),
  /** How long an interactive search may wait for a later DRCT search slot before it is refused with 429. */
  drctSlotWaitMs: z.coerce.number().int().min(0).default(1_500),
  drctRetryBaseMs: z.coerce.number().int().positive().default(1_000),
  drctMaxRetries: z.coerce.number().int().min(0).max(5).default(3),
  /** Identical searches landing this soon after one finished share its answer. */
  coalesceWindowMs: z.coerce.number().int().min(0).default(400),
  offerCacheTtlS: z.coerce.number().int().min(0).default(300),
  /** A flight's status is shared by every caller (all tenants) this long after DRCT answered it. */
  flightStatusCacheS: z.coerce.number().int().min(0).default(30),
  breakerFailureThreshold: z.coerce.number().int().positive().default(5),
  breakerWindowMs: z.coerce.number().int().positive().default(30_000),
  breakerCooldownMs: z.coerce.number().int().positive().default(15_000),
  eventBusName: z.string().optional(),
  reconcileIntervalS: z.coerce.number().int().positive().default(60),
  /** An uncertain order is first asked about this long after its last change. */
  reconcileAfterS: z.coerce.number().int().min(0).default(10),
  /** DRCT not confirming an order for this long makes it FAILED. */
  reconcileGraceS: z.coerce.number().int().positive().default(900),
  /** How long order create waits for the booking workflow before answering 202. */
  bookingWaitMs: z.coerce.number().int().min(0).default(8_000),
  callbackAllowPrivate: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
  piiRetentionDays: z.coerce.number().int().min(0).max(3_650).default(90),
  callbackRetryScheduleS: z
    .string()
    .default(DEFAULT_RETRY_SCHEDULE_S.join(","))
    .transform((text) => parseRetrySchedule(text)),
  // One attempt never takes longer than this (CONTRACT.md: ≤ 5 s), so one partner's slow
  // endpoint holds up another tenant's callback by at most one attempt.
  callbackTimeoutMs: z.coerce.number().int().positive().max(CALLBACK_ATTEMPT_MAX_MS).default(CALLBACK_ATTEMPT_MAX_MS),
  platformMarkupBps: z.coerce.number().int().min(0).max(10_000).default(100),
  localSecretsDir: z.string().optional(),
  maxBodyBytes: z.coerce.number().int().positive().default(MAX_BODY_BYTES),
});

export type Config = z.infer<typeof ConfigSchema>;

let cached: Config | undefined;

export const config = (): Config => {
  if (cached === undefined) {
    const raw = Object.fromEntries(
      Object.entries(ENV).map(([key, name]) => [key, emptyToUndefined(process.env[name])]),
    );
    cached = ConfigSchema.parse(raw);
    // Private callback targets are for local demos only: an AWS stage refuses to start with them.
    if (cached.callbackAllowPrivate && cached.stage !== "local") {
      throw new Error(`${ENV.callbackAllowPrivate}=true is refused outside the local runtime`);
    }
  }
  return cached;
};

const emptyToUndefined = (value: string | undefined): string | undefined => (value === "" ? undefined : value);

export const tableName = (table: TableKey): string => requiredEnv(TABLES[table].env);

export const secretName = (secret: SecretKey): string => requiredEnv(SECRETS[secret].env);

export const requiredEnv = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`environment variable ${name} is not set`);
  return value;
};
