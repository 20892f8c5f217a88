/**
 * The DRCT simulator: a strict stand-in for the real supplier (docs/DRCT-API.md), with the
 * test controls of CONTRACT.md §5. Strict on purpose: it refuses what DRCT would refuse
 * (missing headers, bad token, a second search within a second) so the gateway's manners are
 * tested, and its stats let a test prove the gateway never went past the contract.
 */
import { createHash, randomInt } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { code as iso4217 } from "currency-codes";
import {
  flightsFor,
  SCENARIO_AIRPORTS,
  type SimFlight,
  type SimSearch,
  scenarioPriceStep,
  touchesAirport,
} from "./offers";

export type SimOperation = "search" | "price" | "order_create" | "issue" | "cancel" | "order_get";
export type FaultMode = "http_500" | "http_429" | "http_401" | "latency" | "timeout_after_commit" | "drop";

const OPERATIONS: readonly SimOperation[] = ["search", "price", "order_create", "issue", "cancel", "order_get"];
const FAULT_MODES: readonly FaultMode[] = [
  "http_500",
  "http_429",
  "http_401",
  "latency",
  "timeout_after_commit",
  "drop",
];

export interface SimulatorOptions {
  readonly port?: number;
  readonly host?: string;
  readonly token?: string;
  /** Offers stay valid this long after a search (DRCT: about 15 minutes). */
  readonly offerTtlMs?: number;
  /** The account's search contract: at most one search per this many milliseconds. */
  readonly searchIntervalMs?: number;
  /** Orders survive a restart when set (JSON file). */
  readonly stateFile?: string;
  /**
   * Told after a control changed DRCT's inventory (reset, expire, reprice): the local runtime
   * drops what the gateway cached of it, since no cache could know DRCT changed under it.
   */
  readonly onInventoryChange?: (change: "reset" | "expire" | "reprice") => Promise<void>;
}

export interface SimStats {
  calls: Record<SimOperation, number>;
  max_search_rps: number;
  rate_limit_violations: number;
  orders_created: number;
}

interface SimOffer {
  readonly offerId: string;
  readonly search: SimSearch;
  readonly flight: SimFlight;
  validUntil: number;
  delta: number;
  /** The "price moves once" scenario already moved this offer. */
  scenarioMoved?: boolean;
}

interface SimTicket {
  passenger_index: number;
  ticket_number: string;
}

interface SimOrder {
  order_id: string;
  status: "BOOKED" | "ISSUED" | "CANCELLED";
  offer_id: string;
  external_ref?: string;
  idempotency_key: string;
  request_hash: string;
  price: { currency: string; base: number; taxes: number; fees: number; total: number };
  passenger_count: number;
  tickets: SimTicket[];
  issue_key?: string;
  refundable: boolean;
  cancel_penalty?: number;
  refund_reference?: string;
  penalty?: number;
  created_at: string;
  updated_at: string;
}

interface Fault {
  mode: FaultMode;
  remaining: number;
  latencyMs: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const MAX_BODY = 256 * 1024;

const INVENTORY_CHANGES: Record<string, "reset" | "expire" | "reprice"> = {
  "/__sim/reset": "reset",
  "/__sim/expire": "expire",
  "/__sim/reprice": "reprice",
};

const hash = (text: string): string => createHash("sha256").update(text).digest("hex");

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, "PAYLOAD_TOO_LARGE", "body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
};

const parseJsonBody = (text: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new HttpError(400, "INVALID_JSON", "body must be a JSON object");
};

/** JSON with sorted keys: two requests that mean the same thing hash the same. */
const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );

/** What DRCT shows of an order: its own bookkeeping (request hash, idempotency keys) stays inside. */
const orderView = ({ request_hash: _hash, idempotency_key: _key, issue_key: _issue, ...order }: SimOrder) => order;

const send = (res: ServerResponse, reply: Reply): void => {
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
  res.end(body);
};

export class DrctSimulator {
  private readonly token: string;
  private readonly offerTtlMs: number;
  private readonly searchIntervalMs: number;
  private offers = new Map<string, SimOffer>();
  private orders = new Map<string, SimOrder>();
  private generation = 0;
  private faults = new Map<SimOperation, Fault>();
  private stats: SimStats = DrctSimulator.emptyStats();
  private searchArrivals: number[] = [];
  private lastAdmittedSearch = Number.NEGATIVE_INFINITY;
  private readonly heldResponses = new Set<ServerResponse>();

