import { validationError } from "../domain/errors";
import { USAGE_METRICS, type UsageCounts, type UsageMeter } from "./ports";

/** A billing period longer than this is asked for in pieces. */
export const MAX_USAGE_DAYS = 366;

export interface UsageReport {
  readonly tenant_id: string;
  readonly from: string;
  readonly to: string;
  readonly totals: UsageCounts;
  readonly days: { readonly date: string; readonly counts: UsageCounts }[];
}

const DAY_MS = 86_400_000;

export const getUsage = async (
  meter: UsageMeter,
  tenantId: string,
  period: { from?: string; to?: string },
  now: Date,
): Promise<UsageReport> => {
  const to = period.to ?? now.toISOString().slice(0, 10);
  const from = period.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
  const spanDays = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (spanDays < 1 || spanDays > MAX_USAGE_DAYS) {
    throw validationError([
      { path: "from", message: `must be on or before to, at most ${MAX_USAGE_DAYS} days earlier` },
    ]);
  }
  const days = await meter.read(tenantId, from, to);
  const totals = Object.fromEntries(
    USAGE_METRICS.map((metric) => [metric, days.reduce((sum, day) => sum + day.counts[metric], 0)]),
  ) as UsageCounts;
  return { tenant_id: tenantId, from, to, totals, days: days.map((day) => ({ date: day.day, counts: day.counts })) };
};
