/**
 * What the local runtime serves, started as `npm start` starts it (no call recording, in a
 * process of its own: one process runs one local runtime at a time): 10 keep-alive
 * connections on one route. Each route is loaded first until the functions' code is
 * compiled (V8 optimizes the hot paths of every execution environment on its own, on the
 * same two cores: on this machine the runtime's CPU per request keeps falling for 20-40 s of
 * load), that is until two 4-s windows in a row bring the CPU per request no more than 5 %
 * under the best window before; then measured. The first 8 s's own rate is reported too, as
 * what a short load test would see.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startLocalRuntime } from "../lib/local/runtime";
import { testTenant } from "../lib/local/seed";
import { apiSender, bookingCall } from "./aws-calls";
import { measureThroughput } from "./throughput";

const FIRST_MS = 8_000;
const WINDOW_MS = 4_000;
/** A window whose runtime CPU per request is this much under the best so far is still warming up. */
const BETTER = 0.05;
/** Warm once this many windows in a row have not been better. */
const STEADY_WINDOWS = 2;
const MAX_WARM_UP_MS = 60_000;
const MEASURED_MS = 5_000;
const CONNECTIONS = 10;

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** A booked order for the load to read (search, then create, as an agency would). */
const bookedOrder = async (apiUrl: string, apiKey: string): Promise<string> => {
  const send = apiSender(apiUrl, apiKey);
  const departure = new Date(Date.now() + 45 * 86_400_000).toISOString().slice(0, 10);
  const found = await send({
    method: "POST",
    path: "/public/offers/search",
    body: { origin: "VIE", destination: "LIS", departure_date: departure, passengers: { adults: 1 } },
  });
  const offerId = (found.offers as { id: string }[])[0]?.id;
  if (offerId === undefined) throw new Error("the simulator offered nothing to book");
  return String((await send(bookingCall(offerId))).id);
};

type Report = (name: string, value: string) => void;

/**
 * Loads `url` for `durationMs`, with the runtime's CPU per request meanwhile (every thread of
 * this process): steadier than req/s on a shared machine.
 */
const load = async (url: string, headers: Record<string, string>, durationMs: number) => {
  const before = process.cpuUsage();
  const served = await measureThroughput(url, headers, { connections: CONNECTIONS, durationMs });
  const cpu = process.cpuUsage(before);
  return { served, cpuMs: (cpu.user + cpu.system) / 1000 / Math.max(1, served.requests) };
};

const measure = async (report: Report): Promise<void> => {
  const runtime = await startLocalRuntime({
    port: 0,
    simPort: 0,
    dataDir: ":memory:",
    env: { POWERTOOLS_LOG_LEVEL: "SILENT" },
    extraTenants: [testTenant("load", { plan: "premium" })],
  });
  try {
    const apiKey = runtime.apiKeys["agency-load"] ?? "";
    const orderId = await bookedOrder(runtime.apiUrl, apiKey);
    for (const [name, url, headers] of [
      ["GET /health", `${runtime.apiUrl}/health`, {}],
      ["GET /public/orders/{id}", `${runtime.apiUrl}/public/orders/${orderId}`, { "x-api-key": apiKey }],
    ] as const) {
      const first = await load(url, headers, FIRST_MS);
      let warmedMs = FIRST_MS;
      for (let best = first.cpuMs, flat = 0; flat < STEADY_WINDOWS && warmedMs < MAX_WARM_UP_MS; ) {
        const window = await load(url, headers, WINDOW_MS);
        warmedMs += WINDOW_MS;
        flat = window.cpuMs < best * (1 - BETTER) ? 0 : flat + 1;
        best = Math.min(best, window.cpuMs);
      }
      const { served, cpuMs } = await load(url, headers, MEASURED_MS);
      report(
        `local throughput: ${name} (${CONNECTIONS} connections, ${MEASURED_MS / 1000} s, warm)`,
        `${served.perSecond.toFixed(0)} req/s, p50 / p99 ${ms(served.p50Ms)} / ${ms(served.p99Ms)}, ` +
          `runtime CPU ${cpuMs.toFixed(2)} ms/request, load generator ${served.clientCpuMs.toFixed(2)} ms/request, ` +
          `${JSON.stringify(served.statuses)}; steady after ${warmedMs / 1000} s of load; ` +
          `first ${FIRST_MS / 1000} s ${first.served.perSecond.toFixed(0)} req/s`,
      );
    }
  } finally {
    await runtime.stop();
  }
};

const CHILD_FLAG = "--local-throughput";

/** Runs the measurement in a child process (the parent's execArgv: tsx's loader); its rows come back to `report`. */
export const measureLocalThroughput = (report: Report): Promise<void> => {
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  return new Promise<void>((resolve, reject) => {
    child.on("message", (rows: [string, string][]) => {
      for (const row of rows) report(...row);
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`the throughput measurement exited with code ${code}`)),
    );
  });
};

if (process.argv.includes(CHILD_FLAG)) {
  const rows: [string, string][] = [];
  await measure((name, value) => rows.push([name, value]));
  await new Promise<void>((resolve) => process.send?.(rows, () => resolve()));
  process.exit(0);
}
