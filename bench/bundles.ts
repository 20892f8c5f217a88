/**
 * What each Lambda ships and what loading it costs: the minified bundle (built as the CDK
 * construct builds it, lib/cloud/gateway-function.ts: CommonJS, @aws-sdk/* external as the
 * runtime provides it) and its module init time — a fresh Node process loading the bundle as
 * Lambda does (require), median of 5 — beside the floor: a module that imports only the
 * DynamoDB client and document client, measured in the same run, interleaved with the
 * functions, each function compared with the floor runs beside its own (the machine's speed
 * drifts over the minutes the table takes); a function over budget is measured a second
 * round, and is over only if that round is too. The budget is on wall time. Beside it, the same runs' CPU time over the floor's,
 * which a busy machine disturbs far less (wall time is CPU time plus waiting for a core), and
 * over each function's own SDK floor: a module loading exactly the @aws-sdk packages the
 * bundle loads, the same way, so what the bundled code itself costs shows apart from its clients.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { LAMBDA_BUNDLE } from "../lib/cloud/gateway-function";
import { PROJECT_ROOT } from "../lib/local/runtime";
import { ALL_ROUTES, CONSUMERS, EVENT_FUNCTIONS, TASKS } from "../lib/resources";
import { BUNDLE_BUDGET_KIB, INIT_OVER_FLOOR_BUDGET_MS } from "./budgets";

export interface BundleCost {
  readonly handler: string;
  readonly kib: number;
  readonly initMs: number;
  /** The same runs' CPU time, median, beside the floor's. */
  readonly initCpuMs: number;
  /**
   * The floor's wall and CPU time in the runs interleaved with this function's (medians): what
   * it is compared with, since this machine's speed drifts over the minutes the whole table takes.
   */
  readonly pairedFloorMs: number;
  readonly pairedFloorCpuMs: number;
  /** 2: over budget in its first round of runs, measured again (the lower round is kept). */
  readonly rounds: 1 | 2;
  /** The @aws-sdk/* packages the bundle loads with it (dynamic imports, loaded on first use, apart). */
  readonly sdkPackages: readonly string[];
  /** CPU time of loading a module that loads only those packages, as the bundle loads them (median). */
  readonly sdkFloorCpuMs: number;
}

const RUNS = 5;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

interface LoadTime {
  readonly wallMs: number;
  /** CPU time (user + system) the process spent loading it: far less disturbed by a busy machine than wall time. */
  readonly cpuMs: number;
}

/** What a fresh Node process spends loading the file: `import` for the floor (ESM), `require` as Lambda loads a CommonJS handler. */
const loadTime = (file: string, how: "import" | "require"): LoadTime => {
  const load =
    how === "import" ? `await import(${JSON.stringify(pathToFileURL(file).href)})` : `require(${JSON.stringify(file)})`;
  const script = `const t = performance.now(); const u = process.cpuUsage(); ${load}; const d = process.cpuUsage(u); console.log(performance.now() - t, (d.user + d.system) / 1000);`;
  const out = execFileSync(
    process.execPath,
    [`--input-type=${how === "import" ? "module" : "commonjs"}`, "--no-warnings", "-e", script],
    {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, AWS_REGION: "eu-central-1" },
      encoding: "utf8",
    },
  );
  const [wallMs = Number.NaN, cpuMs = Number.NaN] = (out.trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  return { wallMs, cpuMs };
};

const DYNAMODB_CLIENTS = ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb"];

export interface BundleCosts {
  readonly floorMs: number;
  readonly floorCpuMs: number;
  readonly bundles: BundleCost[];
}

