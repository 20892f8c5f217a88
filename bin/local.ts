/**
 * `npm start`: the whole gateway on this machine, no cloud (CONTRACT.md §2).
 */
import { prettifyStdout } from "../lib/local/pretty-log";
import { startLocalRuntime } from "../lib/local/runtime";
import { SEED_TENANTS } from "../lib/local/seed";

// JSON log lines are the default (as in AWS); LOG_FORMAT=pretty makes them one readable line each.
if (process.env.LOG_FORMAT === "pretty") prettifyStdout();

const port = Number(process.env.PORT ?? 3000);
const simPort = Number(process.env.DRCT_SIM_PORT ?? 4010);
const dataDir = process.env.DATA_DIR ?? ".data";

const runtime = await startLocalRuntime({
  port,
  simPort,
  dataDir,
  drctBaseUrl: process.env.DRCT_BASE_URL || undefined,
  drctToken: process.env.DRCT_TOKEN,
  drctNotificationSecret: process.env.DRCT_NOTIFICATION_SECRET,
});

const departure = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
const tenants = SEED_TENANTS.map(
  (tenant) =>
    `  ${tenant.item.tenant_id.padEnd(13)}  API key ${runtime.apiKeys[tenant.item.tenant_id]}   webhook secret ${tenant.webhookSecret}`,
).join("\n");
console.log(`Aviaframe gateway (local) is up.

  API            ${runtime.apiUrl}
  Reference      ${runtime.apiUrl}/docs   (OpenAPI: ${runtime.apiUrl}/openapi.json)
  Ops console    ${runtime.apiUrl}/ops?ops_key=${runtime.opsKey}
                 (/ops/api/… with header x-ops-key: ${runtime.opsKey}; ${process.env.OPS_KEY ? "from OPS_KEY" : "generated: set OPS_KEY to keep one"})
  DRCT simulator ${runtime.simulatorUrl ?? process.env.DRCT_BASE_URL}${runtime.simulatorUrl ? `   (stats: ${runtime.simulatorUrl}/__sim/stats)` : ""}
  Data           ${dataDir === ":memory:" ? "in memory" : runtime.dataDir}
  Callbacks      ${process.env.CALLBACK_ALLOW_PRIVATE === "true" ? "may go to loopback (CALLBACK_ALLOW_PRIVATE=true)" : "https to public hosts only; CALLBACK_ALLOW_PRIVATE=true lets them reach npm run listen"}
  Logs           ${process.env.LOG_FORMAT === "pretty" ? "pretty (LOG_FORMAT=pretty)" : "JSON lines; LOG_FORMAT=pretty for readable ones"}

Tenants (callbacks are signed with the webhook secret; npm run listen verifies them):
${tenants}

Try:
  curl -s ${runtime.apiUrl}/public/offers/search \\
    -H 'x-api-key: ${runtime.apiKeys["agency-a"]}' -H 'content-type: application/json' \\
    -d '{"origin":"LHR","destination":"JFK","departure_date":"${departure}","passengers":{"adults":1}}'
`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  await runtime.stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
