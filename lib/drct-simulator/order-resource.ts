/** DRCT's orders resource: create (§5.3), get and lookup (§5.4–5.5), issue (§5.6), cancel (§5.7). */
import { randomInt } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { canonicalJson, HttpError, hash, parseJsonBody, type Reply } from "./http";
import type { OfferResource } from "./offer-resource";
import type { SimOrder, SimState } from "./state";

/** What DRCT shows of an order: its own bookkeeping (request hash, idempotency keys) stays inside. */
export const orderView = ({ request_hash: _hash, idempotency_key: _key, issue_key: _issue, ...order }: SimOrder) =>
  order;

export class OrderResource {
  constructor(
    private readonly state: SimState,
    private readonly offerResource: OfferResource,
  ) {}

  createOrder(req: IncomingMessage, text: string): Reply {
    const key = String(req.headers["idempotency-key"]);
    const body = parseJsonBody(text);
    const requestHash = hash(canonicalJson(body));
    const existing = [...this.state.orders.values()].find((order) => order.idempotency_key === key);
    if (existing !== undefined) {
      if (existing.request_hash !== requestHash) {
        throw new HttpError(409, "IDEMPOTENCY_MISMATCH", "this Idempotency-Key was used with another request");
      }
      return { status: 201, body: orderView(existing), headers: { "idempotent-replayed": "true" } };
    }
    if (typeof body.offer_id !== "string" || body.offer_id === "")
      throw new HttpError(400, "INVALID_REQUEST", "offer_id is required");
    const offer = this.offerResource.liveOffer(body.offer_id);
    const passengers = Array.isArray(body.passengers) ? body.passengers : [];
    const expected =
      offer.search.passengers.adults + offer.search.passengers.children + offer.search.passengers.infants;
    if (passengers.length !== expected) {
      throw new HttpError(422, "PASSENGER_MISMATCH", `the offer was searched for ${expected} passengers`);
    }
    const price = this.offerResource.priceOf(offer);
    const now = new Date().toISOString();
    const order: SimOrder = {
      order_id: `DRCT${randomInt(10 ** 9, 10 ** 10 - 1)}`,
      status: "BOOKED",
      offer_id: offer.offerId,
      external_ref: typeof body.external_ref === "string" ? body.external_ref : undefined,
      idempotency_key: key,
      request_hash: requestHash,
      price: { ...price, total: price.base + price.taxes + price.fees },
      passenger_count: passengers.length,
      tickets: [],
      refundable: offer.flight.refundable,
      cancel_penalty: offer.flight.cancelPenalty,
      created_at: now,
      updated_at: now,
      segments: offer.flight.segments.map((segment) => ({ ...segment })),
    };
    this.state.orders.set(order.order_id, order);
    this.state.stats.orders_created += 1;
    this.state.save();
    return { status: 201, body: orderView(order) };
  }

  order(orderId: string): SimOrder {
    const order = this.state.orders.get(orderId);
    if (order === undefined) throw new HttpError(404, "ORDER_NOT_FOUND", "unknown order");
    return order;
  }

  findOrders(url: URL): Reply {
    const key = url.searchParams.get("idempotency_key");
    const ref = url.searchParams.get("external_ref");
    if (key === null && ref === null)
      throw new HttpError(400, "INVALID_REQUEST", "idempotency_key or external_ref is required");
    const orders = [...this.state.orders.values()].filter(
      (order) => (key === null || order.idempotency_key === key) && (ref === null || order.external_ref === ref),
    );
    return { status: 200, body: { orders: orders.map(orderView) } };
  }

  issue(req: IncomingMessage, orderId: string): Reply {
    const key = String(req.headers["idempotency-key"]);
    const order = this.order(orderId);
    if (order.issue_key === key)
      return { status: 200, body: orderView(order), headers: { "idempotent-replayed": "true" } };
    if (order.status !== "BOOKED") throw new HttpError(409, "INVALID_STATE", `the order is ${order.status}`);
    order.status = "ISSUED";
    order.issue_key = key;
    order.tickets = Array.from({ length: order.passenger_count }, (_, index) => ({
      passenger_index: index,
      ticket_number: `220${randomInt(10 ** 9, 10 ** 10 - 1)}`,
    }));
    order.updated_at = new Date().toISOString();
    this.state.save();
    return { status: 200, body: orderView(order) };
  }

  cancel(orderId: string, text = ""): Reply {
    const order = this.order(orderId);
    if (order.status === "CANCELLED") return { status: 200, body: orderView(order) };
    const reason = text === "" ? undefined : parseJsonBody(text).reason;
    if (reason === "schedule_change") return this.cancelInvoluntarily(order);
    if (order.status === "ISSUED" && !order.refundable) {
      throw new HttpError(409, "NOT_CANCELLABLE", "the fare is not refundable once ticketed");
    }
    order.status = "CANCELLED";
    // Voiding an unticketed booking costs nothing and refunds nothing; a ticketed refundable fare refunds less the penalty.
    order.penalty = order.tickets.length > 0 ? (order.cancel_penalty ?? 0) : 0;
    if (order.tickets.length > 0) order.refund_reference = `RF${randomInt(10 ** 9, 10 ** 10 - 1)}`;
    order.updated_at = new Date().toISOString();
    this.state.save();
    return { status: 200, body: orderView(order) };
  }

  /**
   * The traveller refused the airline's schedule change: an involuntary cancellation, refunded
   * in full whatever the fare rules (§5.7). Only with a schedule change on the booking.
   */
  private cancelInvoluntarily(order: SimOrder): Reply {
    if ((order.schedule_changes ?? []).length === 0) {
      throw new HttpError(409, "NO_SCHEDULE_CHANGE", "the airline has not changed this booking's schedule");
    }
    order.status = "CANCELLED";
    order.cancel_reason = "schedule_change";
    order.penalty = 0;
    order.refund_amount = order.price.total;
    order.refund_reference = `RF${randomInt(10 ** 9, 10 ** 10 - 1)}`;
    order.updated_at = new Date().toISOString();
    this.state.save();
    return { status: 200, body: orderView(order) };
  }
}