  constructor(private readonly options: SimulatorOptions = {}) {
    this.token = options.token ?? "drct-local-token";
    this.offerTtlMs = options.offerTtlMs ?? 15 * 60_000;
    this.searchIntervalMs = options.searchIntervalMs ?? 1_000;
    this.loadState();
  }

  private static emptyStats(): SimStats {
    return {
      calls: { search: 0, price: 0, order_create: 0, issue: 0, cancel: 0, order_get: 0 },
      max_search_rps: 0,
      rate_limit_violations: 0,
      orders_created: 0,
    };
  }

  snapshot(): SimStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.releaseHeld();
    this.offers.clear();
    this.orders.clear();
    this.faults.clear();
    this.generation += 1;
    this.stats = DrctSimulator.emptyStats();
    this.searchArrivals = [];
    this.lastAdmittedSearch = Number.NEGATIVE_INFINITY;
    this.saveState();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://sim");
      const text = req.method === "GET" ? "" : await readBody(req);
      if (url.pathname.startsWith("/__sim/")) {
        const reply = this.control(req.method ?? "GET", url.pathname, text);
        const change = INVENTORY_CHANGES[url.pathname];
        if (change !== undefined && reply.status === 200) await this.options.onInventoryChange?.(change);
        send(res, reply);
        return;
      }
      const route = this.route(req.method ?? "GET", url);
      this.checkHeaders(req, route.operation);
      this.stats.calls[route.operation] += 1;
      if (route.operation === "search") this.admitSearch();
      const fault = this.takeFault(route.operation);
      if (fault !== undefined) {
        if (fault.mode === "latency") await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
        else if (fault.mode === "drop" || fault.mode === "timeout_after_commit") {
          if (fault.mode === "timeout_after_commit") {
            try {
              route.run(req, text);
            } catch {
              // The work failed at DRCT; the caller still hears nothing, as after a real timeout.
            }
          }
          this.hold(res);
          return;
        } else throw this.faultError(fault.mode);
      }
      send(res, route.run(req, text));
    } catch (error) {
      if (error instanceof HttpError) {
        send(res, {
          status: error.status,
          body: { error: { code: error.code, message: error.message } },
          headers: error.headers,
        });
      } else {
        send(res, { status: 500, body: { error: { code: "INTERNAL", message: "simulator error" } } });
      }
    }
  }

  /** Never answers: the caller times out. Released at shutdown. */
  private hold(res: ServerResponse): void {
    this.heldResponses.add(res);
    res.on("close", () => this.heldResponses.delete(res));
  }

  releaseHeld(): void {
    for (const res of this.heldResponses) res.destroy();
    this.heldResponses.clear();
  }

  private faultError(mode: FaultMode): HttpError {
    if (mode === "http_429") return new HttpError(429, "RATE_LIMITED", "slow down", { "retry-after": "1" });
    if (mode === "http_401") return new HttpError(401, "UNAUTHORIZED", "invalid token");
    return new HttpError(500, "INTERNAL", "injected failure");
  }

  private takeFault(operation: SimOperation): Fault | undefined {
    const fault = this.faults.get(operation);
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.delete(operation);
    return fault;
  }

  private checkHeaders(req: IncomingMessage, operation: SimOperation): void {
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      throw new HttpError(401, "UNAUTHORIZED", "a valid bearer token is required");
    }
    for (const name of ["x-correlation-id", "x-avf-tenant-id"]) {
      if (typeof req.headers[name] !== "string" || req.headers[name] === "") {
        throw new HttpError(400, "MISSING_HEADER", `${name} is required`);
      }
    }
    if (!(req.headers.accept ?? "").includes("application/json")) {
      throw new HttpError(406, "NOT_ACCEPTABLE", "Accept must include application/json");
    }
    const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
    if (hasBody && !(req.headers["content-type"] ?? "").startsWith("application/json")) {
      throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
    }
    if ((operation === "order_create" || operation === "issue") && !req.headers["idempotency-key"]) {
      throw new HttpError(400, "IDEMPOTENCY_KEY_REQUIRED", "Idempotency-Key is required");
    }
  }

  /** The account's contract: one search per interval. Every arrival counts toward the observed rate. */
  private admitSearch(): void {
    const now = performance.now();
    this.searchArrivals.push(now);
    while ((this.searchArrivals[0] ?? now) <= now - 1_000) this.searchArrivals.shift();
    this.stats.max_search_rps = Math.max(this.stats.max_search_rps, this.searchArrivals.length);
    const waitMs = this.lastAdmittedSearch + this.searchIntervalMs - now;
    if (waitMs > 0) {
      this.stats.rate_limit_violations += 1;
      throw new HttpError(429, "RATE_LIMITED", "offers_search is limited to 1 request per second", {
        "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))),
      });
    }
    this.lastAdmittedSearch = now;
  }

  private route(
    method: string,
    url: URL,
  ): { operation: SimOperation; run: (req: IncomingMessage, body: string) => Reply } {
    const parts = url.pathname.split("/").filter(Boolean);
    const [version, resource, id, action] = parts;
    if (version === "v1" && resource === "offers" && method === "POST") {
      if (id === "search" && parts.length === 3) return { operation: "search", run: (_r, b) => this.search(b) };
      if (id !== undefined && action === "price" && parts.length === 4) {
        return { operation: "price", run: () => this.price(id) };
      }
    }
    if (version === "v1" && resource === "orders") {
      if (method === "POST" && parts.length === 2) {
        return { operation: "order_create", run: (req, body) => this.createOrder(req, body) };
      }
      if (method === "GET" && parts.length === 2) return { operation: "order_get", run: () => this.findOrders(url) };
      if (method === "GET" && id !== undefined && parts.length === 3) {
        return { operation: "order_get", run: () => ({ status: 200, body: orderView(this.order(id)) }) };
      }
      if (method === "POST" && id !== undefined && action === "issue" && parts.length === 4) {
        return { operation: "issue", run: (req) => this.issue(req, id) };
      }
      if (method === "POST" && id !== undefined && action === "cancel" && parts.length === 4) {
        return { operation: "cancel", run: () => this.cancel(id) };
      }
    }
    throw new HttpError(404, "NOT_FOUND", `no route ${method} ${url.pathname}`);
  }

  private search(text: string): Reply {
    const body = this.validSearch(parseJsonBody(text));
    const now = Date.now();
    const criteriaKey = JSON.stringify([
      body.origin,
      body.destination,
      body.departure_date,
      body.return_date ?? null,
      body.passengers,
      body.cabin,
      body.currency,
    ]);
    const offers = flightsFor(body).map((flight) => {
      const offerId = `drct_${hash(`${criteriaKey}|${flight.key}|${this.generation}`).slice(0, 20)}`;
      const existing = this.offers.get(offerId);
      const offer: SimOffer = existing ?? { offerId, search: body, flight, validUntil: 0, delta: 0 };
      offer.validUntil = now + this.offerTtlMs;
      this.offers.set(offerId, offer);
      return this.offerView(offer);
    });
    this.saveState();
    return { status: 200, body: { offers } };
  }

  private validSearch(raw: Record<string, unknown>): SimSearch {
    const invalid = (message: string) => new HttpError(400, "INVALID_REQUEST", message);
    const iata = (value: unknown) => typeof value === "string" && /^[A-Z]{3}$/.test(value);
    const date = (value: unknown) =>
      typeof value === "string" &&
      /^\d{4}-\d{2}-\d{2}$/.test(value) &&
      !Number.isNaN(Date.parse(value)) &&
      new Date(value).toISOString().startsWith(value);
    const count = (value: unknown, min: number) =>
      value === undefined ? min === 0 : Number.isInteger(value) && (value as number) >= min && (value as number) <= 9;
    if (!iata(raw.origin) || !iata(raw.destination)) throw invalid("origin and destination must be IATA codes");
    if (!date(raw.departure_date)) throw invalid("departure_date must be YYYY-MM-DD");
    if (raw.return_date !== undefined && !date(raw.return_date)) throw invalid("return_date must be YYYY-MM-DD");
    if (raw.return_date !== undefined && (raw.return_date as string) < (raw.departure_date as string)) {
      throw invalid("return_date must not be before departure_date");
    }
    if (typeof raw.currency !== "string" || !/^[A-Z]{3}$/.test(raw.currency) || iso4217(raw.currency) === undefined) {
      throw invalid("currency must be an ISO 4217 code");
    }
    if (typeof raw.cabin !== "string" || !["economy", "premium_economy", "business", "first"].includes(raw.cabin)) {
      throw invalid("cabin must be economy, premium_economy, business or first");
    }
    const passengers = (raw.passengers ?? {}) as Record<string, unknown>;
    if (!count(passengers.adults, 1) || !count(passengers.children, 0) || !count(passengers.infants, 0)) {
      throw invalid("passengers: adults 1-9, children and infants 0-9");
    }
    return {
      origin: raw.origin as string,
      destination: raw.destination as string,
      departure_date: raw.departure_date as string,
      return_date: raw.return_date as string | undefined,
      passengers: {
        adults: passengers.adults as number,
        children: (passengers.children as number | undefined) ?? 0,
        infants: (passengers.infants as number | undefined) ?? 0,
      },
      cabin: raw.cabin,
      currency: raw.currency,
    };
  }

  private priceOf(offer: SimOffer) {
    const base = Math.max(0, offer.flight.base + offer.delta);
    return {
      currency: offer.search.currency,
      base,
      taxes: offer.flight.taxes,
      fees: offer.flight.fees,
    };
  }

  private offerView(offer: SimOffer) {
    return {
      offer_id: offer.offerId,
      valid_until: new Date(offer.validUntil).toISOString(),
      segments: offer.flight.segments,
      price: this.priceOf(offer),
      fare_rules: {
        refundable: offer.flight.refundable,
        changeable: offer.flight.changeable,
        ...(offer.flight.cancelPenalty === undefined ? {} : { cancel_penalty: offer.flight.cancelPenalty }),
      },
    };
  }

  private liveOffer(offerId: string): SimOffer {
    const offer = this.offers.get(offerId);
    if (offer === undefined) throw new HttpError(404, "OFFER_NOT_FOUND", "unknown offer");
    if (offer.validUntil <= Date.now()) throw new HttpError(410, "OFFER_EXPIRED", "the offer has expired");
    return offer;
  }

  private price(offerId: string): Reply {
    const offer = this.liveOffer(offerId);
    if (touchesAirport(offer.search, SCENARIO_AIRPORTS.priceMovesOnce) && offer.scenarioMoved !== true) {
      offer.delta += scenarioPriceStep(offer.search.currency);
      offer.scenarioMoved = true;
      this.saveState();
    }
    return { status: 200, body: this.offerView(offer) };
  }

  private createOrder(req: IncomingMessage, text: string): Reply {
    const key = String(req.headers["idempotency-key"]);
    const body = parseJsonBody(text);
    const requestHash = hash(canonicalJson(body));
    const existing = [...this.orders.values()].find((order) => order.idempotency_key === key);
    if (existing !== undefined) {
      if (existing.request_hash !== requestHash) {
        throw new HttpError(409, "IDEMPOTENCY_MISMATCH", "this Idempotency-Key was used with another request");
      }
      return { status: 201, body: orderView(existing), headers: { "idempotent-replayed": "true" } };
    }
    if (typeof body.offer_id !== "string" || body.offer_id === "")
      throw new HttpError(400, "INVALID_REQUEST", "offer_id is required");
    const offer = this.liveOffer(body.offer_id);
    const passengers = Array.isArray(body.passengers) ? body.passengers : [];
    const expected =
      offer.search.passengers.adults + offer.search.passengers.children + offer.search.passengers.infants;
    if (passengers.length !== expected) {
      throw new HttpError(422, "PASSENGER_MISMATCH", `the offer was searched for ${expected} passengers`);
    }
    const price = this.priceOf(offer);
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
    };
    this.orders.set(order.order_id, order);
    this.stats.orders_created += 1;
    this.saveState();
    return { status: 201, body: orderView(order) };
  }

  private order(orderId: string): SimOrder {
    const order = this.orders.get(orderId);
    if (order === undefined) throw new HttpError(404, "ORDER_NOT_FOUND", "unknown order");
    return order;
  }

  private findOrders(url: URL): Reply {
    const key = url.searchParams.get("idempotency_key");
    const ref = url.searchParams.get("external_ref");
    if (key === null && ref === null)
      throw new HttpError(400, "INVALID_REQUEST", "idempotency_key or external_ref is required");
    const orders = [...this.orders.values()].filter(
      (order) => (key === null || order.idempotency_key === key) && (ref === null || order.external_ref === ref),
    );
    return { status: 200, body: { orders: orders.map(orderView) } };
  }

  private issue(req: IncomingMessage, orderId: string): Reply {
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
    this.saveState();
    return { status: 200, body: orderView(order) };
  }

  private cancel(orderId: string): Reply {
    const order = this.order(orderId);
    if (order.status === "CANCELLED") return { status: 200, body: orderView(order) };
    if (order.status === "ISSUED" && !order.refundable) {
      throw new HttpError(409, "NOT_CANCELLABLE", "the fare is not refundable once ticketed");
    }
    order.status = "CANCELLED";
    // Voiding an unticketed booking costs nothing and refunds nothing; a ticketed refundable fare refunds less the penalty.
    order.penalty = order.tickets.length > 0 ? (order.cancel_penalty ?? 0) : 0;
    if (order.tickets.length > 0) order.refund_reference = `RF${randomInt(10 ** 9, 10 ** 10 - 1)}`;
    order.updated_at = new Date().toISOString();
    this.saveState();
    return { status: 200, body: orderView(order) };
  }

  private control(method: string, path: string, text: string): Reply {
    if (method === "GET" && path === "/__sim/stats") return { status: 200, body: this.snapshot() };
    if (method !== "POST") throw new HttpError(405, "METHOD_NOT_ALLOWED", "control endpoints are POST, but stats");
    if (path === "/__sim/reset") {
      this.reset();
      return { status: 200, body: { reset: true } };
    }
    const body = text === "" ? {} : parseJsonBody(text);
    if (path === "/__sim/faults") {
      const operation = body.operation as SimOperation;
      const mode = body.mode as FaultMode;
      if (!OPERATIONS.includes(operation) || !FAULT_MODES.includes(mode)) {
        throw new HttpError(
          400,
          "INVALID_FAULT",
          `operation ∈ ${OPERATIONS.join("|")}, mode ∈ ${FAULT_MODES.join("|")}`,
        );
      }
      const count = Number.isInteger(body.count) && (body.count as number) > 0 ? (body.count as number) : 1;
      const latencyMs = typeof body.latency_ms === "number" ? body.latency_ms : 3_000;
      this.faults.set(operation, { mode, remaining: count, latencyMs });
      return { status: 200, body: { operation, mode, count, latency_ms: latencyMs } };
    }
    if (path === "/__sim/reprice") {
      if (typeof body.delta_minor !== "number" || !Number.isInteger(body.delta_minor)) {
        throw new HttpError(400, "INVALID_REQUEST", "delta_minor must be an integer");
      }
      for (const offer of this.offers.values()) offer.delta += body.delta_minor;
      return { status: 200, body: { repriced: this.offers.size } };
    }
    if (path === "/__sim/expire") {
      const now = Date.now();
      for (const offer of this.offers.values()) offer.validUntil = Math.min(offer.validUntil, now);
      // New searches must produce new offers, as DRCT would after expiry.
      this.generation += 1;
      this.saveState();
      return { status: 200, body: { expired: this.offers.size } };
    }
    throw new HttpError(404, "NOT_FOUND", `no control ${path}`);
  }

  private loadState(): void {
    if (this.options.stateFile === undefined) return;
    try {
      const saved = JSON.parse(readFileSync(this.options.stateFile, "utf8")) as {
        orders: SimOrder[];
        offers?: SimOffer[];
        generation: number;
      };
      for (const order of saved.orders) this.orders.set(order.order_id, order);
      for (const offer of saved.offers ?? []) this.offers.set(offer.offerId, offer);
      // A real DRCT does not forget its offers when our gateway restarts; neither does this one.
      this.generation = saved.generation;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }

  private saveState(): void {
    const file = this.options.stateFile;
    if (file === undefined) return;
    const now = Date.now();
    const offers = [...this.offers.values()].filter((offer) => offer.validUntil > now);
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify({ orders: [...this.orders.values()], offers, generation: this.generation }),
    );
    renameSync(`${file}.tmp`, file);
  }
}

export interface RunningSimulator {
  readonly url: string;
  readonly simulator: DrctSimulator;
  close(): Promise<void>;
}

export const startDrctSimulator = async (options: SimulatorOptions = {}): Promise<RunningSimulator> => {
  const simulator = new DrctSimulator(options);
  const server = createServer((req, res) => {
    void simulator.handle(req, res);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    simulator,
    close: async () => {
      simulator.releaseHeld();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
