/**
 * `npm run bench`: supplier protection and gateway overhead, measured against the DRCT
 * simulator in one run on this machine. Figures are ratios and percentiles of this run;
 * compare runs on the same machine only.
 */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ScanCommand as DocScanCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startLocalRuntime } from "../lib/local/runtime";
import { testTenant } from "../lib/local/seed";
import { costTable, invocationLog, measureRequestCosts } from "./aws-calls";
import { bundleTable, measureBundles } from "./bundles";
import { measureLocalThroughput } from "./local-throughput";

/** `npm run bench -- --costs`: only AWS calls, waves, bundles and init times (a minute, not several). */
const costsOnly = process.argv.includes("--costs");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

const tenants = [
  ...Array.from({ length: 8 }, (_, index) => testTenant(`bench${index}`, { plan: "premium" })),
  testTenant("heavy", { plan: "standard" }),
  testTenant("light", { plan: "premium" }),
  testTenant("twin1", { plan: "premium" }),
  testTenant("twin2", { plan: "premium" }),
];
const invocations = invocationLog();
const runtime = await startLocalRuntime({
  port: 0,
  simPort: 0,
  dataDir: ":memory:",
  env: { POWERTOOLS_LOG_LEVEL: "SILENT" },
  extraTenants: tenants,
  onInvoked: invocations.listener,
});
const keyOf = (tenantId: string) => runtime.apiKeys[tenantId] ?? "";
/** Reads the DRCT request log (the runtime has set the endpoint and table names by now). */
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const search = async (key: string, destination: string, origin = "LHR") => {
  const started = performance.now();
  const response = await fetch(`${runtime.apiUrl}/public/offers/search`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: JSON.stringify({ origin, destination, departure_date: day(40), passengers: { adults: 1 } }),
  });
  await response.text();
  return {
    status: response.status,
    ms: performance.now() - started,
    cache: response.headers.get("x-cache"),
    correlationId: response.headers.get("x-correlation-id") ?? "",
  };
};
const simStats = async () =>
  (await (await fetch(`${runtime.simulatorUrl}/__sim/stats`)).json()) as {
    calls: { search: number };
    max_search_rps: number;
    rate_limit_violations: number;
  };

const rows: [string, string][] = [];
const report = (name: string, value: string) => {
  rows.push([name, value]);
  console.log(`${name.padEnd(64)} ${value}`);
};

interface Flooder {
  readonly tenantId: string;
  readonly perSecond: number;
}
interface FloodScenario {
  readonly name: string;
  readonly flooders: readonly Flooder[];
  /** A tenant searching at a steady pace meanwhile; the scenario lasts until it is done. */
  readonly steady?: { readonly tenantId: string; readonly everyMs: number; readonly count: number };
  readonly durationMs?: number;
}
interface TenantFigures {
  answered: number;
  refused: number;
  /** Any other status, by status. */
  other: Record<number, number>;
  latencies: number[];
}

/** DRCT searches made for each tenant since `since` (ISO), from the DRCT request log. */
const slotsByTenant = async (since: string): Promise<Map<string, number>> => {
  const log = await documents.send(new DocScanCommand({ TableName: process.env.TABLE_DRCT_REQUEST_LOG }));
  const slots = new Map<string, number>();
  for (const item of log.Items ?? []) {
    if (item.operation !== "search" || String(item.at ?? "") < since) continue;
    slots.set(String(item.tenant_id), (slots.get(String(item.tenant_id)) ?? 0) + 1);
  }
  return slots;
};

