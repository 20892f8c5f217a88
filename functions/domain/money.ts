/**
 * Money is an integer count of minor units of an ISO 4217 currency (12999 EUR = 129.99 EUR).
 * No floating point ever holds an amount; percentages are basis points (1% = 100 bps).
 */

import { code as iso4217 } from "currency-codes";

/** ISO 4217 codes that name no money a ticket is sold in: precious metals, bond units, test and "no currency" codes. */
const NOT_TRADING_CURRENCIES: ReadonlySet<string> = new Set([
  "XAG",
  "XAU",
  "XPD",
  "XPT",
  "XBA",
  "XBB",
  "XBC",
  "XBD",
  "XDR",
  "XSU",
  "XTS",
  "XUA",
  "XXX",
]);

/** True for an ISO 4217 currency a fare can be priced in. */
export const isKnownCurrency = (code: string): boolean =>
  iso4217(code) !== undefined && !NOT_TRADING_CURRENCIES.has(code);

/**
 * Minor-unit digits per ISO 4217 (2 for EUR, 0 for JPY, 3 for KWD). Not Intl's display
 * digits: CLDR shows HUF and IDR without decimals, but their minor unit is still 1/100.
 */
export const minorUnitDigits = (currency: string): number => {
  const record = iso4217(currency);
  if (record === undefined) throw new RangeError(`unknown currency: ${currency}`);
  return record.digits;
};

/**
 * Converts a decimal amount written as a string ("5.00", "5", "0.5") to minor units of the
 * currency. Rejects more fractional digits than the currency has rather than rounding money.
 */
export const decimalToMinor = (decimal: string, currency: string): number => {
  const match = /^(\d{1,12})(?:\.(\d{1,4}))?$/.exec(decimal);
  if (!match) throw new RangeError(`not a decimal amount: ${decimal}`);
  const digits = minorUnitDigits(currency);
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  if (fraction.length > digits && /[^0]/.test(fraction.slice(digits))) {
    throw new RangeError(`${decimal} has more precision than ${currency} allows`);
  }
  return Number(whole) * 10 ** digits + Number(fraction.slice(0, digits).padEnd(digits, "0") || "0");
};

/**
 * `amount × bps / 10000`, rounded half away from zero, exactly (integer arithmetic only).
 */
export const percentOf = (amountMinor: number, basisPoints: number): number => {
  assertMinor(amountMinor);
  if (!Number.isInteger(basisPoints)) throw new RangeError("basis points must be an integer");
  const product = BigInt(amountMinor) * BigInt(basisPoints);
  const quotient = product / 10_000n;
  const remainder = product % 10_000n;
  const absRemainder = remainder < 0n ? -remainder : remainder;
  const roundAway = absRemainder * 2n >= 10_000n;
  const rounded = roundAway ? quotient + (product < 0n ? -1n : 1n) : quotient;
  return Number(rounded);
};

export const assertMinor = (amountMinor: number): void => {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError(`not an integer minor amount: ${amountMinor}`);
};

/** Sums minor amounts, refusing any step that leaves the range where integers are exact. */
export const sumMinor = (...amounts: number[]): number => {
  let total = 0;
  for (const amount of amounts) {
    assertMinor(amount);
    total += amount;
    assertMinor(total);
  }
  return total;
};
