import type { SupplierOperation } from "../../../lib/resources";
import type { FlightQuery, FlightStatus } from "../../domain/flight-status";
import type { SearchCriteria, SupplierOffer } from "../../domain/offer";
import { SupplierError } from "../../domain/supplier";
import type { CallContext, ChangeDates, SupplierBooking } from "../../use-cases/ports";
import type { DrctCallRecord } from "../dynamodb/drct-request-log";
import {
  type DrctChangeOffer,
  DrctChangeOfferList,
  DrctErrorBody,
  DrctFlightStatus,
  DrctOffer,
  DrctOrder,
  DrctOrderList,
  DrctSearchResponse,
} from "./wire";

export interface DrctClientOptions {
  readonly baseUrl: string;
  /** The bearer token, read from Secrets Manager per call (cached there), never logged. */
  readonly token: () => Promise<string>;
  readonly timeoutMs: number;
  /** Every call is reported here, sanitized, for the DRCT request log. */
  readonly onCall: (record: DrctCallRecord) => Promise<void>;
}

type Operation = SupplierOperation;

interface DrctRequest {
  readonly operation: Operation;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
}

const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Seconds from a Retry-After header, at least 1: delta-seconds (digits only) or an HTTP-date
 * (RFC 9110 IMF-fixdate). Anything else is junk and ignored rather than guessed at.
 */
export const parseRetryAfter = (header: string | null, nowMs: number = Date.now()): number | undefined => {
  const value = header?.trim() ?? "";
  if (/^\d{1,9}$/.test(value)) return Math.max(1, Number(value));
  if (!IMF_FIXDATE.test(value)) return undefined;
  return Math.max(1, Math.ceil((Date.parse(value) - nowMs) / 1000));
};

export const toSupplierOffer = (offer: DrctOffer): SupplierOffer => ({
  supplierOfferId: offer.offer_id,
  validUntil: new Date(offer.valid_until).toISOString(),
  segments: offer.segments,
  price: offer.price,
  fareRules: offer.fare_rules,
});

/** Which try of a call this is: 0 for the first, 1 for the first retry… (logged with the call). */
export type Attempt = number;

/**
 * A small typed client of DRCT: auth, required headers, timeouts, and the translation of
 * every failure into a SupplierError kind. Pacing, breaker and retries are the guard's job
 * (guarded-supplier.ts); this client makes exactly one HTTP call per method call.
 */
export class DrctClient {
  constructor(private readonly options: DrctClientOptions) {}

  async search(criteria: SearchCriteria, call: CallContext, attempt: Attempt = 0): Promise<SupplierOffer[]> {
    const body = await this.send(call, attempt, {
      operation: "search",
      method: "POST",
      path: "/v1/offers/search",
      body: {
        origin: criteria.origin,
        destination: criteria.destination,
        departure_date: criteria.departure_date,
        return_date: criteria.return_date,
        passengers: criteria.passengers,
        cabin: criteria.cabin,
        currency: criteria.currency,
      },
    });
    const parsed = DrctSearchResponse.safeParse(body);
    if (!parsed.success) throw new SupplierError("server_error", "DRCT answered a search in an unknown shape");
    return parsed.data.offers.map(toSupplierOffer);
  }

  async price(supplierOfferId: string, call: CallContext, attempt: Attempt = 0): Promise<SupplierOffer> {
    const body = await this.send(call, attempt, {
      operation: "price",
      method: "POST",
      path: `/v1/offers/${encodeURIComponent(supplierOfferId)}/price`,
    });
    const parsed = DrctOffer.safeParse(body);
    if (!parsed.success) throw new SupplierError("server_error", "DRCT answered a price in an unknown shape");
    return toSupplierOffer(parsed.data);
  }

  async createOrder(booking: SupplierBooking, call: CallContext, attempt: Attempt = 0): Promise<DrctOrder> {
    const body = await this.send(call, attempt, {
      operation: "order_create",
      method: "POST",
      path: "/v1/orders",
      idempotencyKey: booking.idempotencyKey,
      body: {
        offer_id: booking.supplierOfferId,
        passengers: booking.passengers,
        contact: booking.contact,
        external_ref: booking.externalRef,
      },
    });
    return parseOrder(body, "order create");
  }