/** Tenants flood cache-missing searches (each its own routes) while one searches steadily; per-tenant figures. */
const floodScenario = async (scenario: FloodScenario) => {
  await sleep(2_500);
  const since = new Date().toISOString();
  const before = await simStats();
  const figures = new Map<string, TenantFigures>();
  const record = (tenantId: string, result: { status: number; ms: number }) => {
    const entry = figures.get(tenantId) ?? { answered: 0, refused: 0, other: {}, latencies: [] };
    if (result.status === 200) {
      entry.answered += 1;
      entry.latencies.push(result.ms);
    } else if (result.status === 429) entry.refused += 1;
    else entry.other[result.status] = (entry.other[result.status] ?? 0) + 1;
    figures.set(tenantId, entry);
  };
  let flooding = true;
  const floods = scenario.flooders.map(async (flooder, flooderIndex) => {
    const inFlight: Promise<void>[] = [];
    for (let index = 0; flooding; index += 1) {
      // P→Q routes: no scenario airport, and a new route for every search so none is cached.
      const destination = `Q${String.fromCharCode(65 + flooderIndex)}${String.fromCharCode(65 + (index % 26))}`;
      const origin = `P${String.fromCharCode(65 + (Math.floor(index / 26) % 26))}A`;
      inFlight.push(
        search(keyOf(scenario.flooders[flooderIndex]?.tenantId ?? ""), destination, origin).then((result) => {
          record(flooder.tenantId, result);
        }),
      );
      await sleep(1000 / flooder.perSecond);
    }
    await Promise.all(inFlight);
  });
  if (scenario.steady !== undefined) {
    const { tenantId, everyMs, count } = scenario.steady;
    for (let index = 0; index < count; index += 1) {
      await sleep(everyMs);
      record(tenantId, await search(keyOf(tenantId), `R${String.fromCharCode(65 + (index % 26))}Z`, "QQQ"));
    }
  } else await sleep(scenario.durationMs ?? 10_000);
  flooding = false;
  await Promise.all(floods);
  const after = await simStats();
  const slots = await slotsByTenant(since);
  const tenantIds = [
    ...scenario.flooders.map((flooder) => flooder.tenantId),
    ...(scenario.steady ? [scenario.steady.tenantId] : []),
  ];
  const contended = tenantIds.reduce((sum, tenantId) => sum + (slots.get(tenantId) ?? 0), 0);
  for (const tenantId of tenantIds) {
    const entry = figures.get(tenantId) ?? { answered: 0, refused: 0, other: {}, latencies: [] };
    const others = Object.values(entry.other).reduce((sum, count) => sum + count, 0);
    const total = entry.answered + entry.refused + others;
    report(
      `${scenario.name}: ${tenantId}`,
      `answered ${entry.answered}/${total} (${((100 * entry.answered) / Math.max(1, total)).toFixed(0)} %), ` +
        `429 ${entry.refused}, other ${JSON.stringify(entry.other)}, p50/p95 ${ms(percentile(entry.latencies, 50))} / ${ms(percentile(entry.latencies, 95))}, ` +
        `DRCT slots ${slots.get(tenantId) ?? 0} (${((100 * (slots.get(tenantId) ?? 0)) / Math.max(1, contended)).toFixed(0)} %)`,
    );
  }
  report(
    `${scenario.name}: DRCT searches / max in any 1 s / violations`,
    `${after.calls.search - before.calls.search} / ${after.max_search_rps} / ${after.rate_limit_violations - before.rate_limit_violations}`,
  );
  const steadyFigures = scenario.steady ? figures.get(scenario.steady.tenantId) : undefined;
  return {
    steadyShare: steadyFigures
      ? `${steadyFigures.answered} / ${scenario.steady?.count} (p95 ${ms(percentile(steadyFigures.latencies, 95))})`
      : "",
    slotShares: tenantIds
      .map((tenantId) => `${tenantId} ${((100 * (slots.get(tenantId) ?? 0)) / Math.max(1, contended)).toFixed(0)} %`)
      .join(", "),
  };
};

const requestCosts = async () => {
  // What each request waits on in Lambda: AWS calls and their sequential waves, per request.
  const costs = costTable(await measureRequestCosts(runtime, invocations, keyOf("agency-bench7"), day(60)));
  console.log(`\n${costs.table}\n`);
  report("requests over their wave budget (bench/budgets.ts)", costs.overBudget.join("; ") || "none");
};

/**
 * What each Lambda ships and its module init time beside the SDK-only floor, then local
 * throughput on a runtime of its own: both once this runtime is stopped, so that nothing else
 * (its pollers, a scheduled sweep) runs beside them.
 */
const measuredAlone = async () => {
  await runtime.stop();
  const shipped = bundleTable(await measureBundles());
  console.log(`\n${shipped.table}\n`);
  report("functions over their bundle or init budget", shipped.overBudget.join("; ") || "none");
  await measureLocalThroughput(report);
};

