/**
 * The DRCT simulator: a strict stand-in for the real supplier (docs/DRCT-API.md), with the
 * test controls of CONTRACT.md §5. Strict on purpose: it refuses what DRCT would refuse
 * (missing headers, bad token, a second search within a second) so the gateway's manners are
 * tested, and its stats let a test prove the gateway never went past the contract.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ChangeResource } from "./change-resource";
import { FlightResource } from "./flight-resource";
import { HttpError, parseJsonBody, type Reply, readBody, send } from "./http";
import { DrctNotifier, type NotificationTarget } from "./notifier";
import { OfferResource } from "./offer-resource";
import { OrderResource, orderView } from "./order-resource";
import { emptyStats, type SimOperation, SimState, type SimStats } from "./state";

export type { SimOperation, SimStats } from "./state";

export type FaultMode = "http_500" | "http_429" | "http_401" | "latency" | "timeout_after_commit" | "drop";

const OPERATIONS: readonly SimOperation[] = [
  "search",
  "price",
  "order_create",
  "issue",
  "cancel",
  "order_get",
  "release",
  "change_offers",
  "change",
  "flight_status",
  "schedule_change_ack",
];
const FAULT_MODES: readonly FaultMode[] = [
  "http_500",
  "http_429",
  "http_401",
  "latency",
  "timeout_after_commit",
  "drop",
];

/** DRCT_SIM_HOLD_S (CONTRACT.md §2), default 1800 s: how long the simulator holds an unissued booking, in ms. */
export const holdMsFromEnv = (env: NodeJS.ProcessEnv = process.env): number => {
  const seconds = Number(env.DRCT_SIM_HOLD_S ?? 1800);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error("DRCT_SIM_HOLD_S must be a positive number of seconds");
  return Math.round(seconds * 1000);
};

export interface SimulatorOptions {
  readonly port?: number;
  readonly host?: string;
  readonly token?: string;
  /** Offers stay valid this long after a search (DRCT: about 15 minutes). */
  readonly offerTtlMs?: number;
  /** The account's search contract: at most one search per this many milliseconds. */
  readonly searchIntervalMs?: number;
  /** How long an unissued booking is held: its ticketing deadline is created_at + this (DRCT_SIM_HOLD_S). */
  readonly holdMs?: number;
  /** Orders survive a restart when set (JSON file). */
  readonly stateFile?: string;
  /**
   * Told after a control changed DRCT's inventory (reset, expire, reprice): the local runtime
   * drops what the gateway cached of it, since no cache could know DRCT changed under it.
   */
  readonly onInventoryChange?: (change: "reset" | "expire" | "reprice") => Promise<void>;
  /** Where DRCT sends its signed notifications (schedule changes); also settable later (setNotificationTarget). */
  readonly notifications?: NotificationTarget;
}

interface Fault {
  mode: FaultMode;
  remaining: number;
  latencyMs: number;
}

const INVENTORY_CHANGES: Record<string, "reset" | "expire" | "reprice"> = {
  "/__sim/reset": "reset",
  "/__sim/expire": "expire",
  "/__sim/reprice": "reprice",
};

export class DrctSimulator {
  private readonly token: string;
  private readonly searchIntervalMs: number;
  private readonly state: SimState;
  private readonly offerResource: OfferResource;
  private readonly orderResource: OrderResource;
  private readonly changeResource: ChangeResource;
  private readonly flightResource: FlightResource;
  readonly notifier: DrctNotifier;
  private faults = new Map<SimOperation, Fault>();
  private searchArrivals: number[] = [];
  private lastAdmittedSearch = Number.NEGATIVE_INFINITY;
  private readonly heldResponses = new Set<ServerResponse>();

  constructor(private readonly options: SimulatorOptions = {}) {
    this.token = options.token ?? "drct-local-token";
    this.searchIntervalMs = options.searchIntervalMs ?? 1_000;
    this.state = new SimState(options.offerTtlMs ?? 15 * 60_000, options.stateFile, options.holdMs ?? 1_800_000);
    this.state.load();
    this.offerResource = new OfferResource(this.state);
    this.orderResource = new OrderResource(this.state, this.offerResource);
    this.changeResource = new ChangeResource(this.state, this.orderResource);
    this.notifier = new DrctNotifier(() => this.state.stats);
    this.notifier.setTarget(options.notifications);
    this.flightResource = new FlightResource(this.state, this.notifier);
  }

  /** Where DRCT's notifications go (the gateway's inbound endpoint), with the secret that signs them. */
  setNotificationTarget(target: NotificationTarget | undefined): void {
    this.notifier.setTarget(target);
  }

  snapshot(): SimStats {
    return structuredClone(this.state.stats);
  }