  /** DRCT's order booked under our Idempotency-Key, if any: how reconciliation learns what happened. */
  async findOrder(idempotencyKey: string, call: CallContext, attempt: Attempt = 0): Promise<DrctOrder | undefined> {
    const body = await this.send(call, attempt, {
      operation: "order_get",
      method: "GET",
      path: `/v1/orders?idempotency_key=${encodeURIComponent(idempotencyKey)}`,
    });
    const parsed = DrctOrderList.safeParse(body);
    if (!parsed.success) throw new SupplierError("server_error", "DRCT answered an order lookup in an unknown shape");
    return parsed.data.orders[0];
  }

  async issue(
    drctOrderId: string,
    idempotencyKey: string,
    call: CallContext,
    attempt: Attempt = 0,
  ): Promise<DrctOrder> {
    const body = await this.send(call, attempt, {
      operation: "issue",
      method: "POST",
      path: `/v1/orders/${encodeURIComponent(drctOrderId)}/issue`,
      idempotencyKey,
    });
    return parseOrder(body, "issue");
  }

  /** `reason: "schedule_change"`: the traveller refused the airline's change, an involuntary (fully refunded) cancel. */
  async cancel(
    drctOrderId: string,
    call: CallContext,
    attempt: Attempt = 0,
    reason?: "schedule_change",
  ): Promise<DrctOrder> {
    const body = await this.send(call, attempt, {
      operation: "cancel",
      method: "POST",
      path: `/v1/orders/${encodeURIComponent(drctOrderId)}/cancel`,
      ...(reason === undefined ? {} : { body: { reason } }),
    });
    return parseOrder(body, "cancel");
  }

  /** Cancels some passengers of a booking (DRCT-API §5.7); a repeat leaves cancelled ones as they are. */
  async cancelPassengers(
    drctOrderId: string,
    passengerIndexes: readonly number[],
    call: CallContext,
    attempt: Attempt = 0,
  ): Promise<DrctOrder> {
    const body = await this.send(call, attempt, {
      operation: "cancel",
      method: "POST",
      path: `/v1/orders/${encodeURIComponent(drctOrderId)}/cancel`,
      body: { passenger_indexes: passengerIndexes },
    });
    return parseOrder(body, "cancel");
  }

  /** Alternatives for an issued order's flights on other dates (DRCT-API §5.9). */
  async changeOffers(
    drctOrderId: string,
    dates: ChangeDates,
    call: CallContext,
    attempt: Attempt = 0,
  ): Promise<DrctChangeOffer[]> {
    const body = await this.send(call, attempt, {
      operation: "change_offers",
      method: "POST",
      path: `/v1/orders/${encodeURIComponent(drctOrderId)}/change-offers`,
      body: dates,
    });
    const parsed = DrctChangeOfferList.safeParse(body);
    if (!parsed.success) throw new SupplierError("server_error", "DRCT answered change offers in an unknown shape");
    return parsed.data.change_offers;
  }

  /** Applies a change offer under our Idempotency-Key (DRCT-API §5.10): applied once, replayed after. */
  async applyChange(
    drctOrderId: string,
    supplierChangeOfferId: string,
    idempotencyKey: string,
    call: CallContext,
    attempt: Attempt = 0,
  ): Promise<DrctOrder> {
    const body = await this.send(call, attempt, {
      operation: "change",
      method: "POST",
      path: `/v1/orders/${encodeURIComponent(drctOrderId)}/changes`,
      idempotencyKey,
      body: { change_offer_id: supplierChangeOfferId },
    });
    return parseOrder(body, "change");
  }

  /** Gives an unissued booking's hold back (DRCT-API §5.8); a repeat answers the order unchanged. */
  async release(drctOrderId: string, call: CallContext, attempt: Attempt = 0): Promise<DrctOrder> {
    const body = await this.send(call, attempt, {
      operation: "release",
      method: "POST",
      path: `/v1/orders/${encodeURIComponent(drctOrderId)}/release`,
    });
    return parseOrder(body, "release");
  }

