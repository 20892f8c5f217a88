/**
 * `npm start` as a user runs it: a child process on fixed ports with a DATA_DIR, stopped with
 * SIGTERM and started again. Proves the two-command promise, graceful shutdown, that state
 * survives a restart, and that every log line of a request carries its correlation id.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { SEED_TENANTS } from "../../lib/local/seed";
import { API_KEYS, searchBody } from "./harness";
import { freePort, startGateway } from "./processes";

const dataDir = mkdtempSync(join(tmpdir(), "aviaframe-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = (port: number, simPort: number, env: Record<string, string> = {}) =>
  startGateway({
    ...process.env,
    PORT: String(port),
    DRCT_SIM_PORT: String(simPort),
    DATA_DIR: dataDir,
    POWERTOOLS_LOG_LEVEL: "INFO",
    ...env,
  });

test("npm start serves a search, shuts down on SIGTERM and keeps its data in DATA_DIR", async () => {
  const [port, simPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const first = await start(port, simPort);
  expect(first.output()).toContain("local-agency-a-key");
  // The seeded agencies' webhook secrets, so a local receiver can verify their callbacks.
  for (const tenant of SEED_TENANTS) expect(first.output()).toContain(tenant.webhookSecret);

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

  expect(await first.stop("SIGTERM")).toBe(0);

  // Started again, with readable logs this time.
  const second = await start(port, simPort, { LOG_FORMAT: "pretty" });
  try {
    const usage = await fetch(`${url}/public/usage`, {
      headers: { "x-api-key": API_KEYS.a, "x-correlation-id": "start-test-2" },
    });
    const body = (await usage.json()) as { totals: { searches: number } };
    expect(body.totals.searches).toBe(1);
    const lines = second.output().split("\n");
    expect(lines.filter((line) => line.startsWith("{"))).toEqual([]);
    expect(lines).toContainEqual(
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} INFO +request handled .*tenant_id=agency-a.*status=200/),
    );
  } finally {
    expect(await second.stop("SIGTERM")).toBe(0);
  }
}, 60_000);
