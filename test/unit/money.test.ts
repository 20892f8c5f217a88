import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decimalToMinor, minorUnitDigits, percentOf, sumMinor } from "../../functions/domain/money";

/**
 * Independent reference for `amount × bps / 10000` rounded half away from zero:
 * round(|p| / 10000) = floor((2|p| + 10000) / 20000), then restore the sign.
 */
const referencePercent = (amount: bigint, bps: bigint): bigint => {
  const product = amount * bps;
  const abs = product < 0n ? -product : product;
  const rounded = (2n * abs + 10_000n) / 20_000n;
  return product < 0n ? -rounded : rounded;
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const isSafeBig = (value: bigint): boolean => value <= MAX_SAFE && value >= -MAX_SAFE;

describe("percentOf", () => {
  test("matches an independent BigInt reference (half away from zero) for any amount and basis points", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }),
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        (amount, bps) => {
          const expected = referencePercent(BigInt(amount), BigInt(bps));
          const actual = percentOf(amount, bps);
          expect(Number.isSafeInteger(actual)).toBe(true);
          expect(BigInt(actual)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("matches the reference over the whole safe-integer range of amounts when the result stays safe", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: -20_000, max: 20_000 }), (amount, bps) => {
        const expected = referencePercent(BigInt(amount), BigInt(bps));
        fc.pre(isSafeBig(expected));
        expect(BigInt(percentOf(amount, bps))).toBe(expected);
      }),
    );
  });

  test("exact halves always round away from zero (never to even, never towards zero)", () => {
    // (2k + 1) × 50% = k + 0.5
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), (k) => {
        expect(percentOf(2 * k + 1, 5_000)).toBe(k + 1);
        expect(percentOf(-(2 * k + 1), 5_000)).toBe(-(k + 1));
      }),
    );
  });

  test("is odd-symmetric: percentOf(-a, b) = -percentOf(a, b)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (amount, bps) => {
          // `+ 0` turns -0 into 0 so that toBe's Object.is comparison is about the value.
          expect(percentOf(-amount, bps) + 0).toBe(-percentOf(amount, bps) + 0);
        },
      ),
    );
  });

  test.each([
    [50, 100, 1], // 0.5 → 1
    [49, 100, 0], // 0.49 → 0
    [150, 100, 2], // 1.5 → 2
    [250, 100, 3], // 2.5 → 3 (banker's rounding would give 2)
    [-250, 100, -3], // -2.5 → -3 (half-up would give -2)
    [-249, 100, -2],
    [12_345, 250, 309], // 308.625
    [12_500, 100, 125],
    [12_999, 0, 0],
    [1, 5_000, 1],
    [0, 10_000, 0],
    [10_000, 10_000, 10_000],
    [9_007_199_254_740_991, 1, 900_719_925_474], // 900719925474.0991
  ])("percentOf(%i, %i bps) = %i", (amount, bps, expected) => {
    expect(percentOf(amount, bps)).toBe(expected);
  });

  test.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, -(Number.MAX_SAFE_INTEGER + 1)])(
    "rejects a non-integer or unsafe amount %s",
    (amount) => {
      expect(() => percentOf(amount, 100)).toThrow(RangeError);
    },
  );

  test.each([0.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects non-integer basis points %s", (bps) => {
    expect(() => percentOf(100, bps)).toThrow(RangeError);
  });
});

