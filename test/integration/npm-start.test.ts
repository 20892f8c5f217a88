/**
 * `npm start` as a user runs it: a child process on fixed ports with a DATA_DIR, stopped with
 * SIGTERM and started again. Proves the two-command promise, graceful shutdown, that state
 * survives a restart, and that every log line of a request carries its correlation id.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { PROJECT_ROOT } from "../../lib/local/runtime";
import { API_KEYS, searchBody } from "./harness";

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });

interface Started {
  child: ChildProcess;
  output: () => string;
}

const dataDir = mkdtempSync(join(tmpdir(), "aviaframe-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = async (port: number, simPort: number): Promise<Started> => {
  const child = spawn(join(PROJECT_ROOT, "node_modules/.bin/tsx"), ["bin/local.ts"], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DRCT_SIM_PORT: String(simPort),
      DATA_DIR: dataDir,
      POWERTOOLS_LOG_LEVEL: "INFO",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 20_000;
  while (!output.includes("is up")) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, output: () => output };
};

const stop = (started: Started) =>
  new Promise<number | null>((resolve) => {
    started.child.once("exit", (code) => resolve(code));
    started.child.kill("SIGTERM");
  });

test("npm start serves a search, shuts down on SIGTERM and keeps its data in DATA_DIR", async () => {
  const [port, simPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const first = await start(port, simPort);
  expect(first.output()).toContain("local-agency-a-key");

  const health = await fetch(`${url}/health`);
  expect(health.status).toBe(200);
  const search = await fetch(`${url}/public/offers/search`, {
    method: "POST",
    headers: { "x-api-key": API_KEYS.a, "content-type": "application/json", "x-correlation-id": "start-test-1" },
    body: JSON.stringify(searchBody()),
  });
  expect(search.status).toBe(200);
  const logLines = first
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{") && line.includes('"level"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const searchLines = logLines.filter((line) => line.route === "/public/offers/search");
  expect(searchLines.map((line) => line.message)).toContain("request handled");
  for (const line of searchLines) expect(line.correlation_id).toBe("start-test-1");

  expect(await stop(first)).toBe(0);

  const second = await start(port, simPort);
  try {
    const usage = await fetch(`${url}/public/usage`, { headers: { "x-api-key": API_KEYS.a } });
    const body = (await usage.json()) as { totals: { searches: number } };
    expect(body.totals.searches).toBe(1);
  } finally {
    expect(await stop(second)).toBe(0);
  }
}, 60_000);
