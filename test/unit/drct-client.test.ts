import fc from "fast-check";
import { afterEach, describe, expect, test, vi } from "vitest";
import { parseRetryAfter } from "../../functions/adapters/drct/client";

const NOW = Date.UTC(2031, 2, 10, 8, 0, 0);
const httpDate = (ms: number): string => new Date(ms).toUTCString(); // IMF-fixdate, e.g. "Mon, 10 Mar 2031 08:01:00 GMT"

describe("parseRetryAfter: delta-seconds", () => {
  test.each([
    ["120", 120],
    ["1", 1],
    ["0", 1], // at least 1
    ["3600", 3_600],
    [" 30 ", 30],
    ["007", 7],
  ])("%j → %i", (header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });

  test("any non-negative integer of seconds is returned as is (at least 1)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), NOW)).toBe(Math.max(1, seconds));
      }),
    );
  });

  test("does not depend on the clock", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (seconds, now) => {
          expect(parseRetryAfter(String(seconds), now)).toBe(seconds);
        },
      ),
    );
  });
});

describe("parseRetryAfter: HTTP date", () => {
  test("a date 60 s ahead → 60", () => {
    expect(parseRetryAfter("Mon, 10 Mar 2031 08:01:00 GMT", NOW)).toBe(60);
  });

  test("any future HTTP date → whole seconds until then, rounded up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 * 86_400 }),
        fc.integer({ min: 0, max: 999 }),
        (seconds, msIntoSecond) => {
          const now = NOW + msIntoSecond; // HTTP dates have second precision
          // (seconds × 1000 − ms) / 1000 lies in (seconds − 1, seconds]: rounded up it is `seconds`
          expect(parseRetryAfter(httpDate(NOW + seconds * 1000), now)).toBe(seconds);
        },
      ),
    );
  });

  test("a date in the past or right now → 1", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400 }), (secondsAgo) => {
        expect(parseRetryAfter(httpDate(NOW - secondsAgo * 1000), NOW)).toBe(1);
      }),
    );
  });

  test("uses Date.now() when no clock is given", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
    expect(parseRetryAfter("Mon, 10 Mar 2031 08:02:00 GMT")).toBe(120);
  });

  afterEach(() => {
    vi.useRealTimers();
  });
});

describe("parseRetryAfter: nothing usable", () => {
  test.each([null, "", " ", "\t", "   \n"])("%j → undefined", (header) => {
    expect(parseRetryAfter(header, NOW)).toBeUndefined();
  });

  test.each([
    "soon",
    "abc",
    "12abc",
    "a1",
    "NaN",
    "Infinity",
    "-Infinity",
    "1 2 3 4 5 6 7",
    "Mon, 99 Foo 2031 99:99:99 GMT",
    "--",
  ])("junk %j → undefined", (header) => {
    expect(parseRetryAfter(header, NOW)).toBeUndefined();
  });

  test("any letters-only junk → undefined", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,12}$/), (header) => {
        expect(parseRetryAfter(header, NOW)).toBeUndefined();
      }),
    );
  });

  // BUG: junk is handed to V8's lenient legacy Date.parse, which finds a date in almost anything
  // that contains a number. "later 2035" parses as 2035-01-01, so a garbage Retry-After from DRCT
  // becomes a wait of ~4 years (and "retry 1" → 2001 → 1 s).
  test('junk that contains a year ("later 2035") → undefined, not years of waiting', () => {
    expect(parseRetryAfter("later 2035", NOW)).toBeUndefined();
  });

  // BUG: Number() accepts forms that are not delta-seconds (1*DIGIT): hex, exponent, sign,
  // fractions. "0x10" is read as 16 s and "1e6" as 1,000,000 s.
  test('non-decimal numbers ("0x10", "1e6") are junk → undefined', () => {
    expect(parseRetryAfter("0x10", NOW)).toBeUndefined();
    expect(parseRetryAfter("1e6", NOW)).toBeUndefined();
  });
});