export const measureBundles = async (): Promise<BundleCosts> => {
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
    const handlers = [
      ...new Set(
        [...ALL_ROUTES, ...Object.values(TASKS), ...Object.values(EVENT_FUNCTIONS), ...Object.values(CONSUMERS)].map(
          (fn) => fn.handler,
        ),
      ),
    ];
    const built: { handler: string; outfile: string; sdkFloorFile: string; sdkPackages: string[] }[] = [];
    for (const handler of handlers) {
      const name = handler.replaceAll("/", "-");
      const outfile = join(dir, `${name}.cjs`);
      const { metafile } = await build({
        entryPoints: [join(PROJECT_ROOT, "functions/handlers", `${handler}.ts`)],
        outfile,
        bundle: true,
        platform: "node",
        format: LAMBDA_BUNDLE.format,
        target: LAMBDA_BUNDLE.target,
        minify: LAMBDA_BUNDLE.minify,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        external: [...LAMBDA_BUNDLE.external],
        metafile: true,
        logLevel: "silent",
      });
      const loaded = new Set<string>();
      for (const input of Object.values(metafile.inputs)) {
        for (const imported of input.imports) {
          if (imported.external && imported.path.startsWith("@aws-sdk/") && imported.kind !== "dynamic-import") {
            loaded.add(imported.path);
          }
        }
      }
      const sdkPackages = [...loaded].sort();
      const sdkFloorFile = join(dir, `${name}.sdk-floor.cjs`);
      writeFileSync(
        sdkFloorFile,
        [
          ...sdkPackages.map((pkg) => `require(${JSON.stringify(pkg)});`),
          ...(DYNAMODB_CLIENTS.every((pkg) => loaded.has(pkg))
            ? [
                'const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");',
                'const { DynamoDBDocumentClient } = require("@aws-sdk/lib-dynamodb");',
                "exports.client = DynamoDBDocumentClient.from(new DynamoDBClient({}));",
              ]
            : []),
        ].join("\n"),
      );
      built.push({ handler, outfile, sdkFloorFile, sdkPackages });
    }
    // Interleaved, so the floor and the functions see the same load on the machine.
    const floorRuns: LoadTime[] = [];
    const measure = ({ handler, outfile, sdkFloorFile, sdkPackages }: (typeof built)[number]): BundleCost => {
      const initRuns: LoadTime[] = [];
      const sdkFloorRuns: LoadTime[] = [];
      const pairedFloorRuns: LoadTime[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        pairedFloorRuns.push(loadTime(floorFile, "import"));
        initRuns.push(loadTime(outfile, "require"));
        sdkFloorRuns.push(loadTime(sdkFloorFile, "require"));
      }
      floorRuns.push(...pairedFloorRuns);
      return {
        handler,
        kib: statSync(outfile).size / 1024,
        initMs: median(initRuns.map((run) => run.wallMs)),
        initCpuMs: median(initRuns.map((run) => run.cpuMs)),
        pairedFloorMs: median(pairedFloorRuns.map((run) => run.wallMs)),
        pairedFloorCpuMs: median(pairedFloorRuns.map((run) => run.cpuMs)),
        sdkPackages,
        sdkFloorCpuMs: median(sdkFloorRuns.map((run) => run.cpuMs)),
        rounds: 1,
      };
    };
    const bundles = built.map((bundle): BundleCost => {
      const first = measure(bundle);
      if (initOverFloor(first) <= INIT_OVER_FLOOR_BUDGET_MS) return first;
      // A disturbance of a second or two (another process, the machine's drift) can move all
      // five runs of one function: over budget only if a second round says so too.
      const second = measure(bundle);
      return { ...(initOverFloor(second) < initOverFloor(first) ? second : first), rounds: 2 };
    });
    return {
      floorMs: median(floorRuns.map((run) => run.wallMs)),
      floorCpuMs: median(floorRuns.map((run) => run.cpuMs)),
      bundles,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const initOverFloor = (bundle: BundleCost) => bundle.initMs - bundle.pairedFloorMs;

const signed = (ms: number) => `${ms < 0 ? "−" : "+"}${Math.abs(ms).toFixed(0)}`;

export const bundleTable = ({ floorMs, floorCpuMs, bundles }: BundleCosts) => {
  const lines = [
    `| function | bundle (KiB) | module init (ms) | init over floor (median ${floorMs.toFixed(0)} ms) | CPU over floor (median ${floorCpuMs.toFixed(0)} ms) | other @aws-sdk packages it loads | CPU over its SDK floor |`,
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  const overBudget: string[] = [];
  for (const bundle of [...bundles].sort((a, b) => b.kib - a.kib)) {
    const over = initOverFloor(bundle);
    if (bundle.kib > BUNDLE_BUDGET_KIB) overBudget.push(`${bundle.handler}: ${bundle.kib.toFixed(0)} KiB`);
    if (over > INIT_OVER_FLOOR_BUDGET_MS) overBudget.push(`${bundle.handler}: init +${over.toFixed(0)} ms`);
    const others = bundle.sdkPackages
      .filter((pkg) => !DYNAMODB_CLIENTS.includes(pkg))
      .map((pkg) => pkg.replace("@aws-sdk/", "").replace("client-", ""));
    lines.push(
      `| ${bundle.handler} | ${bundle.kib.toFixed(0)} | ${bundle.initMs.toFixed(0)} | ${signed(over)}${bundle.rounds === 2 ? " (2nd round)" : ""} | ${signed(bundle.initCpuMs - bundle.pairedFloorCpuMs)} | ${others.join(", ") || "—"} | ${signed(bundle.initCpuMs - bundle.sdkFloorCpuMs)} |`,
    );
  }
  return { table: lines.join("\n"), overBudget };
};
