/**
 * A short soak (`npm run soak` runs the long one): bookings and issues with DRCT faults,
 * duplicate keys and two gateway kills, and still every accepted order settles, booked
 * exactly once at DRCT.
 */
import { expect, test } from "vitest";
import { runSoak } from "../../lib/soak/soak";

test("15 s of bookings and issues with DRCT faults and two kill -9: nothing lost, nothing doubled, DRCT and gateway agree", async () => {
  const report = await runSoak({
    durationMs: 15_000,
    kills: 2,
    createsPerSecond: 1,
    settleMs: 90_000,
    faultEveryMs: 3_000,
    routes: 2,
    issueShare: 0.5,
  });
  expect(report.kills).toBe(2);
  expect(report.accepted).toBeGreaterThanOrEqual(5);
  expect(report.lost).toEqual([]);
  expect(report.doubled).toEqual([]);
  expect(report.mismatched).toEqual([]);
  expect(report.unsettled, JSON.stringify(report.statuses)).toEqual([]);
  expect(report.drctBookings).toBe(report.gatewayBookings);
}, 200_000);
