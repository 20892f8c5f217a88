import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The local stand-in for the IAM authorization of the operators' routes (CONTRACT.md §6):
 * one key, sent as `x-ops-key`, from OPS_KEY or generated at start and printed. The only
 * place the key is checked; AWS checks SigV4 signatures instead.
 */
export const OPS_KEY_HEADER = "x-ops-key";
export const OPS_KEY_ENV = "OPS_KEY";

/** The operator identity a request with the right key gets (requestContext.identity.userArn in AWS). */
export const LOCAL_OPERATOR = "local-operator";

export const resolveOpsKey = (configured: string | undefined = process.env[OPS_KEY_ENV]): string =>
  configured !== undefined && configured !== "" ? configured : `ops_${randomBytes(18).toString("base64url")}`;

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Constant-time comparison (of digests, so lengths do not leak either). */
export const opsKeyMatches = (expected: string, given: string | undefined): boolean =>
  given !== undefined && timingSafeEqual(digest(expected), digest(given));
