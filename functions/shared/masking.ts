/**
 * Every log line passes through here. Whatever a developer logs by mistake, these fields
 * never reach CloudWatch in clear: credentials are dropped, personal data is masked.
 */
const SECRET_KEYS = new Set(["authorization", "token", "api_key", "x-api-key", "secret", "password"]);
const PERSONAL_KEYS = new Set([
  "given_name",
  "family_name",
  "birth_date",
  "email",
  "phone",
  "number",
  "document",
  "passport",
]);

export const REDACTED = "[redacted]";

export const maskSecrets = (key: string, value: unknown): unknown => {
  const lower = key.toLowerCase();
  if (SECRET_KEYS.has(lower)) return REDACTED;
  if (PERSONAL_KEYS.has(lower) && value !== null && value !== undefined) return maskValue(value);
  return value;
};

const maskValue = (value: unknown): unknown => {
  if (typeof value === "string") return value.length <= 2 ? "**" : `${value.slice(0, 1)}***${value.slice(-1)}`;
  // Numbers (a document or phone number sent as digits) are as personal as strings; booleans are not.
  if (typeof value === "boolean") return value;
  return REDACTED;
};
