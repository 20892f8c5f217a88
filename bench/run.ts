/**
 * `npm run bench`: supplier protection and gateway overhead, measured against the DRCT
 * simulator in one run on this machine. Figures are ratios and percentiles of this run;
 * compare runs on the same machine only.
 */

import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ScanCommand as DocScanCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { build } from "esbuild";
import { PROJECT_ROOT, startLocalRuntime } from "../lib/local/runtime";
import { testTenant } from "../lib/local/seed";
import { ROUTES } from "../lib/resources";

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
];
const runtime = await startLocalRuntime({
  port: 0,
  simPort: 0,
  dataDir: ":memory:",
  env: { POWERTOOLS_LOG_LEVEL: "SILENT" },
  extraTenants: tenants,
});
const keyOf = (tenantId: string) => runtime.apiKeys[tenantId] ?? "";

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

try {
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
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
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

  // 3. A light tenant's wait while a heavy tenant floods with cache-missing searches.
  const lightAlone: number[] = [];
  for (let index = 0; index < 3; index += 1) {
    await sleep(2_200);
    lightAlone.push((await search(keyOf("agency-light"), ["CPT", "JNB", "NBO", "ADD", "LOS"][index] ?? "CPT")).ms);
  }
  const floodStatuses = new Map<number, number>();
  let flooding = true;
  const flood = (async () => {
    const inFlight: Promise<void>[] = [];
    for (let index = 0; flooding; index += 1) {
      inFlight.push(
        search(
          keyOf("agency-heavy"),
          `X${String.fromCharCode(65 + (index % 26))}${String.fromCharCode(65 + (Math.floor(index / 26) % 26))}`,
        ).then((result) => {
          floodStatuses.set(result.status, (floodStatuses.get(result.status) ?? 0) + 1);
        }),
      );
      await sleep(1000 / 30);
    }
    await Promise.all(inFlight);
  })();
  const lightUnderFlood: { ms: number; status: number }[] = [];
  for (let index = 0; index < 8; index += 1) {
    await sleep(2_200);
    lightUnderFlood.push(
      await search(keyOf("agency-light"), ["GRU", "EZE", "SCL", "LIM", "BOG", "MEX", "CUN", "PTY"][index] ?? "GRU"),
    );
  }
  flooding = false;
  await flood;
  const lightOk = lightUnderFlood.filter((result) => result.status === 200);
  report("flood: heavy tenant statuses (30 req/s)", JSON.stringify(Object.fromEntries(floodStatuses)));
  report("flood: light tenant (0.45 searches/s) answered 200", `${lightOk.length} / ${lightUnderFlood.length}`);
  report(
    "flood: light p95 under flood ÷ light p95 alone",
    `${ms(
      percentile(
        lightOk.map((r) => r.ms),
        95,
      ),
    )} ÷ ${ms(percentile(lightAlone, 95))} = ${(
      percentile(
        lightOk.map((r) => r.ms),
        95,
      ) / percentile(lightAlone, 95)
    ).toFixed(2)}`,
  );

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

  // 5. What each Lambda ships (the same esbuild settings as the CDK construct).
  for (const route of ROUTES) {
    const result = await build({
      entryPoints: [join(PROJECT_ROOT, "functions/handlers", `${route.handler}.ts`)],
      bundle: true,
      minify: true,
      platform: "node",
      format: "esm",
      target: "node22",
      external: ["@aws-sdk/*"],
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const bytes = result.outputFiles.reduce((sum, file) => sum + file.contents.byteLength, 0);
    report(`bundle: ${route.operationId}`, `${(bytes / 1024).toFixed(0)} KiB`);
  }
} finally {
  await runtime.stop();
}
