/**
 * Requests per second one route serves locally: `connections` keep-alive connections, each
 * sending its next request as soon as the last is answered, for `durationMs` (autocannon's
 * model, without the dependency). The load runs in this process, on the same cores.
 */
import { Agent, request } from "node:http";

export interface Throughput {
  readonly requests: number;
  readonly perSecond: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export const measureThroughput = async (
  url: string,
  headers: Readonly<Record<string, string>>,
  options: { readonly connections?: number; readonly durationMs?: number } = {},
): Promise<Throughput> => {
  const connections = options.connections ?? 10;
  const durationMs = options.durationMs ?? 5_000;
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
