/**
 * 30 s of mixed searches from 3 tenants at 20 requests/s: the gateway never makes DRCT see
 * more than one search in any second, and nothing answers 5xx.
 */
import { expect, test } from "vitest";
import { testTenant } from "../../lib/local/seed";
import { API_KEYS, searchBody, sleep, useLocalRuntime } from "./harness";

const api = useLocalRuntime({ extraTenants: [testTenant("load", { plan: "premium" })] });

const DURATION_MS = 30_000;
const RATE_PER_S = 20;
// Enough routes that the tenants' caches keep missing and DRCT keeps being asked.
const ROUTES = ["JFK", "CDG", "AMS", "MAD", "FCO", "BCN", "LIS", "DUB", "CPH", "OSL", "ARN", "HEL", "WAW", "PRG"];

test("30 s at 20 req/s from 3 tenants: max 1 DRCT search per second, no violation, no 5xx", async () => {
  const keys = [API_KEYS.a, API_KEYS.b, api.runtime.apiKeys["agency-load"] ?? ""];
  const statuses = new Map<number, number>();
  const inFlight: Promise<void>[] = [];
  const started = Date.now();
  for (let index = 0; Date.now() - started < DURATION_MS; index += 1) {
    const key = keys[index % keys.length] ?? "";
    const destination = ROUTES[Math.floor(index / 3) % ROUTES.length];
    inFlight.push(
      api.call("/public/offers/search", { key, body: searchBody({ destination }) }).then((response) => {
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }),
    );
    const next = started + ((index + 1) * 1000) / RATE_PER_S;
    await sleep(Math.max(0, next - Date.now()));
  }
  await Promise.all(inFlight);

  const stats = await api.sim<{ calls: { search: number }; max_search_rps: number; rate_limit_violations: number }>(
    "/__sim/stats",
  );
  expect(stats.max_search_rps).toBeLessThanOrEqual(1);
  expect(stats.rate_limit_violations).toBe(0);
  expect(stats.calls.search).toBeGreaterThan(10);
  const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
  expect(total).toBeGreaterThanOrEqual((DURATION_MS / 1000) * RATE_PER_S * 0.9);
  expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
  // Over budget means 429 with Retry-After; the cache and coalescing still answer many with offers.
  expect([...statuses.keys()].sort()).toEqual([200, 429]);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
}, 60_000);
