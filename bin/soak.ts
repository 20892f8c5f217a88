/**
 * `npm run soak [-- --duration-s 300 --kills 10 --rate 1 --settle-s 90 --fault-every-s 2]`:
 * books, issues and duplicates keys against `npm start` while DRCT faults are injected and the
 * gateway is killed (SIGKILL) and restarted; then checks every order against the simulator.
 * Loopback only; exits non-zero when anything was lost, doubled or left unsettled.
 */
import { parseArgs } from "node:util";
import { runSoak, type SoakReport } from "../lib/soak/soak";

const usage = `usage: npm run soak -- [--duration-s N] [--kills N] [--rate N] [--settle-s N] [--fault-every-s N]
  --duration-s     how long to drive (default 300)
  --kills          gateway kills (SIGKILL + restart) spread over it (default 10)
  --rate           order creates per second (default 1)
  --settle-s       how long orders may take to settle afterwards (default 90)
  --fault-every-s  a DRCT fault on order_create or issue this often (default 2)`;

const { values } = parseArgs({
  options: {
    "duration-s": { type: "string", default: "300" },
    kills: { type: "string", default: "10" },
    rate: { type: "string", default: "1" },
    "settle-s": { type: "string", default: "90" },
    "fault-every-s": { type: "string", default: "2" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const number = (name: keyof typeof values): number => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number\n${usage}`);
    process.exit(2);
  }
  return value;
};

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const print = (report: SoakReport) => {
  const settledWell = (report.statuses.BOOKED ?? 0) + (report.statuses.ISSUED ?? 0);
  const rows: [string, string][] = [
    ["creates (distinct keys) / accepted", `${report.creates} / ${report.accepted}`],
    ["duplicate concurrent requests", String(report.duplicateRequests)],
    ["gateway kills (SIGKILL + restart)", String(report.kills)],
    ["DRCT faults injected", JSON.stringify(report.faults)],
    ["final statuses", JSON.stringify(report.statuses)],
    ["FAILED reasons", JSON.stringify(report.failures)],
    [
      "booked or issued / accepted",
      `${settledWell} / ${report.accepted} (${((100 * settledWell) / Math.max(1, report.accepted)).toFixed(1)} %)`,
    ],
    [
      "lost / doubled / mismatched with DRCT / unsettled",
      `${report.lost.length} / ${report.doubled.length} / ${report.mismatched.length} / ${report.unsettled.length}`,
    ],
    ["DRCT bookings / gateway bookings", `${report.drctBookings} / ${report.gatewayBookings}`],
    [
      "retry after a kill answered, after healthy: p50 / p95 / max",
      report.retryAfterKillMs.length === 0
        ? "no request was in flight at a kill"
        : `${percentile(report.retryAfterKillMs, 50)} / ${percentile(report.retryAfterKillMs, 95)} / ${Math.max(...report.retryAfterKillMs)} ms (${report.retryAfterKillMs.length} requests)`,
    ],
    ["every order settled, after the last fault", `${(report.settledAfterMs / 1000).toFixed(1)} s`],
  ];
  for (const [name, value] of rows) console.log(`${name.padEnd(56)} ${value}`);
  for (const problem of [...report.lost, ...report.doubled, ...report.mismatched, ...report.unsettled]) {
    console.log(`  problem: ${problem}`);
  }
};

const report = await runSoak({
  durationMs: number("duration-s") * 1000,
  kills: number("kills"),
  createsPerSecond: number("rate"),
  settleMs: number("settle-s") * 1000,
  faultEveryMs: number("fault-every-s") * 1000,
  log: (line) => console.log(line),
});
print(report);
const broken = report.lost.length + report.doubled.length + report.mismatched.length + report.unsettled.length;
process.exit(broken === 0 && report.drctBookings === report.gatewayBookings ? 0 : 1);
