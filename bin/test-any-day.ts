/**
 * `npm run test:any-day [-- vitest args]`: runs the test suite with the system clock shifted
 * by several day offsets (libfaketime), to prove no test depends on the day it runs.
 *
 *   npm run test:any-day                          # every default offset, whole suite
 *   ANY_DAY_OFFSETS=17,333 npm run test:any-day -- test/integration
 */
import { spawnSync } from "node:child_process";

const DEFAULT_OFFSETS = [0, 1, 2, 3, 17, 45, 100, 200, 333];

const usage = `usage: npm run test:any-day [-- <vitest args>]
  ANY_DAY_OFFSETS  comma-separated day offsets (default ${DEFAULT_OFFSETS.join(",")})
needs faketime (Debian: apt-get install faketime)`;

const parseOffsets = (text: string | undefined): number[] => {
  if (text === undefined || text.trim() === "") return DEFAULT_OFFSETS;
  const offsets = text.split(",").map((part) => Number(part.trim()));
  if (offsets.some((offset) => !Number.isInteger(offset))) throw new Error(`ANY_DAY_OFFSETS: ${text}`);
  return offsets;
};

const main = (): number => {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage);
    return 0;
  }
  if (spawnSync("faketime", ["-f", "+0d", "true"]).status !== 0) {
    console.error(`faketime is not installed: nothing can shift the clock.\n${usage}`);
    return 2;
  }
  const offsets = parseOffsets(process.env.ANY_DAY_OFFSETS);
  const results: { offset: number; ok: boolean; seconds: number }[] = [];
  for (const offset of offsets) {
    const shift = `${offset >= 0 ? "+" : ""}${offset}d`;
    console.log(`\n=== clock ${shift} ===`);
    const started = performance.now();
    const run = spawnSync("faketime", ["-f", shift, "npx", "vitest", "run", ...args], { stdio: "inherit" });
    results.push({ offset, ok: run.status === 0, seconds: Math.round((performance.now() - started) / 1000) });
  }
  console.log("\noffset  result  seconds");
  for (const { offset, ok, seconds } of results) {
    console.log(`${`+${offset}d`.padEnd(8)}${(ok ? "pass" : "FAIL").padEnd(8)}${seconds}`);
  }
  const failed = results.filter((result) => !result.ok).length;
  console.log(
    failed === 0 ? `all ${results.length} clock offsets pass` : `${failed} of ${results.length} clock offsets fail`,
  );
  return failed === 0 ? 0 : 1;
};

process.exitCode = main();
