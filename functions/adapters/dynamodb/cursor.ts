import { validationError } from "../../domain/errors";

/**
 * List cursors: a DynamoDB LastEvaluatedKey, base64url JSON, opaque to clients and strictly
 * validated on the way back in. A cursor that is not exactly a key this API could have given
 * this tenant (other attributes, other types, another tenant, a malformed id) is a 400, never
 * a DynamoDB "starting key is invalid" 500.
 */
export type CursorKey = Readonly<Record<string, string>>;

const BASE64URL = /^[A-Za-z0-9_-]{1,1024}$/;
const MAX_VALUE_LENGTH = 256;

export const encodeCursor = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(key)).toString("base64url");

export const invalidCursor = () => validationError([{ path: "cursor", message: "is not a cursor this API gave you" }]);

/**
 * The key `cursor` stands for, when it has exactly `attributes`, each a short string, and
 * `valid` accepts it; AVF_400_VALIDATION otherwise.
 */
export const decodeCursor = (
  cursor: string,
  attributes: readonly string[],
  valid: (key: CursorKey) => boolean,
): CursorKey => {
  if (!BASE64URL.test(cursor)) throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalidCursor();
  const entries = Object.entries(parsed);
  const wanted = [...attributes].sort().join(",");
  if (
    entries
      .map(([name]) => name)
      .sort()
      .join(",") !== wanted ||
    !entries.every(([, value]) => typeof value === "string" && value.length > 0 && value.length <= MAX_VALUE_LENGTH)
  ) {
    throw invalidCursor();
  }
  const key = Object.fromEntries(entries) as CursorKey;
  if (!valid(key)) throw invalidCursor();
  return key;
};

/** An ISO 8601 UTC timestamp as the API writes them (toISOString). */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