describe("minorUnitDigits", () => {
  test.each([
    ["EUR", 2],
    ["USD", 2],
    ["GBP", 2],
    ["CHF", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["CLP", 0],
    ["ISK", 0],
    ["KWD", 3],
    ["BHD", 3],
    ["OMR", 3],
    ["TND", 3],
  ])("%s has %i minor-unit digits", (currency, digits) => {
    expect(minorUnitDigits(currency)).toBe(digits);
    // second call (cached) answers the same
    expect(minorUnitDigits(currency)).toBe(digits);
  });

  // BUG: minorUnitDigits takes Intl/CLDR *display* digits, not ISO 4217 minor units, although the
  // contract says money is in "minor units of currency (ISO 4217)". With Node 22's ICU, Intl gives
  // 0 fraction digits for HUF, IDR and IQD, whereas ISO 4217 says HUF 2, IDR 2, IQD 3 (also ALL,
  // LBP, MGA...). Consequence: a fixed markup "5.00" in HUF becomes 5 minor units (0.05 HUF).
  // The DRCT simulator (lib/drct-simulator/offers.ts) uses the same Intl source.
  test("follows ISO 4217 for currencies where CLDR display digits differ (HUF 2, IDR 2, IQD 3)", () => {
    expect(minorUnitDigits("HUF")).toBe(2);
    expect(minorUnitDigits("IDR")).toBe(2);
    expect(minorUnitDigits("IQD")).toBe(3);
  });

  test("a fixed amount of 5.00 HUF is 500 ISO 4217 minor units (same bug as above)", () => {
    expect(decimalToMinor("5.00", "HUF")).toBe(500);
  });
});

describe("decimalToMinor", () => {
  test.each([
    ["5.00", "EUR", 500],
    ["5", "EUR", 500],
    ["5.0", "EUR", 500],
    ["0.5", "EUR", 50],
    ["0.05", "EUR", 5],
    ["129.99", "EUR", 12_999],
    ["5.000", "EUR", 500], // trailing zeros are not precision
    ["5.0000", "EUR", 500],
    ["0", "EUR", 0],
    ["007.10", "EUR", 710],
    ["999999999999.99", "EUR", 99_999_999_999_999],
    ["5", "JPY", 5],
    ["5.00", "JPY", 5],
    ["5.0000", "JPY", 5],
    ["1234", "JPY", 1_234],
    ["1.234", "KWD", 1_234],
    ["1.2340", "KWD", 1_234],
    ["0.005", "KWD", 5],
    ["5.00", "KWD", 5_000],
    ["5", "KWD", 5_000],
    ["999999999999.999", "KWD", 999_999_999_999_999],
  ])("%s %s = %i minor units", (decimal, currency, expected) => {
    expect(decimalToMinor(decimal, currency)).toBe(expected);
  });

  test.each([
    ["5.001", "EUR"],
    ["0.009", "EUR"],
    ["5.0001", "EUR"],
    ["5.5", "JPY"],
    ["5.01", "JPY"],
    ["5.0001", "JPY"],
    ["1.2345", "KWD"],
    ["0.0001", "KWD"],
  ])("rejects %s %s: more precision than the currency has, instead of rounding", (decimal, currency) => {
    expect(() => decimalToMinor(decimal, currency)).toThrow(RangeError);
    expect(() => decimalToMinor(decimal, currency)).toThrow(/precision/);
  });

  test.each([
    "",
    " ",
    "abc",
    "5.",
    ".5",
    "-5",
    "-5.00",
    "+5",
    "5,00",
    "5.00 ",
    " 5.00",
    "5.00\n",
    "1e3",
    "0x10",
    "NaN",
    "Infinity",
    "5.00000", // more than 4 fractional digits
    "1234567890123", // more than 12 integer digits
    "1.2.3",
    "٥", // Arabic-Indic digit five
    "５", // full-width digit five
    "5 EUR",
    "€5",
  ])("rejects junk input %j", (decimal) => {
    expect(() => decimalToMinor(decimal, "EUR")).toThrow(RangeError);
    expect(() => decimalToMinor(decimal, "EUR")).toThrow(/not a decimal amount/);
  });

  const currencies = fc.constantFrom(
    { currency: "EUR", digits: 2 },
    { currency: "JPY", digits: 0 },
    { currency: "KWD", digits: 3 },
  );

  test("any well-formed amount within the currency's precision converts exactly (BigInt reference)", () => {
    fc.assert(
      fc.property(
        currencies,
        fc.bigInt({ min: 0n, max: 999_999_999_999n }),
        fc.bigInt({ min: 0n, max: 999n }),
        fc.integer({ min: 0, max: 4 }),
        ({ currency, digits }, whole, rawFraction, trailingZeros) => {
          const scale = 10n ** BigInt(digits);
          const fraction = rawFraction % scale;
          const fractionText = digits === 0 ? "" : fraction.toString().padStart(digits, "0");
          const padded = (fractionText + "0".repeat(trailingZeros)).slice(0, 4);
          const decimal = padded === "" ? whole.toString() : `${whole}.${padded}`;
          const expected = whole * scale + fraction;
          const actual = decimalToMinor(decimal, currency);
          expect(Number.isSafeInteger(actual)).toBe(true);
          expect(BigInt(actual)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("any fraction with a non-zero digit beyond the currency's precision is rejected", () => {
    fc.assert(
      fc.property(
        currencies,
        fc.bigInt({ min: 0n, max: 999_999_999_999n }),
        fc.stringMatching(/^[0-9]{4}$/),
        fc.integer({ min: 1, max: 4 }),
        ({ currency, digits }, whole, fourDigits, length) => {
          fc.pre(length > digits);
          const fraction = fourDigits.slice(0, length);
          fc.pre(/[1-9]/.test(fraction.slice(digits)));
          expect(() => decimalToMinor(`${whole}.${fraction}`, currency)).toThrow(/precision/);
        },
      ),
    );
  });

  test("any string that is not digits[.digits] is rejected", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((s) => !/^[0-9]+(\.[0-9]+)?$/.test(s)),
        (junk) => {
          expect(() => decimalToMinor(junk, "EUR")).toThrow(RangeError);
        },
      ),
    );
  });
});

describe("sumMinor", () => {
  test("sums any non-negative safe integers exactly, or rejects when the exact sum is unsafe", () => {
    fc.assert(
      fc.property(fc.array(fc.maxSafeNat(), { maxLength: 6 }), (amounts) => {
        const exact = amounts.reduce((acc, n) => acc + BigInt(n), 0n);
        if (isSafeBig(exact)) {
          expect(BigInt(sumMinor(...amounts))).toBe(exact);
        } else {
          expect(() => sumMinor(...amounts)).toThrow(RangeError);
        }
      }),
    );
  });

  test("sums mixed-sign integers of realistic size exactly", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e12, max: 1e12 }), { maxLength: 10 }), (amounts) => {
        const exact = amounts.reduce((acc, n) => acc + BigInt(n), 0n);
        expect(BigInt(sumMinor(...amounts))).toBe(exact);
      }),
    );
  });

  test("the empty sum is 0", () => {
    expect(sumMinor()).toBe(0);
  });

  test.each([
    [[1, 1.5]],
    [[Number.NaN]],
    [[Number.POSITIVE_INFINITY]],
    [[Number.NEGATIVE_INFINITY, 1]],
    [[Number.MAX_SAFE_INTEGER + 1]],
    [[-(Number.MAX_SAFE_INTEGER + 1)]],
    [[0.1, 0.2]],
  ])("rejects a non-integer or unsafe operand %j", (amounts) => {
    expect(() => sumMinor(...amounts)).toThrow(RangeError);
  });

  test.each([
    [[Number.MAX_SAFE_INTEGER, 1]],
    [[Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]],
    [[-Number.MAX_SAFE_INTEGER, -1]],
    [[4_503_599_627_370_496, 4_503_599_627_370_496]], // 2^52 + 2^52 = 2^53
  ])("rejects a total that is not a safe integer %j", (amounts) => {
    expect(() => sumMinor(...amounts)).toThrow(RangeError);
  });

  test("accepts a total of exactly MAX_SAFE_INTEGER", () => {
    expect(sumMinor(Number.MAX_SAFE_INTEGER - 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
  });

  // BUG: only the final total is checked, not the running total. An intermediate sum beyond
  // 2^53 is rounded by floating point and a later negative operand brings it back into the safe
  // range, so a wrong amount is returned without an error: MAX_SAFE + 2 - 2 gives MAX_SAFE - 1.
  // (Not reachable with non-negative amounts, which is how offer.ts uses it today.)
  test("never returns an inexact total when an intermediate sum leaves the safe range", () => {
    let result: number | undefined;
    try {
      result = sumMinor(Number.MAX_SAFE_INTEGER, 2, -2);
    } catch {
      result = undefined; // rejecting would be fine too
    }
    if (result !== undefined) expect(result).toBe(Number.MAX_SAFE_INTEGER);
  });
});
