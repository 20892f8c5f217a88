/**
 * `npm start`: the whole gateway on this machine, no cloud (CONTRACT.md §2).
 */
import { startLocalRuntime } from "../lib/local/runtime";

const port = Number(process.env.PORT ?? 3000);
const simPort = Number(process.env.DRCT_SIM_PORT ?? 4010);
const dataDir = process.env.DATA_DIR ?? ".data";

const runtime = await startLocalRuntime({
  port,
  simPort,
  dataDir,
  drctBaseUrl: process.env.DRCT_BASE_URL || undefined,
  drctToken: process.env.DRCT_TOKEN,
});

const [keyA, keyB] = [runtime.apiKeys["agency-a"], runtime.apiKeys["agency-b"]];
const departure = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
console.log(`Aviaframe gateway (local) is up.

  API            ${runtime.apiUrl}   (OpenAPI: ${runtime.apiUrl}/openapi.json)
  DRCT simulator ${runtime.simulatorUrl ?? process.env.DRCT_BASE_URL}${runtime.simulatorUrl ? `   (stats: ${runtime.simulatorUrl}/__sim/stats)` : ""}
  Data           ${dataDir === ":memory:" ? "in memory" : runtime.dataDir}

  API keys       agency-a: ${keyA}
                 agency-b: ${keyB}

Try:
  curl -s ${runtime.apiUrl}/public/offers/search \\
    -H 'x-api-key: ${keyA}' -H 'content-type: application/json' \\
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
