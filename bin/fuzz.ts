/**
 * `npm run fuzz`: every route of the local gateway with ≥ 1,000 hostile requests each
 * (lib/fuzz), counts by status printed; exits 1 on any 5xx or stack trace.
 * `-- --cases N` changes the number per route, `--seed S` the generator's seed, `--routes a,b`
 * fuzzes only those operations.
 */
import { parseArgs } from "node:util";
import { formatReport, fuzzGateway } from "../lib/fuzz/fuzz";
import { startLocalRuntime } from "../lib/local/runtime";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "1000" },
    seed: { type: "string", default: "42" },
    routes: { type: "string" },
  },
});
const casesPerRoute = Number(values.cases);
const seed = Number(values.seed);
if (!Number.isInteger(casesPerRoute) || casesPerRoute < 1 || !Number.isInteger(seed)) {
  console.error("usage: npm run fuzz -- [--cases N] [--seed S] [--routes operationId,…]");
  process.exit(2);
}

const runtime = await startLocalRuntime({
  port: 0,
  simPort: 0,
  dataDir: ":memory:",
  env: { POWERTOOLS_LOG_LEVEL: "SILENT", CALLBACK_TIMEOUT_MS: "500" },
});
const started = Date.now();
try {
  const report = await fuzzGateway({
    baseUrl: runtime.apiUrl,
    apiKeys: Object.values(runtime.apiKeys),
    casesPerRoute,
    seed,
    ...(values.routes === undefined ? {} : { routes: values.routes.split(",") }),
  });
  console.log(formatReport(report));
  console.log(`in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed})`);
  for (const failure of report.failures.slice(0, 20)) {
    console.log(
      `FAIL ${failure.route} ${failure.status} ${failure.request.method} ${failure.request.path.slice(0, 120)}`,
    );
    console.log(`     ${failure.body.slice(0, 300)}`);
  }
  process.exitCode = report.failures.length === 0 ? 0 : 1;
} finally {
  await runtime.stop();
}
