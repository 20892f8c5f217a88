import { PLANS, type SupplierOperation } from "../../lib/resources";
import { tenantBucket } from "../adapters/drct/guard-ports";
import { DynamoRateLimiter } from "../adapters/dynamodb/rate-limiter";
import { type RateLimitPolicy, remainingAt } from "../domain/rate-limit";
import type { Tenant } from "../domain/tenant";

let limiter: DynamoRateLimiter | undefined;

/** The environment's one limiter: the supplier's budget claims and the headers share what it saw. */
export const rateLimiter = (): DynamoRateLimiter => {
  limiter ??= new DynamoRateLimiter();
  return limiter;
};

const RATE_LIMIT_OPERATION: SupplierOperation = "search";

/**
 * The headers are advice: what this environment read or wrote of the bucket within this is
 * told without reading it again (a steady caller's GETs then cost one read, not two).
 */
const HEADERS_FRESH_MS = 1_000;

/**
 * The tenant's DRCT search budget (the scarce one), on every response of a tenant route, as
 * `ratelimit-*` headers: a client can slow down before it is refused. The bucket is read when
 * the request starts, beside its work; the headers are computed when it ends, from the newest
 * TAT the limiter knows (this request's own claim, if it made one), so they cost no round trip
 * of their own.
 */
export const rateLimitHeaders = (tenant: Tenant): (() => Promise<Record<string, string>>) => {
  const policy = PLANS[tenant.plan].supplier[RATE_LIMIT_OPERATION] as RateLimitPolicy;
  const bucket = tenantBucket(tenant.tenantId, RATE_LIMIT_OPERATION);
  // Settled here, so a failed read is never an unhandled rejection while the request runs.
  const read = rateLimiter()
    .peek(bucket, policy, { fresherThanMs: HEADERS_FRESH_MS })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  return async () => {
    const failed = await read;
    if (failed !== undefined) throw failed;
    const tat = rateLimiter().known(bucket);
    const now = Date.now();
    return {
      "ratelimit-limit": String(policy.limit),
      "ratelimit-remaining": String(remainingAt(policy, tat, now)),
      "ratelimit-reset": String(Math.ceil(Math.max(0, (tat ?? now) - now) / 1000)),
      "ratelimit-policy": `${policy.limit};w=${policy.windowMs / 1000};burst=${policy.burst};name="drct-search"`,
    };
  };
};
