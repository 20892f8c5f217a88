/** DRCT's voluntary changes: change offers for an issued order (§5.9) and applying one (§5.10). */
import { randomInt } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { code as iso4217 } from "currency-codes";
import { canonicalJson, HttpError, hash, parseJsonBody, type Reply } from "./http";
import { flightsFor } from "./offers";
import { type OrderResource, orderView } from "./order-resource";
import type { SimChangeOffer, SimOrder, SimState } from "./state";

/** A change offer is valid this long (as DRCT's offers: about 15 minutes). */
const CHANGE_OFFER_TTL_MS = 15 * 60_000;

/** What changing a fare costs on top of any fare difference: flex fares nothing, others 25 major units. */
const changePenalty = (order: SimOrder, currency: string): number =>
  order.refundable ? 0 : 25 * 10 ** (iso4217(currency)?.digits ?? 2);

const isDate = (value: unknown): value is string =>
  typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));

export class ChangeResource {
  constructor(
    private readonly state: SimState,
    private readonly orders: OrderResource,
  ) {}

  /** Only an issued order of a changeable fare can change; the travellers and route stay. */
  private changeableOrder(orderId: string): SimOrder & { search: NonNullable<SimOrder["search"]> } {
    const order = this.orders.order(orderId);
    if (order.status !== "ISSUED") throw new HttpError(409, "INVALID_STATE", `the order is ${order.status}`);
    if (order.changeable !== true || order.search === undefined) {
      throw new HttpError(409, "NOT_CHANGEABLE", "the fare does not allow changes");
    }
    return order as SimOrder & { search: NonNullable<SimOrder["search"]> };
  }

  changeOffers(orderId: string, text: string): Reply {
    const order = this.changeableOrder(orderId);
    const body = parseJsonBody(text);
    if (!isDate(body.departure_date)) throw new HttpError(400, "INVALID_REQUEST", "departure_date must be YYYY-MM-DD");
    const roundTrip = order.search.return_date !== undefined;
    if (roundTrip ? !isDate(body.return_date) : body.return_date !== undefined) {
      throw new HttpError(400, "INVALID_REQUEST", "return_date is required for a round trip, and only for one");
    }
    if (roundTrip && (body.return_date as string) < body.departure_date) {
      throw new HttpError(400, "INVALID_REQUEST", "return_date must not be before departure_date");
    }
    const search = {
      ...order.search,
      departure_date: body.departure_date,
      ...(roundTrip ? { return_date: body.return_date as string } : {}),
    };
    const now = Date.now();
    const changeOffers = flightsFor(search)
      .filter((flight) => flight.changeable)
      .map((flight) => {
        const total = flight.base + flight.taxes + flight.fees;
        const offer: SimChangeOffer = {
          changeOfferId: `drct_chg_${hash(`${order.order_id}|${search.departure_date}|${search.return_date ?? ""}|${flight.key}|${now}`).slice(0, 20)}`,
          orderId: order.order_id,
          search,
          flight,
          validUntil: now + CHANGE_OFFER_TTL_MS,
          priceDifference: total - order.price.total,
          penalty: changePenalty(order, order.price.currency),
        };
        this.state.changeOffers.set(offer.changeOfferId, offer);
        return this.changeOfferView(offer);
      });
    return { status: 200, body: { change_offers: changeOffers } };
  }

  private changeOfferView(offer: SimChangeOffer) {
    const { base, taxes, fees } = offer.flight;
    return {
      change_offer_id: offer.changeOfferId,
      valid_until: new Date(offer.validUntil).toISOString(),
      segments: offer.flight.segments,
      price: { currency: offer.search.currency, base, taxes, fees, total: base + taxes + fees },
      price_difference: offer.priceDifference,
      penalty: offer.penalty,
    };
  }

  /**
   * Applies a change offer: new segments, new tickets, the new fare's price. Idempotent per
   * Idempotency-Key (the same key and body replay the order as it is now; another body is
   * 409 IDEMPOTENCY_MISMATCH), and a change offer is used once.
   */
  applyChange(req: IncomingMessage, orderId: string, text: string): Reply {
    const key = String(req.headers["idempotency-key"]);
    const order = this.orders.order(orderId);
    const body = parseJsonBody(text);
    const requestHash = hash(canonicalJson(body));
    const earlier = order.change_keys?.[key];
    if (earlier !== undefined) {
      if (earlier.request_hash !== requestHash) {
        throw new HttpError(409, "IDEMPOTENCY_MISMATCH", "this Idempotency-Key was used with another request");
      }
      return { status: 200, body: orderView(order), headers: { "idempotent-replayed": "true" } };
    }
    const changeable = this.changeableOrder(orderId);
    const offer =
      typeof body.change_offer_id === "string" ? this.state.changeOffers.get(body.change_offer_id) : undefined;
    if (offer === undefined || offer.orderId !== order.order_id) {
      throw new HttpError(404, "CHANGE_OFFER_NOT_FOUND", "unknown change offer");
    }
    if (offer.validUntil <= Date.now())
      throw new HttpError(410, "CHANGE_OFFER_EXPIRED", "the change offer has expired");
    const { base, taxes, fees } = offer.flight;
    const at = new Date().toISOString();
    changeable.search = offer.search;
    changeable.segments = offer.flight.segments;
    changeable.price = { ...changeable.price, base, taxes, fees, total: base + taxes + fees };
    changeable.tickets = changeable.tickets.map((ticket) => ({
      passenger_index: ticket.passenger_index,
      ticket_number: `220${randomInt(10 ** 9, 10 ** 10 - 1)}`,
    }));
    changeable.applied_changes = [
      ...(changeable.applied_changes ?? []),
      { change_offer_id: offer.changeOfferId, applied_at: at },
    ];
    changeable.change_keys = { ...changeable.change_keys, [key]: { request_hash: requestHash } };
    changeable.updated_at = at;
    this.state.changeOffers.delete(offer.changeOfferId);
    this.state.stats.changes_applied += 1;
    this.state.save();
    return { status: 200, body: orderView(changeable) };
  }
}
