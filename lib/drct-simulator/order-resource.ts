/** DRCT's orders resource: create (§5.3), get and lookup (§5.4–5.5), issue (§5.6), cancel (§5.7), release (§5.8). */
import { randomInt } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { canonicalJson, HttpError, hash, parseJsonBody, type Reply } from "./http";
import type { OfferResource } from "./offer-resource";
import type { SimOrder, SimState } from "./state";

/** What DRCT shows of an order: its own bookkeeping (request hash, idempotency keys) stays inside. */
export const orderView = ({
  request_hash: _hash,
  idempotency_key: _key,
  issue_key: _issue,
  change_keys: _changes,
  search: _search,
  ...order
}: SimOrder) => order;

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
    const at = Date.now();
    const now = new Date(at).toISOString();
    const order: SimOrder = {
      order_id: `DRCT${randomInt(10 ** 9, 10 ** 10 - 1)}`,
      status: "BOOKED",
      offer_id: offer.offerId,
      external_ref: typeof body.external_ref === "string" ? body.external_ref : undefined,
      idempotency_key: key,
      request_hash: requestHash,
      price: { ...price, total: price.base + price.taxes + price.fees },
      passenger_count: passengers.length,
      passengers: passengers.map((_, index) => ({ passenger_index: index, status: "ACTIVE" as const })),
      search: offer.search,
      // A copy: the airline's schedule changes move this booking's flights, not the offer's.
      segments: offer.flight.segments.map((segment) => ({ ...segment })),
      changeable: offer.flight.changeable,
      applied_changes: [],
      tickets: [],
      ticketing_deadline: new Date(at + this.state.holdMs).toISOString(),
      refundable: offer.flight.refundable,
      cancel_penalty: offer.flight.cancelPenalty,
      created_at: now,
      updated_at: now,
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
    if (Date.now() >= Date.parse(order.ticketing_deadline)) {
      throw new HttpError(409, "TICKETING_DEADLINE_PASSED", "the booking's ticketing deadline has passed");
    }
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

  /**
   * Gives an unissued booking's hold back (the seats return to sale): BOOKED → EXPIRED. A
   * repeat answers the order unchanged; a ticketed or cancelled order cannot be released.
   */
  release(orderId: string): Reply {
    const order = this.order(orderId);
    if (order.status === "EXPIRED") return { status: 200, body: orderView(order) };
    if (order.status !== "BOOKED") throw new HttpError(409, "INVALID_STATE", `the order is ${order.status}`);
    order.status = "EXPIRED";
    order.updated_at = new Date().toISOString();
    this.state.stats.orders_released += 1;
    this.state.save();
    return { status: 200, body: orderView(order) };
  }

  cancel(orderId: string, text: string): Reply {
    const order = this.order(orderId);
    const body = text === "" ? {} : parseJsonBody(text);
    if (order.status === "CANCELLED") return { status: 200, body: orderView(order) };
    if (order.status === "EXPIRED") throw new HttpError(409, "INVALID_STATE", "the order is EXPIRED");
    if (body.reason === "schedule_change") return this.cancelInvoluntarily(order);
    if (order.status === "ISSUED" && !order.refundable) {
      throw new HttpError(409, "NOT_CANCELLABLE", "the fare is not refundable once ticketed");
    }
    if (body.passenger_indexes !== undefined) return this.cancelPassengers(order, body.passenger_indexes);
    order.status = "CANCELLED";
    // Voiding an unticketed booking costs nothing and refunds nothing; a ticketed refundable fare refunds less the penalty.
    order.penalty = order.tickets.length > 0 ? (order.cancel_penalty ?? 0) : 0;
    if (order.tickets.length > 0) order.refund_reference = `RF${randomInt(10 ** 9, 10 ** 10 - 1)}`;
    for (const passenger of order.passengers ?? []) passenger.status = "CANCELLED";
    order.updated_at = new Date().toISOString();
    this.state.save();
    return { status: 200, body: orderView(order) };
  }

  /**
   * Cancels some passengers (§5.7): each gets its own penalty (the fare's `cancel_penalty` once
   * ticketed, else 0) and refund reference; a passenger already cancelled is left as it was.
   * The order is CANCELLED once no passenger is left.
   */
  private cancelPassengers(order: SimOrder, indexes: unknown): Reply {
    const valid =
      Array.isArray(indexes) &&
      indexes.length > 0 &&
      indexes.every((index) => Number.isInteger(index) && index >= 0 && index < order.passenger_count);
    if (!valid) throw new HttpError(400, "INVALID_REQUEST", "passenger_indexes must list passengers of the order");
    order.passengers ??= Array.from({ length: order.passenger_count }, (_, index) => ({
      passenger_index: index,
      status: "ACTIVE" as const,
    }));
    const ticketed = order.tickets.length > 0;
    for (const passenger of order.passengers) {
      if (!(indexes as number[]).includes(passenger.passenger_index) || passenger.status === "CANCELLED") continue;
      passenger.status = "CANCELLED";
      passenger.penalty = ticketed ? (order.cancel_penalty ?? 0) : 0;
      passenger.refund_reference = `RF${randomInt(10 ** 9, 10 ** 10 - 1)}`;
    }
    if (order.passengers.every((passenger) => passenger.status === "CANCELLED")) {
      order.status = "CANCELLED";
      order.penalty = order.passengers.reduce((sum, passenger) => sum + (passenger.penalty ?? 0), 0);
    }
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