  /** DRCT's order by its id, with the flights as the airline runs them now. */
  async readOrder(drctOrderId: string, call: CallContext, attempt: Attempt = 0): Promise<DrctOrder> {
    const body = await this.send(call, attempt, {
      operation: "order_read",
      method: "GET",
      path: `/v1/orders/${encodeURIComponent(drctOrderId)}`,
    });
    return parseOrder(body, "order read");
  }

  async acknowledgeScheduleChange(
    drctOrderId: string,
    changeId: string,
    call: CallContext,
    attempt: Attempt = 0,
  ): Promise<void> {
    await this.send(call, attempt, {
      operation: "schedule_change_ack",
      method: "POST",
      path: `/v1/orders/${encodeURIComponent(drctOrderId)}/schedule-changes/${encodeURIComponent(changeId)}/acknowledge`,
    });
  }

  async flightStatus(query: FlightQuery, call: CallContext, attempt: Attempt = 0): Promise<FlightStatus> {
    const params = new URLSearchParams({ carrier: query.carrier, flight_number: query.flightNumber, date: query.date });
    const body = await this.send(call, attempt, {
      operation: "flight_status",
      method: "GET",
      path: `/v1/flights/status?${params.toString()}`,
    });
    const parsed = DrctFlightStatus.safeParse(body);
    if (!parsed.success) throw new SupplierError("server_error", "DRCT answered a flight status in an unknown shape");
    return parsed.data;
  }

  private async send(call: CallContext, attempt: Attempt, request: DrctRequest): Promise<unknown> {
    const started = performance.now();
    const report = (status: DrctCallRecord["status"], supplierCode?: string) =>
      this.options.onCall({
        tenantId: call.tenantId,
        operation: request.operation,
        correlationId: call.correlationId,
        status,
        latencyMs: Math.round(performance.now() - started),
        retryCount: attempt,
        supplierCode,
        at: new Date(),
      });
    const headers: Record<string, string> = {
      authorization: `Bearer ${await this.options.token()}`,
      accept: "application/json",
      "x-correlation-id": call.correlationId,
      "x-avf-tenant-id": call.tenantId,
    };
    if (request.body !== undefined) headers["content-type"] = "application/json";
    if (request.idempotencyKey !== undefined) headers["idempotency-key"] = request.idempotencyKey;

    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl.replace(/\/+$/, "")}${request.path}`, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        // Never past the caller's deadline: work it gave up on must not go on behind its back.
        signal: AbortSignal.timeout(Math.max(1, Math.min(this.options.timeoutMs, call.deadlineAt - Date.now()))),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      await report(timedOut ? "timeout" : "network_error");
      throw new SupplierError("timeout", timedOut ? "DRCT did not answer in time" : "the connection to DRCT failed", {
        cause: error,
      });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      await report("timeout");
      throw new SupplierError("timeout", "DRCT's answer broke off", { cause: error });
    }
    const json = parseJson(text);
    if (response.ok) {
      await report(response.status);
      return json;
    }
    const supplierCode = DrctErrorBody.safeParse(json).data?.error.code;
    await report(response.status, supplierCode);
    throw classify(response, supplierCode);
  }
}

const parseOrder = (body: unknown, what: string): DrctOrder => {
  const parsed = DrctOrder.safeParse(body);
  if (!parsed.success) throw new SupplierError("server_error", `DRCT answered an ${what} in an unknown shape`);
  return parsed.data;
};

const parseJson = (text: string): unknown => {
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
};

const classify = (response: Response, supplierCode: string | undefined): SupplierError => {
  const status = response.status;
  const options = { status, supplierCode };
  if (status === 429) {
    return new SupplierError("rate_limited", "DRCT rate limit", {
      ...options,
      retryAfterSeconds: parseRetryAfter(response.headers.get("retry-after")),
    });
  }
  if (status === 401 || status === 403)
    return new SupplierError("unauthorized", "DRCT refused our credentials", options);
  if (status === 404 || status === 410) return new SupplierError("not_found", "DRCT does not know it", options);
  if (status >= 500) return new SupplierError("server_error", `DRCT answered ${status}`, options);
  return new SupplierError("rejected", `DRCT rejected the request (${status})`, options);
};
