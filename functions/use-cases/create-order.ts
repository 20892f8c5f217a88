import { createHash } from "node:crypto";
import { AvfError, validationError } from "../domain/errors";
import type { Markup } from "../domain/offer";
import { type Contact, newOrder, type Order, type Passenger } from "../domain/order";
import { countByType, passengerIssues } from "../domain/passenger-rules";
import { lastArrival } from "../domain/personal-data";
import type { Tenant } from "../domain/tenant";
import { readEarly } from "./early-read";
import type { TransitionDeps } from "./order-transitions";
import type { BookingWorkflow, CallContext, OfferStore, OfferSupplier, RememberedOffer, UsageMeter } from "./ports";
import { priceOffer } from "./price-offer";

export interface CreateOrderInput {
  readonly offer_id: string;
  readonly passengers: readonly Passenger[];
  readonly contact: Contact;
  readonly callback_url?: string;
  readonly external_ref?: string;
}

export interface CreateOrderDeps extends TransitionDeps {
  readonly offers: OfferStore;
  readonly supplier: OfferSupplier;
  readonly usage: UsageMeter;
  readonly booking: BookingWorkflow;
  readonly platformMarkup: Markup;
  /** The callback URL rules (CONTRACT.md §4): a reason when refused. */
  readonly checkCallbackUrl: (url: string) => Promise<string | undefined>;
  /** Waits up to the booking wait for the workflow to settle the order; answers the latest state. */
  /** Waits for the booking to settle, until `deadlineAt` at the most. */
  readonly awaitBooking: (order: Order, deadlineAt: number) => Promise<Order>;
  /** A price DRCT confirmed longer ago than this is confirmed again before booking. */
  readonly repriceAfterMs: number;
}

/**
 * The order id for (tenant, Idempotency-Key): deterministic, so a request re-run after a
 * crash finds the order it already wrote instead of writing (and booking) a second one.
 */
export const orderIdFor = (tenantId: string, idempotencyKey: string): string =>
  `ord_${createHash("sha256").update(`${tenantId}\u0000order\u0000${idempotencyKey}`).digest("base64url").slice(0, 24)}`;

const checkTravellers = (input: CreateOrderInput, offer: RememberedOffer, now: Date): void => {
  const wanted = offer.passengers;
  const given = countByType(input.passengers);
  if (given.adults !== wanted.adults || given.children !== wanted.children || given.infants !== wanted.infants) {
    throw validationError([
      {
        path: "passengers",
        message: `the offer was searched for ${wanted.adults} adult(s), ${wanted.children} child(ren), ${wanted.infants} infant(s)`,
      },
    ]);
  }
  const segments = offer.offer.segments;
  const trip = {
    firstDeparture: (segments[0]?.departs_at ?? now.toISOString()).slice(0, 10),
    lastArrival: (segments.at(-1)?.arrives_at ?? now.toISOString()).slice(0, 10),
    today: now.toISOString().slice(0, 10),
  };
  const issues = input.passengers.flatMap((passenger, index) => passengerIssues(passenger, index, trip));
  if (issues.length > 0) throw validationError(issues);
};

/**
 * Accepts an order for an offer the tenant was shown: checks the travellers against the
 * offer and the airline's rules, re-confirms a stale price with DRCT, writes the order
 * PENDING (before DRCT hears of it, so reconciliation can always find it), then starts the
 * booking workflow and waits a little for its outcome.
 */
/** What a create reads first; a handler may start it early (beside the idempotency record's write). */
export interface CreateOrderReads {
  readonly orderId: string;
  /** The order of this Idempotency-Key, if a retried request made it already. */
  readonly existing: Promise<Order | undefined>;
  readonly remembered: Promise<RememberedOffer | undefined>;
}

/** Both reads at once: a retried request finds its order, a new one its offer. */
export const startCreateOrderReads = (
  deps: Pick<CreateOrderDeps, "orders" | "offers">,
  tenant: Tenant,
  offerId: string,
  idempotencyKey: string,
): CreateOrderReads => {
  const orderId = orderIdFor(tenant.tenantId, idempotencyKey);
  return {
    orderId,
    existing: readEarly(deps.orders.get(tenant.tenantId, orderId)),
    remembered: readEarly(deps.offers.find(tenant.tenantId, offerId)),
  };
};

