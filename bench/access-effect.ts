/**
 * `npx tsx bench/access-effect.ts`: how long after an operator's change (answered by /ops/api)
 * a warm function acts on it — an allowlist edit, a suspension, a key revoked — and what a
 * request with the access check costs. Polls every 50 ms; figures are this machine's.
 */
import { startLocalRuntime } from "../lib/local/runtime";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const runtime = await startLocalRuntime({
  port: 0,
  simPort: 0,
  dataDir: ":memory:",
  env: { POWERTOOLS_LOG_LEVEL: "ERROR" },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN);
};

const ops = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const response = await fetch(`${runtime.apiUrl}/ops/api${path}`, {
    method,
    headers: { "x-ops-key": runtime.opsKey, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as T;
};
const usage = async (key: string) =>
  (await fetch(`${runtime.apiUrl}/public/usage`, { headers: { "x-api-key": key } })).status;
/** Milliseconds from now until the key's request answers `status`. */
const untilStatus = async (key: string, status: number): Promise<number> => {
  const started = Date.now();
  while ((await usage(key)) !== status) await sleep(50);
  return Date.now() - started;
};

try {
  const effect: Record<"allowlist" | "suspend" | "revoke", number[]> = { allowlist: [], suspend: [], revoke: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const id = `agency-bench-${round}`;
    const tenant = await ops<{ api_key: string; key_id: string }>("POST", "/tenants", {
      tenant_id: id,
      plan: "standard",
      markup: { type: "percent", basis_points: 0 },
    });
    await untilStatus(tenant.api_key, 200);
    await ops("PATCH", `/tenants/${id}`, { ip_allowlist: ["10.0.0.0/8"] });
    effect.allowlist.push(await untilStatus(tenant.api_key, 403));
    await ops("PATCH", `/tenants/${id}`, { ip_allowlist: [], status: "suspended" });
    effect.suspend.push(await untilStatus(tenant.api_key, 401));
    await ops("PATCH", `/tenants/${id}`, { status: "active" });
    await untilStatus(tenant.api_key, 200);
    await ops("DELETE", `/tenants/${id}/keys/${tenant.key_id}`);
    effect.revoke.push(await untilStatus(tenant.api_key, 401));
  }
  const latencies: number[] = [];
  for (let index = 0; index < 40; index += 1) {
    const started = performance.now();
    await usage("local-agency-a-key");
    latencies.push(performance.now() - started);
  }
  console.log(
    JSON.stringify(
      {
        effect_ms: Object.fromEntries(
          Object.entries(effect).map(([change, values]) => [
            change,
            { p50: percentile(values, 50), max: Math.max(...values) },
          ]),
        ),
        warm_get_usage_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
      },
      null,
      2,
    ),
  );
} finally {
  await runtime.stop();
}