  reset(): void {
    this.releaseHeld();
    this.state.offers.clear();
    this.state.orders.clear();
    this.state.changeOffers.clear();
    this.faults.clear();
    this.flightResource.reset();
    this.notifier.enabled = true;
    this.state.generation += 1;
    this.state.stats = emptyStats();
    this.searchArrivals = [];
    this.lastAdmittedSearch = Number.NEGATIVE_INFINITY;
    this.state.save();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DRCT's rate contract counts a request when it arrives, not when its body has been read.
    const arrivedAt = performance.now();
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
      this.state.stats.calls[route.operation] += 1;
      if (route.operation === "search") this.admitSearch(arrivedAt);
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
    if (["order_create", "issue", "change"].includes(operation) && !req.headers["idempotency-key"]) {
      throw new HttpError(400, "IDEMPOTENCY_KEY_REQUIRED", "Idempotency-Key is required");
    }
  }

  /** The account's contract: one search per interval. Every arrival counts toward the observed rate. */
  private admitSearch(now: number): void {
    this.searchArrivals.push(now);
    while ((this.searchArrivals[0] ?? now) <= now - 1_000) this.searchArrivals.shift();
    this.state.stats.max_search_rps = Math.max(this.state.stats.max_search_rps, this.searchArrivals.length);
    const waitMs = this.lastAdmittedSearch + this.searchIntervalMs - now;
    if (waitMs > 0) {
      this.state.stats.rate_limit_violations += 1;
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
      if (id === "search" && parts.length === 3)
        return { operation: "search", run: (_r, b) => this.offerResource.search(b) };
      if (id !== undefined && action === "price" && parts.length === 4) {
        return { operation: "price", run: () => this.offerResource.price(id) };
      }
    }
    if (version === "v1" && resource === "orders") {
      if (method === "POST" && parts.length === 2) {
        return { operation: "order_create", run: (req, body) => this.orderResource.createOrder(req, body) };
      }
      if (method === "GET" && parts.length === 2)
        return { operation: "order_get", run: () => this.orderResource.findOrders(url) };
      if (method === "GET" && id !== undefined && parts.length === 3) {
        return { operation: "order_get", run: () => ({ status: 200, body: orderView(this.orderResource.order(id)) }) };
      }
      if (method === "POST" && id !== undefined && action === "issue" && parts.length === 4) {
        return { operation: "issue", run: (req) => this.orderResource.issue(req, id) };
      }
      if (method === "POST" && id !== undefined && action === "cancel" && parts.length === 4) {
        return { operation: "cancel", run: (_req, body) => this.orderResource.cancel(id, body) };
      }
      if (method === "POST" && id !== undefined && action === "change-offers" && parts.length === 4) {
        return { operation: "change_offers", run: (_req, body) => this.changeResource.changeOffers(id, body) };
      }
      if (method === "POST" && id !== undefined && action === "changes" && parts.length === 4) {
        return { operation: "change", run: (req, body) => this.changeResource.applyChange(req, id, body) };
      }
      if (method === "POST" && id !== undefined && action === "release" && parts.length === 4) {
        return { operation: "release", run: () => this.orderResource.release(id) };
      }
      const [, , , , changeId, verb] = parts;
      if (method === "POST" && id !== undefined && action === "schedule-changes" && verb === "acknowledge") {
        if (changeId !== undefined && parts.length === 6) {
          return {
            operation: "schedule_change_ack",
            run: () => this.flightResource.acknowledge(this.orderResource.order(id), changeId),
          };
        }
      }
    }
    if (version === "v1" && resource === "flights" && id === "status" && method === "GET" && parts.length === 3) {
      return { operation: "flight_status", run: () => this.flightResource.status(url) };
    }
    throw new HttpError(404, "NOT_FOUND", `no route ${method} ${url.pathname}`);
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
      for (const offer of this.state.offers.values()) offer.delta += body.delta_minor;
      return { status: 200, body: { repriced: this.state.offers.size } };
    }
    if (path === "/__sim/expire") {
      const now = Date.now();
      for (const offer of this.state.offers.values()) offer.validUntil = Math.min(offer.validUntil, now);
      // New searches must produce new offers, as DRCT would after expiry.
      this.state.generation += 1;
      this.state.save();
      return { status: 200, body: { expired: this.state.offers.size } };
    }
    if (path === "/__sim/schedule-change") return this.flightResource.scheduleChange(body);
    if (path === "/__sim/flight-status") return this.flightResource.setStatus(body);
    if (path === "/__sim/notifications") {
      if (typeof body.enabled !== "boolean") throw new HttpError(400, "INVALID_REQUEST", "enabled must be a boolean");
      this.notifier.enabled = body.enabled;
      return { status: 200, body: { enabled: this.notifier.enabled } };
    }
    throw new HttpError(404, "NOT_FOUND", `no control ${path}`);
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
      simulator.notifier.stop();
      simulator.releaseHeld();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
