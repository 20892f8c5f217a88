/**
 * The stable error codes of the public API (CONTRACT.md §3). Codes are added, never renamed.
 */
export const ERROR_CODES = {
  AVF_400_VALIDATION: 400,
  AVF_400_IDEMPOTENCY_KEY_REQUIRED: 400,
  AVF_400_INVALID_CALLBACK_URL: 400,
  AVF_400_UNSUPPORTED_VERSION: 400,
  AVF_401_UNAUTHORIZED: 401,
  /** Only API Gateway's own refusals (firewall, anything before our code runs) in AWS. */
  AVF_403_FORBIDDEN: 403,
  /** A valid key from an address outside the tenant's IP allowlist. */
  AVF_403_IP_NOT_ALLOWED: 403,
  /** A valid key without the scope the route needs (search, book, read, admin). */
  AVF_403_SCOPE_REQUIRED: 403,
  AVF_404_NOT_FOUND: 404,
  /** Operators' API: no tenant with this id. */
  AVF_404_TENANT_NOT_FOUND: 404,
  /** Operators' API: the tenant has no key with this id. */
  AVF_404_API_KEY_NOT_FOUND: 404,
  AVF_404_OFFER_NOT_FOUND: 404,
  AVF_404_ORDER_NOT_FOUND: 404,
  AVF_404_CHANGE_OFFER_NOT_FOUND: 404,
  AVF_404_FLIGHT_NOT_FOUND: 404,
  AVF_404_SCHEDULE_CHANGE_NOT_FOUND: 404,
  AVF_405_METHOD_NOT_ALLOWED: 405,
  AVF_409_PRICE_CHANGED: 409,
  AVF_409_IDEMPOTENCY_MISMATCH: 409,
  AVF_409_REQUEST_IN_PROGRESS: 409,
  AVF_409_INVALID_STATE: 409,
  AVF_409_NOT_CANCELLABLE: 409,
  AVF_409_ORDER_EXPIRED: 409,
  AVF_409_NOT_CHANGEABLE: 409,
  /** Operators' API: a tenant with this id exists already. */
  AVF_409_TENANT_EXISTS: 409,
  AVF_413_PAYLOAD_TOO_LARGE: 413,
  AVF_415_UNSUPPORTED_MEDIA_TYPE: 415,
  AVF_429_RATE_LIMITED: 429,
  AVF_500_INTERNAL: 500,
  AVF_502_SUPPLIER_ERROR: 502,
  AVF_503_SUPPLIER_UNAVAILABLE: 503,
  AVF_504_SUPPLIER_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "AVF_409_REQUEST_IN_PROGRESS",
  "AVF_429_RATE_LIMITED",
  "AVF_500_INTERNAL",
  "AVF_502_SUPPLIER_ERROR",
  "AVF_503_SUPPLIER_UNAVAILABLE",
  "AVF_504_SUPPLIER_TIMEOUT",
]);

export const isRetryableCode = (code: ErrorCode): boolean => RETRYABLE.has(code);

export interface AvfErrorOptions {
  readonly details?: Record<string, unknown>;
  /** Seconds a client should wait before trying again (becomes `Retry-After`). */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/** A failure the API reports to its caller as the error envelope. */
export class AvfError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, options: AvfErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AvfError";
    this.code = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }

  get retryable(): boolean {
    return isRetryableCode(this.code);
  }
}

export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    retryable: boolean;
    details?: Record<string, unknown>;
    correlation_id: string;
  };
}

export const toEnvelope = (error: AvfError, correlationId: string): ErrorEnvelope => ({
  error: {
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    ...(error.details === undefined ? {} : { details: error.details }),
    correlation_id: correlationId,
  },
});

export interface ValidationIssue {
  /** Where in the request: `passengers.0.birth_date`, `cursor`, `Idempotency-Key`. */
  readonly path: string;
  readonly message: string;
}

/** The one shape of AVF_400_VALIDATION: every issue found, each with where and why. */
export const validationError = (issues: readonly ValidationIssue[]): AvfError =>
  new AvfError("AVF_400_VALIDATION", "the request is not valid: see details.issues", { details: { issues } });