try {
  await requestCosts();
  if (costsOnly) {
    await measuredAlone();
    process.exit(0);
  }
  // 1. Burst of identical searches from 10 tenants.
  const burstKeys = ["agency-a", "agency-b", ...tenants.slice(0, 8).map((tenant) => tenant.item.tenant_id)].map(keyOf);
  const burst = await Promise.all(
    Array.from({ length: 100 }, (_, index) => search(burstKeys[index % 10] ?? "", "NRT", "FRA")),
  );
  const afterBurst = await simStats();
  report(
    "burst: DRCT search calls ÷ searches requested (100 from 10 tenants)",
    `${afterBurst.calls.search} ÷ 100 = ${(afterBurst.calls.search / 100).toFixed(2)}`,
  );
  report("burst: answered 200", `${burst.filter((result) => result.status === 200).length} / 100`);
  report(
    "burst: p50 / p95 latency",
    `${ms(
      percentile(
        burst.map((r) => r.ms),
        50,
      ),
    )} / ${ms(
      percentile(
        burst.map((r) => r.ms),
        95,
      ),
    )}`,
  );

  // 2. Gateway overhead over DRCT's own latency (from the DRCT request log), cache miss and hit.
  const misses: { ms: number; correlationId: string }[] = [];
  for (const destination of ["JFK", "BOS", "ORD", "MIA", "ATL", "DEN", "IAD", "PHL", "DFW", "SEA"]) {
    await sleep(1_150);
    const result = await search(keyOf("agency-bench0"), destination);
    if (result.status === 200 && result.cache === "MISS") misses.push(result);
  }
  const log = await documents.send(new DocScanCommand({ TableName: process.env.TABLE_DRCT_REQUEST_LOG }));
  const drctLatency = new Map((log.Items ?? []).map((item) => [String(item.correlation_id), Number(item.latency_ms)]));
  const missOverhead = misses.map((miss) => miss.ms - (drctLatency.get(miss.correlationId) ?? 0));
  const drctMs = misses.map((miss) => drctLatency.get(miss.correlationId) ?? 0);
  const hits: number[] = [];
  for (let index = 0; index < 60; index += 1) {
    const result = await search(keyOf("agency-bench0"), "JFK");
    if (result.cache === "HIT") hits.push(result.ms);
  }
  report("miss: DRCT (simulator) p50 / p95", `${ms(percentile(drctMs, 50))} / ${ms(percentile(drctMs, 95))}`);
  report(
    "miss: gateway overhead over DRCT p50 / p95",
    `${ms(percentile(missOverhead, 50))} / ${ms(percentile(missOverhead, 95))}`,
  );
  report("hit: gateway latency p50 / p95 (no DRCT call)", `${ms(percentile(hits, 50))} / ${ms(percentile(hits, 95))}`);
  report(
    "hit p50 ÷ miss p50 (whole request)",
    (
      percentile(hits, 50) /
      percentile(
        misses.map((m) => m.ms),
        50,
      )
    ).toFixed(2),
  );

  // 3. Fair shares of DRCT's one search per second: a light tenant while a heavy one floods,
  // then two equal heavy tenants competing for the same slots.
  const light = await floodScenario({
    name: "flood 1",
    flooders: [{ tenantId: "agency-heavy", perSecond: 30 }],
    steady: { tenantId: "agency-light", everyMs: 2_000, count: 20 },
  });
  report("flood 1 (heavy standard tenant 30/s, light premium every 2 s): light answered", light.steadyShare);
  const equal = await floodScenario({
    name: "flood 2",
    flooders: [
      { tenantId: "agency-twin1", perSecond: 10 },
      { tenantId: "agency-twin2", perSecond: 10 },
    ],
    durationMs: 20_000,
  });
  report("flood 2 (two equal premium tenants, 10/s each): slot shares", equal.slotShares);

  // 4. Order create: the gateway's overhead over DRCT's own order_create latency (request log).
  const orderTimes: { ms: number; correlationId: string }[] = [];
  for (const [index, destination] of ["LIS", "OPO", "FAO", "MAD", "BCN", "AGP", "PMI", "SVQ"].entries()) {
    await sleep(1_150);
    const found = await fetch(`${runtime.apiUrl}/public/offers/search`, {
      method: "POST",
      headers: { "x-api-key": keyOf("agency-bench1"), "content-type": "application/json" },
      body: JSON.stringify({ origin: "MUC", destination, departure_date: day(50), passengers: { adults: 1 } }),
    });
    const offerId = ((await found.json()) as { offers: { id: string }[] }).offers[0]?.id ?? "";
    await fetch(`${runtime.apiUrl}/public/offers/${offerId}/price`, {
      method: "PATCH",
      headers: { "x-api-key": keyOf("agency-bench1") },
    });
    const started = performance.now();
    const created = await fetch(`${runtime.apiUrl}/public/orders`, {
      method: "POST",
      headers: {
        "x-api-key": keyOf("agency-bench1"),
        "content-type": "application/json",
        "idempotency-key": `bench-${index}-${Date.now()}`,
      },
      body: JSON.stringify({
        offer_id: offerId,
        passengers: [
          { type: "adult", given_name: "Bench", family_name: "Mark", birth_date: "1980-01-01", gender: "male" },
        ],
        contact: { email: "bench@example.com", phone: "+4930123456" },
      }),
    });
    await created.text();
    if (created.status === 201)
      orderTimes.push({
        ms: performance.now() - started,
        correlationId: created.headers.get("x-correlation-id") ?? "",
      });
  }
  const orderLog = await documents.send(new DocScanCommand({ TableName: process.env.TABLE_DRCT_REQUEST_LOG }));
  const createLatency = new Map(
    (orderLog.Items ?? [])
      .filter((item) => item.operation === "order_create")
      .map((item) => [String(item.correlation_id), Number(item.latency_ms)]),
  );
  const orderOverhead = orderTimes.map((order) => order.ms - (createLatency.get(order.correlationId) ?? 0));
  report("order create: answered 201 BOOKED", `${orderTimes.length} / 8`);
  report(
    "order create: gateway overhead over DRCT p50 / p95",
    `${ms(percentile(orderOverhead, 50))} / ${ms(percentile(orderOverhead, 95))}`,
  );

  const final = await simStats();
  report("whole run: max DRCT searches in any 1 s window", String(final.max_search_rps));
  report("whole run: DRCT rate-limit violations", String(final.rate_limit_violations));
  await measuredAlone();
} finally {
  await runtime.stop();
}
