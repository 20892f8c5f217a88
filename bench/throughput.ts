/**
 * Requests per second one route serves locally: `connections` keep-alive connections, each
 * sending its next request as soon as the last is answered, for `durationMs` (autocannon's
 * model, without the dependency). The load runs in a child process of its own, as a load
 * tester would: generating it on the runtime's own event loop would bill the runtime for the
 * client's work and hold its answers behind the client's.
 */
import { fork } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";

export interface Throughput {
  readonly requests: number;
  readonly perSecond: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The load generator's own CPU per request (it shares the machine with the runtime). */
  readonly clientCpuMs: number;
}

interface Load {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly durationMs: number;
}

/**
 * One HTTP/1.1 response's length in `buffer` from `start`, once it has all arrived (undefined
 * until then), and its status. Content-Length or chunked bodies: what a local route answers.
 */
export const completeResponse = (
  buffer: Buffer,
  start: number,
): { readonly end: number; readonly status: number } | undefined => {
  const headEnd = buffer.indexOf("\r\n\r\n", start);
  if (headEnd < 0) return undefined;
  const head = buffer.toString("latin1", start, headEnd);
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length?.[1] !== undefined) {
    const end = headEnd + 4 + Number(length[1]);
    return end <= buffer.length ? { end, status } : undefined;
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) return { end: headEnd + 4, status };
  // Chunked: walk the chunk sizes to the last (zero) one.
  for (let at = headEnd + 4; ; ) {
    const lineEnd = buffer.indexOf("\r\n", at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(buffer.toString("latin1", at, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error("the response has a malformed chunk");
    at = lineEnd + 2 + size + 2;
    if (at > buffer.length) return undefined;
    if (size === 0) return { end: at, status };
  }
};

/**
 * The load itself (in the child process): like autocannon, each connection writes a request
 * serialized once and reads just enough of the answer to know where it ends, so the load
 * generator takes as little as it can of the CPU it shares with the runtime.
 */
const generate = async ({ url, headers, connections, durationMs }: Load): Promise<Throughput> => {
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const target = new URL(url);
  const request = Buffer.from(
    [
      `GET ${target.pathname}${target.search} HTTP/1.1`,
      `host: ${target.host}`,
      "connection: keep-alive",
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      "",
      "",
    ].join("\r\n"),
    "latin1",
  );
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const endAt = started + durationMs;
  const count = (status: string) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  const connection = () =>
    new Promise<void>((resolve) => {
      const socket = connect({ host: target.hostname, port: Number(target.port) });
      socket.setNoDelay(true);
      let pending: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = () => {
        if (performance.now() >= endAt) {
          socket.end();
          return;
        }
        sentAt = performance.now();
        socket.write(request);
      };
      socket.on("connect", send);
      socket.on("data", (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        const answer = completeResponse(pending, 0);
        if (answer === undefined) return;
        latencies.push(performance.now() - sentAt);
        count(String(answer.status));
        pending = pending.subarray(answer.end);
        send();
      });
      socket.on("error", () => count("error"));
      socket.on("close", () => resolve());
    });
  await Promise.all(Array.from({ length: connections }, connection));
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
  return {
    requests: latencies.length,
    perSecond: (latencies.length / elapsed) * 1000,
    statuses,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    clientCpuMs: (cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length),
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
