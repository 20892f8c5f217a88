/**
 * Requests per second one route serves locally: `connections` keep-alive connections, each
 * sending its next request as soon as the last is answered, for `durationMs` (autocannon's
 * model, without the dependency). The load runs in a child process of its own, as a load
 * tester would: generating it on the runtime's own event loop would bill the runtime for the
 * client's work and hold its answers behind the client's.
 */
import { fork } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";

export interface Throughput {
  readonly requests: number;
  readonly perSecond: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface Load {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly durationMs: number;
}

/** The load itself (in the child process). */
const generate = async ({ url, headers, connections, durationMs }: Load): Promise<Throughput> => {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const target = new URL(url);
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = request(
        { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, headers, agent },
        (response) => {
          response.resume();
          response.on("end", () => {
            latencies.push(performance.now() - started);
            const status = String(response.statusCode);
            statuses[status] = (statuses[status] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on("error", () => {
        statuses.error = (statuses.error ?? 0) + 1;
        resolve();
      });
      req.end();
    });
  const started = performance.now();
  const endAt = started + durationMs;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < endAt) await once();
    }),
  );
  const elapsed = performance.now() - started;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
  return {
    requests: latencies.length,
    perSecond: (latencies.length / elapsed) * 1000,
    statuses,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
};

const CHILD_FLAG = "--throughput-load";

export const measureThroughput = (
  url: string,
  headers: Readonly<Record<string, string>>,
  options: { readonly connections?: number; readonly durationMs?: number } = {},
): Promise<Throughput> => {
  const load: Load = {
    url,
    headers,
    connections: options.connections ?? 10,
    durationMs: options.durationMs ?? 5_000,
  };
  // The same module in a child (the parent's execArgv: tsx's loader).
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise<Throughput>((resolve, reject) => {
    child.once("message", (result: Throughput) => {
      child.disconnect();
      resolve(result);
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the load generator exited (code ${code}) without a result`)));
    child.send(load);
  });
};

if (process.argv.includes(CHILD_FLAG)) {
  process.once("message", (load: Load) => {
    void generate(load).then((result) => process.send?.(result));
  });
}
