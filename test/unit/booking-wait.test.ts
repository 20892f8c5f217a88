import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { BookingWaits } from "../../functions/domain/booking-wait";

describe("when a create looks at its booking", () => {
  test("with nothing seen yet, first after 25 ms, then backing off to 250 ms", () => {
    const waits = new BookingWaits();
    expect([0, 1, 2, 3, 4, 5].map((round) => waits.delayBefore(round))).toEqual([25, 50, 100, 200, 250, 250]);
  });

  test("first after the median of the recent settle times, within [25 ms, 1 s]", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 40 }), (seen) => {
        const waits = new BookingWaits();
        for (const ms of seen) waits.settledAfter(ms);
        const recent = [...seen.slice(-20)].sort((a, b) => a - b);
        const median = recent[Math.floor((recent.length - 1) / 2)] ?? 0;
        expect(waits.delayBefore(0)).toBe(Math.min(1_000, Math.max(25, median)));
      }),
    );
  });

  test("only the last 20 bookings count", () => {
    const waits = new BookingWaits();
    for (let index = 0; index < 20; index += 1) waits.settledAfter(900);
    for (let index = 0; index < 20; index += 1) waits.settledAfter(120);
    expect(waits.delayBefore(0)).toBe(120);
  });
});
