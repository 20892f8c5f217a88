import { AvfError } from "./errors";

/**
 * How a DRCT call can fail, in the supplier's terms. The adapter classifies every failure
 * into one of these; the API maps them to AVF codes in one place (supplierErrorToAvf).
 */
export type SupplierFailureKind =
  /** DRCT said 429: we went past the account's contract. */
  | "rate_limited"
  /** DRCT answered 5xx. */
  | "server_error"
  /** No answer in time, or the connection broke: the call may or may not have taken effect. */
  | "timeout"
  /** DRCT refused our credentials: an operator must act, the caller cannot. */
  | "unauthorized"
  /** The offer or order is unknown or expired at DRCT. */
  | "not_found"
  /** DRCT rejected the request as invalid (4xx): retrying the same request cannot help. */
  | "rejected"
  /** The breaker is open: DRCT was not called. */
  | "circuit_open";

export class SupplierError extends Error {
  readonly kind: SupplierFailureKind;
  readonly status?: number;
  readonly supplierCode?: string;
  readonly retryAfterSeconds?: number;

  constructor(
    kind: SupplierFailureKind,
    message: string,
    options: { status?: number; supplierCode?: string; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SupplierError";
    this.kind = kind;
    this.status = options.status;
    this.supplierCode = options.supplierCode;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** True when the supplier may have done the work even though we saw a failure. */
  get outcomeUncertain(): boolean {
    return this.kind === "timeout" || this.kind === "server_error";
  }
}

export const supplierErrorToAvf = (error: SupplierError): AvfError => {
  switch (error.kind) {
    case "rate_limited":
      return new AvfError("AVF_429_RATE_LIMITED", "the supplier's rate limit is reached; try again shortly", {
        retryAfterSeconds: error.retryAfterSeconds ?? 1,
      });
    case "circuit_open":
      return new AvfError("AVF_503_SUPPLIER_UNAVAILABLE", "the supplier is unavailable; try again shortly", {
        retryAfterSeconds: error.retryAfterSeconds ?? 30,
      });
    case "timeout":
      return new AvfError("AVF_504_SUPPLIER_TIMEOUT", "the supplier did not answer in time");
    case "not_found":
      return new AvfError("AVF_404_OFFER_NOT_FOUND", "the offer is unknown or has expired");
    case "server_error":
    case "unauthorized":
    case "rejected":
      return new AvfError("AVF_502_SUPPLIER_ERROR", "the supplier could not process the request", {
        details: error.supplierCode === undefined ? undefined : { supplier_code: error.supplierCode },
      });
  }
};
