import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import { AvfError } from "../../../functions/domain/errors";
import { getUsage, MAX_USAGE_DAYS } from "../../../functions/use-cases/get-usage";
import { USAGE_METRICS, type UsageCounts, type UsageMetric } from "../../../functions/use-cases/ports";
import { FakeUsageMeter, rejectionOf, T0 } from "./fakes";

let meter: FakeUsageMeter;

beforeEach(() => {
  meter = new FakeUsageMeter();
});

/** 2031-03-10T08:00:00Z. */
const NOW = new Date(T0);
const ZERO: UsageCounts = { searches: 0, prices: 0, orders: 0, issues: 0, changes: 0 };

const record = async (tenantId: string, metric: UsageMetric, at: string, times = 1): Promise<void> => {
  for (let count = 0; count < times; count += 1) await meter.record(tenantId, metric, new Date(at));
};

const usage = (period: { from?: string; to?: string }, now: Date = NOW) => getUsage(meter, "tenant-a", period, now);

describe("getUsage", () => {
  test("by default it reports the 30 days up to today (UTC), today included", async () => {
    const report = await usage({});

    expect(report).toEqual({ tenant_id: "tenant-a", from: "2031-02-09", to: "2031-03-10", totals: ZERO, days: [] });
    expect(meter.reads).toEqual([{ tenantId: "tenant-a", fromDay: "2031-02-09", toDay: "2031-03-10" }]);
  });

  test("each day with usage is reported with its counts, and the totals add them up", async () => {
    await record("tenant-a", "searches", "2031-03-01T10:00:00Z", 2);
    await record("tenant-a", "prices", "2031-03-01T23:59:59Z");
    await record("tenant-a", "orders", "2031-03-05T00:00:00Z");
    await record("tenant-a", "issues", "2031-03-05T12:00:00Z", 3);
    await record("tenant-a", "changes", "2031-03-05T13:00:00Z");

    const report = await usage({});

    expect(report.days).toEqual([
      { date: "2031-03-01", counts: { searches: 2, prices: 1, orders: 0, issues: 0, changes: 0 } },
      { date: "2031-03-05", counts: { searches: 0, prices: 0, orders: 1, issues: 3, changes: 1 } },
    ]);
    expect(report.totals).toEqual({ searches: 2, prices: 1, orders: 1, issues: 3, changes: 1 });
  });

  test("another tenant's usage is not in the report", async () => {
    await record("tenant-b", "searches", "2031-03-01T10:00:00Z", 5);
    await record("tenant-a", "searches", "2031-03-01T10:00:00Z");

    const report = await usage({});

    expect(report.tenant_id).toBe("tenant-a");
    expect(report.totals.searches).toBe(1);
    expect(meter.reads.map((read) => read.tenantId)).toEqual(["tenant-a"]);
  });

  test("a period asked for is read as given, both days included", async () => {
    await record("tenant-a", "orders", "2031-01-09T23:59:59Z");
    await record("tenant-a", "orders", "2031-01-10T00:00:00Z");
    await record("tenant-a", "orders", "2031-01-20T23:59:59Z");
    await record("tenant-a", "orders", "2031-01-21T00:00:00Z");

    const report = await usage({ from: "2031-01-10", to: "2031-01-20" });

    expect([report.from, report.to]).toEqual(["2031-01-10", "2031-01-20"]);
    expect(meter.reads).toEqual([{ tenantId: "tenant-a", fromDay: "2031-01-10", toDay: "2031-01-20" }]);
    expect(report.totals.orders).toBe(2);
  });

  test("only `to` given: the 30 days up to it", async () => {
    expect(await usage({ to: "2031-03-01" })).toMatchObject({ from: "2031-01-31", to: "2031-03-01" });
  });

  test("only `to` given in a leap year: February's 29th day counts", async () => {
    expect(await usage({ to: "2032-03-01" })).toMatchObject({ from: "2032-02-01", to: "2032-03-01" });
  });

  test("only `from` given: up to today", async () => {
    expect(await usage({ from: "2031-01-01" })).toMatchObject({ from: "2031-01-01", to: "2031-03-10" });
  });

  test.each([
    ["2031-03-10T23:59:59.999Z", "2031-03-10"],
    ["2031-03-11T00:00:00.000Z", "2031-03-11"],
  ])("today is the UTC day of now: at %s it is %s", async (now, today) => {
    expect((await usage({}, new Date(now))).to).toBe(today);
  });

  test("a period of one day is allowed", async () => {
    expect(await usage({ from: "2031-03-10", to: "2031-03-10" })).toMatchObject({ from: "2031-03-10" });
  });

  test(`a period of exactly ${MAX_USAGE_DAYS} days is allowed`, async () => {
    expect(MAX_USAGE_DAYS).toBe(366);
    expect((await usage({ from: "2031-01-01", to: "2032-01-01" })).from).toBe("2031-01-01");
    expect((await usage({ from: "2032-01-01", to: "2032-12-31" })).to).toBe("2032-12-31");
  });

  test.each([
    ["ends before it starts", { from: "2031-03-11", to: "2031-03-10" }],
    ["starts after today, with no end", { from: "2031-03-11" }],
    ["is one day longer than allowed", { from: "2031-01-01", to: "2032-01-02" }],
    ["is one day longer than allowed in a leap year", { from: "2032-01-01", to: "2033-01-01" }],
  ])("a period that %s is AVF_400_VALIDATION on `from`, and nothing is read", async (_, period) => {
    const error = await rejectionOf(usage(period));

    expect(error).toBeInstanceOf(AvfError);
    expect((error as AvfError).code).toBe("AVF_400_VALIDATION");
    expect((error as AvfError).details).toEqual({
      issues: [{ path: "from", message: "must be on or before to, at most 366 days earlier" }],
    });
    expect(meter.reads).toEqual([]);
  });

  test("property: the totals are what was recorded for the tenant within the period, per metric", async () => {
    const DAY_MS = 86_400_000;
    const recordArb = fc.record({
      tenant: fc.constantFrom("tenant-a", "tenant-b"),
      metric: fc.constantFrom(...USAGE_METRICS),
      // Up to 40 days before NOW, so some fall outside the default 30-day period.
      agoMs: fc.integer({ min: 0, max: 40 * DAY_MS }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { maxLength: 60 }), async (records) => {
        meter = new FakeUsageMeter();
        for (const entry of records)
          await meter.record(entry.tenant, entry.metric, new Date(NOW.getTime() - entry.agoMs));

        const report = await usage({});

        const counted = records.filter(
          (entry) =>
            entry.tenant === "tenant-a" &&
            new Date(NOW.getTime() - entry.agoMs).toISOString().slice(0, 10) >= report.from,
        );
        for (const metric of USAGE_METRICS) {
          expect(report.totals[metric]).toBe(counted.filter((entry) => entry.metric === metric).length);
        }
        expect(report.days.map((day) => day.date)).toEqual([...report.days.map((day) => day.date)].sort());
        expect(report.days.every((day) => day.date >= report.from && day.date <= report.to)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