export const createOrder = async (
  deps: CreateOrderDeps,
  tenant: Tenant,
  input: CreateOrderInput,
  idempotencyKey: string,
  call: CallContext,
  reads: CreateOrderReads = startCreateOrderReads(deps, tenant, input.offer_id, idempotencyKey),
): Promise<Order> => {
  const { orderId } = reads;
  const [existing, remembered] = await Promise.all([reads.existing, reads.remembered]);
  if (existing !== undefined)
    return existing.status === "PENDING"
      ? resumeBooking(deps, existing, Math.min(call.deadlineAt, deps.now().getTime() + RETRY_BOOKING_WAIT_MS))
      : existing;

  const now = deps.now();
  if (remembered === undefined || Date.parse(remembered.offer.valid_until) <= now.getTime()) {
    throw new AvfError("AVF_404_OFFER_NOT_FOUND", "the offer is unknown or has expired; search again");
  }
  checkTravellers(input, remembered, now);
  if (input.callback_url !== undefined) {
    const refusal = await deps.checkCallbackUrl(input.callback_url);
    if (refusal !== undefined) {
      throw new AvfError("AVF_400_INVALID_CALLBACK_URL", `callback_url is refused: ${refusal}`, {
        details: { issues: [{ path: "callback_url", message: refusal }] },
      });
    }
  }
  const pricedAt = remembered.pricedAt === undefined ? 0 : Date.parse(remembered.pricedAt);
  const offer =
    now.getTime() - pricedAt > deps.repriceAfterMs
      ? await priceOffer({ ...deps, now: () => deps.now().getTime() }, tenant, input.offer_id, call)
      : { ...remembered.offer, priced_at: remembered.pricedAt ?? now.toISOString() };

  const order = newOrder({
    id: orderId,
    tenantId: tenant.tenantId,
    offerId: offer.id,
    supplierOfferId: remembered.supplierOfferId,
    price: offer.price,
    passengers: input.passengers,
    contact: input.contact,
    callbackUrl: input.callback_url,
    externalRef: input.external_ref,
    refundable: offer.fare_rules.refundable,
    changeable: offer.fare_rules.changeable,
    segments: offer.segments,
    correlationId: call.correlationId,
    createdAt: now,
    lastFlightAt: lastArrival(offer.segments),
  });
  if ((await deps.orders.create(order, [])) === "exists") {
    const raced = await deps.orders.get(tenant.tenantId, orderId);
    if (raced !== undefined) return raced;
  }
  // Once the order is written, its audit entry, its count and its booking go together.
  const [, , started] = await Promise.all([
    deps.audit
      .record({
        tenantId: order.tenantId,
        orderId: order.id,
        from: null,
        to: "PENDING",
        version: order.version,
        actor: `tenant:${tenant.tenantId}`,
        correlationId: order.correlationId,
        at: order.createdAt,
      })
      .catch((error: unknown) => deps.warn("audit entry not written", error)),
    deps.usage.record(tenant.tenantId, "orders", now),
    startBooking(deps, order),
  ]);
  return started ? deps.awaitBooking(order, call.deadlineAt) : order;
};

/** False when the workflow could not be started: the order is safe as PENDING, reconciliation settles it. */
const startBooking = async (deps: CreateOrderDeps, order: Order): Promise<boolean> => {
  try {
    await deps.booking.start(order);
    return true;
  } catch (error) {
    deps.warn("booking workflow not started; reconciliation will settle the order", error);
    return false;
  }
};

/**
 * A retried create whose order is still PENDING (its first request died, or is still
 * waiting) waits this long for the booking, then answers 202: a client retrying after an
 * outage hears back within seconds, and GET or the callback tells it the outcome.
 */
export const RETRY_BOOKING_WAIT_MS = 3_000;

const resumeBooking = async (deps: CreateOrderDeps, order: Order, deadlineAt: number): Promise<Order> =>
  (await startBooking(deps, order)) ? deps.awaitBooking(order, deadlineAt) : order;
