/**
 * The soak (`npm run soak`): the DRCT simulator in its own process, the gateway (`npm start`)
 * under a driver that books, issues and sends duplicate keys while DRCT faults are injected and
 * the gateway is killed with SIGKILL and restarted, over and over. At the end it checks, order by
 * order against the simulator, that every accepted order settled, that no key made two orders
 * and that DRCT's bookings are exactly the gateway's. Loopback only, bounded in time.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCAL_DRCT_TOKEN, SEED_TENANTS } from "../local/seed";
import { freePort, type RunningProcess, startGateway, startSimulator } from "./processes";

export interface SoakOptions {
  /** How long the driver books, issues and injects faults. */
  readonly durationMs: number;
  /** Gateway kills (SIGKILL, then restart), spread over the duration. */
  readonly kills: number;
  readonly createsPerSecond: number;
  /** After driving, how long the orders may take to settle. */
  readonly settleMs: number;
  readonly faultEveryMs: number;
  /**
   * The share of booked orders that are also issued (default 0.5). A ticketing job in flight
   * at a kill stays invisible on its queue for the queue's visibility timeout (300 s), so its
   * order settles only after that.
   */
  readonly issueShare?: number;
  /** How many routes to take offers from (one DRCT search each, at DRCT's pace). */
  readonly routes?: number;
  readonly log?: (line: string) => void;
}

export interface SoakReport {
  readonly creates: number;
  readonly accepted: number;
  readonly duplicateRequests: number;
  readonly kills: number;
  readonly faults: Record<string, number>;
  readonly statuses: Record<string, number>;
  readonly failures: Record<string, number>;
  /** Accepted orders the gateway no longer knows. */
  readonly lost: string[];
  /** Keys answered with two order ids, or orders DRCT booked more than once. */
  readonly doubled: string[];
  /** Orders DRCT booked that the gateway shows unbooked (FAILED), or the other way round. */
  readonly mismatched: string[];
  readonly unsettled: string[];
  readonly drctBookings: number;
  readonly gatewayBookings: number;
  /** From the gateway being healthy again to the answer of a request that was in flight at a kill. */
  readonly retryAfterKillMs: number[];
  /** From the last fault to every order settled. */
  readonly settledAfterMs: number;
}

const FAULT_MODES = ["http_500", "http_429", "latency", "timeout_after_commit", "drop"] as const;
const FAULT_OPERATIONS = ["order_create", "issue"] as const;
const SETTLED = new Set(["BOOKED", "ISSUED", "FAILED", "CANCELLED", "EXPIRED"]);
const ROUTES = ["LIS", "OPO", "MAD", "BCN", "FCO", "ATH"];

