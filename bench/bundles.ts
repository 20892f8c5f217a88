/**
 * What each Lambda ships and what loading it costs: the minified bundle (the CDK construct's
 * esbuild settings, @aws-sdk/* external as the runtime provides it) and its module init time —
 * a fresh Node process importing the bundle, median of 5 — beside the floor: a module that
 * imports only the DynamoDB client and document client, measured in the same run.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { PROJECT_ROOT } from "../lib/local/runtime";
import { ALL_ROUTES, CONSUMERS, EVENT_FUNCTIONS, TASKS } from "../lib/resources";
import { BUNDLE_BUDGET_KIB, INIT_OVER_FLOOR_BUDGET_MS } from "./budgets";

export interface BundleCost {
  readonly handler: string;
  readonly kib: number;
  readonly initMs: number;
}

const RUNS = 5;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Milliseconds a fresh Node process takes to import the file (median of RUNS). */
const initTime = (file: string): number =>
  median(
    Array.from({ length: RUNS }, () => {
      const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH, AWS_REGION: "eu-central-1" },
        encoding: "utf8",
      });
      return Number(out.trim().split("\n").at(-1));
    }),
  );

export const measureBundles = async (): Promise<{ floorMs: number; bundles: BundleCost[] }> => {
  // Under node_modules, so the bundles' bare imports (@aws-sdk/*) resolve as on Lambda.
  const dir = join(PROJECT_ROOT, "node_modules", ".cache", "aviaframe-bench", String(process.pid));
  mkdirSync(dir, { recursive: true });
  try {
    const floorFile = join(dir, "floor.mjs");
    writeFileSync(
      floorFile,
      [
        'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";',
        'import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";',
        "export const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));",
      ].join("\n"),
    );
    const floorMs = initTime(floorFile);
    const handlers = [
      ...new Set(
        [...ALL_ROUTES, ...Object.values(TASKS), ...Object.values(EVENT_FUNCTIONS), ...Object.values(CONSUMERS)].map(
          (fn) => fn.handler,
        ),
      ),
    ];
    const bundles: BundleCost[] = [];
    for (const handler of handlers) {
      const outfile = join(dir, `${handler.replaceAll("/", "-")}.mjs`);
      await build({
        entryPoints: [join(PROJECT_ROOT, "functions/handlers", `${handler}.ts`)],
        outfile,
        bundle: true,
        minify: true,
        platform: "node",
        format: "esm",
        target: "node22",
        external: ["@aws-sdk/*"],
        // ESM bundles of CommonJS dependencies need `require` (as the CDK construct's banner gives).
        banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
        logLevel: "silent",
      });
      const { size } = await import("node:fs/promises").then((fs) => fs.stat(outfile));
      bundles.push({ handler, kib: size / 1024, initMs: initTime(outfile) });
    }
    return { floorMs, bundles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const bundleTable = (floorMs: number, bundles: readonly BundleCost[]) => {
  const lines = [
    `| function | bundle (KiB) | module init (ms) | init over floor (${floorMs.toFixed(0)} ms) |`,
    "| --- | --- | --- | --- |",
  ];
  const overBudget: string[] = [];
  for (const bundle of [...bundles].sort((a, b) => b.kib - a.kib)) {
    const over = bundle.initMs - floorMs;
    if (bundle.kib > BUNDLE_BUDGET_KIB) overBudget.push(`${bundle.handler}: ${bundle.kib.toFixed(0)} KiB`);
    if (over > INIT_OVER_FLOOR_BUDGET_MS) overBudget.push(`${bundle.handler}: init +${over.toFixed(0)} ms`);
    lines.push(`| ${bundle.handler} | ${bundle.kib.toFixed(0)} | ${bundle.initMs.toFixed(0)} | +${over.toFixed(0)} |`);
  }
  return { table: lines.join("\n"), overBudget };
};
