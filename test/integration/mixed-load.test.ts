/**
 * 20 s of mixed searches from 3 tenants at 20 requests/s: the gateway never makes DRCT see
 * more than one search in any second, and nothing answers 5xx. DRCT (the simulator) runs in a
 * process of its own, as the real one does: it counts arrivals on its own clock, not in the
 * gateway's busy event loop.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type LocalRuntime, startLocalRuntime } from "../../lib/local/runtime";
import { LOCAL_DRCT_TOKEN, testTenant } from "../../lib/local/seed";
import { freePort, type RunningProcess, startSimulator } from "../../lib/soak/processes";
import { API_KEYS, searchBody, sleep } from "./harness";

let simulator: RunningProcess;
let simulatorUrl = "";
let runtime: LocalRuntime;
beforeAll(async () => {
  const simPort = await freePort();
  simulator = await startSimulator({ ...process.env, DRCT_SIM_PORT: String(simPort) });
  simulatorUrl = `http://127.0.0.1:${simPort}`;
  runtime = await startLocalRuntime({
    port: 0,
    dataDir: ":memory:",
    drctBaseUrl: simulatorUrl,
    drctToken: LOCAL_DRCT_TOKEN,
    extraTenants: [testTenant("load", { plan: "premium" })],
  });
});
afterAll(async () => {
  await runtime?.stop();
  await simulator?.stop("SIGTERM");
});

const search = async (key: string, body: unknown) => {
  const response = await fetch(`${runtime.apiUrl}/public/offers/search`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await response.text();
  return response;
};

/** On failure: the gateway's own record of when it sent its DRCT searches, closest first. */
const closestSends = async (): Promise<string> => {
  const log = await DynamoDBDocumentClient.from(new DynamoDBClient({})).send(
    new ScanCommand({ TableName: process.env.TABLE_DRCT_REQUEST_LOG }),
  );
  const sent = (log.Items ?? [])
    .filter((item) => item.operation === "search")
    .map((item) => Date.parse(String(item.at)) - Number(item.latency_ms ?? 0))
    .sort((a, b) => a - b);
  const gaps = sent.slice(1).map((at, index) => at - (sent[index] ?? at));
  return `the gateway sent ${sent.length} searches; closest gaps (ms): ${[...gaps]
    .sort((a, b) => a - b)
    .slice(0, 5)
    .join(", ")}`;
};

const DURATION_MS = 20_000;
const RATE_PER_S = 20;
// Enough routes that the tenants' caches keep missing and DRCT keeps being asked.
const ROUTES = ["JFK", "CDG", "AMS", "MAD", "FCO", "BCN", "LIS", "DUB", "CPH", "OSL", "ARN", "HEL", "WAW", "PRG"];

test("20 s at 20 req/s from 3 tenants: max 1 DRCT search per second, no violation, no 5xx", async () => {
  const keys = [API_KEYS.a, API_KEYS.b, runtime.apiKeys["agency-load"] ?? ""];
  const statuses = new Map<number, number>();
  const inFlight: Promise<void>[] = [];
  const started = Date.now();
  for (let index = 0; Date.now() - started < DURATION_MS; index += 1) {
    const key = keys[index % keys.length] ?? "";
    const destination = ROUTES[Math.floor(index / 3) % ROUTES.length];
    inFlight.push(
      search(key, searchBody({ destination })).then((response) => {
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }),
    );
    const next = started + ((index + 1) * 1000) / RATE_PER_S;
    await sleep(Math.max(0, next - Date.now()));
  }
  await Promise.all(inFlight);

  const stats = (await (await fetch(`${simulatorUrl}/__sim/stats`)).json()) as {
    calls: { search: number };
    max_search_rps: number;
    rate_limit_violations: number;
  };
  expect(stats.max_search_rps, await closestSends()).toBeLessThanOrEqual(1);
  expect(stats.rate_limit_violations).toBe(0);
  expect(stats.calls.search).toBeGreaterThan(10);
  const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
  expect(total).toBeGreaterThanOrEqual((DURATION_MS / 1000) * RATE_PER_S * 0.9);
  expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
  // Over budget means 429 with Retry-After; the cache and coalescing still answer many with offers.
  expect([...statuses.keys()].sort()).toEqual([200, 429]);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
}, 60_000);