/** Arms the simulator's fault for one operation (replacing the one armed before). */
const armFault = (simUrl: string, fault: Record<string, unknown>) =>
  fetch(`${simUrl}/__sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)] as T;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** The gateway as a client sees it: it can die under us at any moment. */
class GatewayClient {
  gateway: RunningProcess | undefined;
  healthyAt = 0;
  constructor(readonly url: string) {}

  async call(path: string, apiKey: string, init: { method?: string; body?: unknown; key?: string } = {}) {
    try {
      const response = await fetch(`${this.url}${path}`, {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers: {
          "x-api-key": apiKey,
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...(init.key === undefined ? {} : { "idempotency-key": init.key }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      return { status: response.status, body: (text === "" ? {} : JSON.parse(text)) as Record<string, unknown> };
    } catch {
      return undefined;
    }
  }
}

const inProgress = (answer: Answer): boolean =>
  answer.status === 409 && (answer.body.error as { code?: string } | undefined)?.code === "AVF_409_REQUEST_IN_PROGRESS";

/**
 * A write the client repeats under the same key until it has a final answer (or the soak gives
 * up): after a connection lost to a kill, and while the key is in progress or the gateway
 * answers 5xx. `onKillRetry` hears, for a request that lost its connection, how long after the
 * gateway was healthy again it was answered (anything but in progress).
 */
const untilAnswered = async (
  client: GatewayClient,
  send: () => Promise<Answer | undefined>,
  giveUpAt: number,
  onKillRetry: (ms: number) => void,
): Promise<Answer | undefined> => {
  let lostAt: number | undefined;
  while (Date.now() < giveUpAt) {
    const startedAt = Date.now();
    const answer = await send();
    if (answer === undefined) lostAt ??= startedAt;
    else if (lostAt !== undefined && !inProgress(answer)) {
      onKillRetry(Date.now() - Math.max(client.healthyAt, lostAt));
      lostAt = undefined;
    }
    if (answer !== undefined && answer.status < 500 && !inProgress(answer)) return answer;
    await sleep(500);
  }
  return undefined;
};

export const runSoak = async (options: SoakOptions): Promise<SoakReport> => {
  const log = options.log ?? (() => undefined);
  const dataDir = mkdtempSync(join(tmpdir(), "aviaframe-soak-"));
  const [port, simPort] = [await freePort(), await freePort()];
  const simUrl = `http://127.0.0.1:${simPort}`;
  const simulator = await startSimulator({ ...process.env, DRCT_SIM_PORT: String(simPort) });
  const env = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    DRCT_BASE_URL: simUrl,
    DRCT_TOKEN: LOCAL_DRCT_TOKEN,
    POWERTOOLS_LOG_LEVEL: "ERROR",
    RECONCILE_AFTER_S: "2",
    RECONCILE_INTERVAL_S: "5",
    RECONCILE_GRACE_S: "600",
    DRCT_TIMEOUT_MS: "3000",
  };
  const client = new GatewayClient(`http://127.0.0.1:${port}`);
  const restart = async () => {
    client.gateway = await startGateway(env);
    client.healthyAt = Date.now();
  };
  const keys = SEED_TENANTS.map((tenant) => tenant.apiKey);
  const answersByKey = new Map<string, Set<string>>();
  const accepted = new Map<string, string>();
  const retryAfterKillMs: number[] = [];
  const faults: Record<string, number> = {};
  let creates = 0;
  let duplicateRequests = 0;
  let kills = 0;
  let lastFaultAt = Date.now();
  try {
    await restart();
    const offers: { apiKey: string; id: string }[] = [];
    for (const [index, destination] of ROUTES.slice(0, options.routes ?? ROUTES.length).entries()) {
      const apiKey = keys[index % keys.length] ?? "";
      await sleep(1_200);
      const found = await client.call("/public/offers/search", apiKey, {
        body: { origin: "ZRH", destination, departure_date: day(20 + index), passengers: { adults: 1 } },
      });
      const offer = (found?.body.offers as { id: string }[] | undefined)?.[0];
      if (offer !== undefined) offers.push({ apiKey, id: offer.id });
    }
    if (offers.length === 0) throw new Error("the soak found no offers to book");
    const started = Date.now();
    const endAt = started + options.durationMs;
    const giveUpAt = endAt + options.settleMs;
    const work: Promise<void>[] = [];

    const book = async () => {
      const offer = pick(offers);
      const key = randomUUID();
      creates += 1;
      const body = {
        offer_id: offer.id,
        passengers: [
          { type: "adult", given_name: "Sam", family_name: "Soak", birth_date: "1980-01-01", gender: "male" },
        ],
        contact: { email: "soak@example.com", phone: "+41440000000" },
      };
      const copies = Math.random() < 0.3 ? 3 : 1;
      duplicateRequests += copies - 1;
      const answers = await Promise.all(
        Array.from({ length: copies }, () =>
          untilAnswered(
            client,
            () => client.call("/public/orders", offer.apiKey, { body, key }),
            giveUpAt,
            (ms) => retryAfterKillMs.push(ms),
          ),
        ),
      );
      for (const answer of answers) {
        if (answer === undefined || (answer.status !== 201 && answer.status !== 202)) continue;
        const id = String(answer.body.id);
        answersByKey.set(key, (answersByKey.get(key) ?? new Set()).add(id));
        accepted.set(id, offer.apiKey);
      }
      const id = [...(answersByKey.get(key) ?? [])][0];
      if (id === undefined || Math.random() >= (options.issueShare ?? 0.5)) return;
      // Issue once booked (the order may still be settling).
      for (let round = 0; round < 20 && Date.now() < endAt; round += 1) {
        const order = await client.call(`/public/orders/${id}`, offer.apiKey);
        if (order?.body.status === "BOOKED") {
          const issueKey = randomUUID();
          await untilAnswered(
            client,
            () =>
              client.call(`/public/orders/${id}/issue`, offer.apiKey, {
                body: { payment: { type: "external", reference: `SOAK-${id}` } },
                key: issueKey,
              }),
            giveUpAt,
            (ms) => retryAfterKillMs.push(ms),
          );
          return;
        }
        if (order !== undefined && SETTLED.has(String(order.body.status))) return;
        await sleep(500);
      }
    };

    const killEveryMs = options.durationMs / (options.kills + 1);
    let nextKillAt = started + killEveryMs;
    let nextFaultAt = started;
    let nextCreateAt = started;
    while (Date.now() < endAt) {
      const now = Date.now();
      if (now >= nextCreateAt) {
        work.push(book());
        nextCreateAt += 1_000 / options.createsPerSecond;
      }
      if (now >= nextFaultAt) {
        const fault = {
          operation: pick(FAULT_OPERATIONS),
          mode: pick(FAULT_MODES),
          count: 1 + Math.floor(Math.random() * 2),
        };
        await armFault(simUrl, { ...fault, latency_ms: 2_500 }).catch(() => undefined);
        faults[fault.mode] = (faults[fault.mode] ?? 0) + 1;
        lastFaultAt = Date.now();
        nextFaultAt += options.faultEveryMs;
      }
      if (now >= nextKillAt && kills < options.kills) {
        kills += 1;
        log(`kill ${kills}: SIGKILL the gateway, ${work.length} bookings started so far`);
        await client.gateway?.stop("SIGKILL");
        await restart();
        nextKillAt += killEveryMs;
      }
      await sleep(50);
    }
    // No more faults: each operation's armed fault is replaced by a harmless one.
    for (const operation of FAULT_OPERATIONS) {
      await armFault(simUrl, { operation, mode: "latency", latency_ms: 0, count: 1 });
    }
    await Promise.all(work);
    log(`driving done: ${creates} creates, ${accepted.size} accepted; waiting for every order to settle`);

    const final = new Map<string, Record<string, unknown> | undefined>();
    for (;;) {
      for (const [id, apiKey] of accepted) {
        if (SETTLED.has(String(final.get(id)?.status))) continue;
        const read = await client.call(`/public/orders/${id}`, apiKey);
        final.set(id, read?.status === 200 ? read.body : undefined);
      }
      const open = [...accepted.keys()].filter((id) => !SETTLED.has(String(final.get(id)?.status)));
      if (open.length === 0 || Date.now() > giveUpAt) break;
      await sleep(1_000);
    }
    const settledAfterMs = Date.now() - lastFaultAt;
    return await check({
      simUrl,
      accepted,
      answersByKey,
      final,
      creates,
      duplicateRequests,
      kills,
      faults,
      retryAfterKillMs,
      settledAfterMs,
    });
  } finally {
    await client.gateway?.stop("SIGTERM");
    await simulator.stop("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  }
};

interface Observed {
  readonly simUrl: string;
  readonly accepted: Map<string, string>;
  readonly answersByKey: Map<string, Set<string>>;
  readonly final: Map<string, Record<string, unknown> | undefined>;
  readonly creates: number;
  readonly duplicateRequests: number;
  readonly kills: number;
  readonly faults: Record<string, number>;
  readonly retryAfterKillMs: number[];
  readonly settledAfterMs: number;
}

/** Order by order, the gateway's final state against DRCT's bookings under the order's key. */
const check = async (observed: Observed): Promise<SoakReport> => {
  const statuses: Record<string, number> = {};
  const failures: Record<string, number> = {};
  const lost: string[] = [];
  const mismatched: string[] = [];
  const unsettled: string[] = [];
  const doubled = [...observed.answersByKey].filter(([, ids]) => ids.size > 1).map(([key]) => `key ${key}`);
  let gatewayBookings = 0;
  for (const id of observed.accepted.keys()) {
    const order = observed.final.get(id);
    if (order === undefined) {
      lost.push(id);
      continue;
    }
    const status = String(order.status);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (!SETTLED.has(status)) unsettled.push(id);
    if (status === "FAILED") {
      const code = String((order.failure as { code?: string } | undefined)?.code);
      failures[code] = (failures[code] ?? 0) + 1;
    }
    const response = await fetch(`${observed.simUrl}/v1/orders?idempotency_key=${encodeURIComponent(`avf-${id}`)}`, {
      headers: {
        authorization: `Bearer ${LOCAL_DRCT_TOKEN}`,
        accept: "application/json",
        "x-correlation-id": "soak-check",
        "x-avf-tenant-id": "soak",
      },
    });
    const drct = ((await response.json()) as { orders: { order_id: string }[] }).orders;
    if (drct.length > 1) doubled.push(`order ${id}: ${drct.length} DRCT bookings`);
    const booked = typeof order.drct_order_id === "string";
    if (booked) gatewayBookings += 1;
    // An unsettled order may still learn of its booking; it is listed as unsettled instead.
    if (
      SETTLED.has(status) &&
      (booked !== (drct.length === 1) || (booked && drct[0]?.order_id !== order.drct_order_id))
    ) {
      mismatched.push(`${id} (${status}, DRCT ${drct.map((entry) => entry.order_id).join(",") || "none"})`);
    }
  }
  const stats = (await (await fetch(`${observed.simUrl}/__sim/stats`)).json()) as { orders_created: number };
  return {
    creates: observed.creates,
    accepted: observed.accepted.size,
    duplicateRequests: observed.duplicateRequests,
    kills: observed.kills,
    faults: observed.faults,
    statuses,
    failures,
    lost,
    doubled,
    mismatched,
    unsettled,
    drctBookings: stats.orders_created,
    gatewayBookings,
    retryAfterKillMs: observed.retryAfterKillMs,
    settledAfterMs: observed.settledAfterMs,
  };
};
