import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  applyMarkups,
  type Markup,
  NO_MARKUP,
  offerIdFor,
  type SupplierOffer,
  type SupplierPrice,
  toTenantOffer,
} from "../../functions/domain/offer";

const CURRENCY_DIGITS: Readonly<Record<string, number>> = {
  EUR: 2,
  USD: 2,
  JPY: 0,
  KWD: 3,
};
const currencyArb = fc.constantFrom(...Object.keys(CURRENCY_DIGITS));

const supplierPriceArb: fc.Arbitrary<SupplierPrice> = fc.record({
  currency: currencyArb,
  base: fc.integer({ min: 0, max: 10_000_000_000 }),
  taxes: fc.integer({ min: 0, max: 10_000_000_000 }),
  fees: fc.integer({ min: 0, max: 10_000_000_000 }),
});

const percentMarkupArb: fc.Arbitrary<Markup> = fc
  .integer({ min: 0, max: 100_000 })
  .map((basis_points) => ({ type: "percent", basis_points }));

/** A fixed markup written with at most as many decimals as `currency` has. */
const fixedMarkupArb = (currency: string): fc.Arbitrary<Markup> => {
  const digits = CURRENCY_DIGITS[currency] ?? 2;
  return fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 10 ** digits - 1 })).map(
    ([whole, fraction]): Markup => ({
      type: "fixed",
      amount: digits === 0 ? String(whole) : `${whole}.${String(fraction).padStart(digits, "0")}`,
    }),
  );
};

const markupArb = (currency: string): fc.Arbitrary<Markup> => fc.oneof(percentMarkupArb, fixedMarkupArb(currency));

const priceAndMarkupsArb = supplierPriceArb.chain((price) =>
  fc.tuple(fc.constant(price), markupArb(price.currency), markupArb(price.currency)),
);

/** Independent reference: amount in minor units a markup must add to `supplierTotal`. */
const expectedMarkup = (markup: Markup, supplierTotal: number, currency: string): bigint => {
  if (markup.type === "percent") {
    const product = BigInt(supplierTotal) * BigInt(markup.basis_points);
    return (2n * product + 10_000n) / 20_000n; // non-negative here: half up = half away from zero
  }
  const digits = BigInt(CURRENCY_DIGITS[currency] ?? 2);
  const [whole = "0", fraction = ""] = markup.amount.split(".");
  return BigInt(whole) * 10n ** digits + BigInt(fraction.padEnd(Number(digits), "0") || "0");
};

const isNonNegativeInteger = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

describe("applyMarkups", () => {
  test("total is the sum of the five components, every component a non-negative integer", () => {
    fc.assert(
      fc.property(priceAndMarkupsArb, ([price, platform, tenant]) => {
        const p = applyMarkups(price, platform, tenant);
        for (const component of [p.base, p.taxes, p.provider_fees, p.aviaframe_markup, p.tenant_markup, p.total]) {
          expect(isNonNegativeInteger(component)).toBe(true);
        }
        expect(p.total).toBe(p.base + p.taxes + p.provider_fees + p.aviaframe_markup + p.tenant_markup);
        expect(p.currency).toBe(price.currency);
        expect(p.base).toBe(price.base);
        expect(p.taxes).toBe(price.taxes);
        expect(p.provider_fees).toBe(price.fees);
      }),
      { numRuns: 300 },
    );
  });

  test("each markup is computed on base + taxes + fees (independent BigInt reference)", () => {
    fc.assert(
      fc.property(priceAndMarkupsArb, ([price, platform, tenant]) => {
        const supplierTotal = price.base + price.taxes + price.fees;
        const p = applyMarkups(price, platform, tenant);
        expect(BigInt(p.aviaframe_markup)).toBe(expectedMarkup(platform, supplierTotal, price.currency));
        expect(BigInt(p.tenant_markup)).toBe(expectedMarkup(tenant, supplierTotal, price.currency));
      }),
      { numRuns: 300 },
    );
  });

  test("markups do not compound: swapping platform and tenant markups swaps the components, same total", () => {
    fc.assert(
      fc.property(priceAndMarkupsArb, ([price, a, b]) => {
        const ab = applyMarkups(price, a, b);
        const ba = applyMarkups(price, b, a);
        expect(ab.aviaframe_markup).toBe(ba.tenant_markup);
        expect(ab.tenant_markup).toBe(ba.aviaframe_markup);
        expect(ab.total).toBe(ba.total);
        expect(ab.tenant_markup).toBe(applyMarkups(price, NO_MARKUP, b).tenant_markup);
      }),
    );
  });

  test("1% on base 100.00 + taxes 20.00 + fees 5.00 is 1.25, not 1.00 (percent of the supplier total)", () => {
    const p = applyMarkups(
      { currency: "EUR", base: 10_000, taxes: 2_000, fees: 500 },
      { type: "percent", basis_points: 100 },
      NO_MARKUP,
    );
    expect(p.aviaframe_markup).toBe(125);
    expect(p.tenant_markup).toBe(0);
    expect(p.total).toBe(12_625);
  });

  test("a 2% tenant markup on 125.00 EUR next to a 1% platform markup is 2.50 (not 2.525)", () => {
    const p = applyMarkups(
      { currency: "EUR", base: 10_000, taxes: 2_000, fees: 500 },
      { type: "percent", basis_points: 100 },
      { type: "percent", basis_points: 200 },
    );
    expect(p).toEqual({
      currency: "EUR",
      base: 10_000,
      taxes: 2_000,
      provider_fees: 500,
      aviaframe_markup: 125,
      tenant_markup: 250,
      total: 12_875,
    });
  });

  test("percent markups round half away from zero: 1% of 0.50 EUR is 0.01", () => {
    const p = applyMarkups({ currency: "EUR", base: 50, taxes: 0, fees: 0 }, NO_MARKUP, {
      type: "percent",
      basis_points: 100,
    });
    expect(p.tenant_markup).toBe(1);
    expect(p.total).toBe(51);
  });

  test.each([
    ["EUR", 500],
    ["USD", 500],
    ["JPY", 5],
    ["KWD", 5_000],
  ])('fixed "5.00" in %s is %i minor units', (currency, expected) => {
    const p = applyMarkups({ currency, base: 10_000, taxes: 0, fees: 0 }, NO_MARKUP, { type: "fixed", amount: "5.00" });
    expect(p.tenant_markup).toBe(expected);
    expect(p.aviaframe_markup).toBe(0);
    expect(p.total).toBe(10_000 + expected);
  });

  test('a fixed markup that JPY cannot represent ("5.50") is rejected, not rounded', () => {
    expect(() =>
      applyMarkups({ currency: "JPY", base: 10_000, taxes: 0, fees: 0 }, NO_MARKUP, { type: "fixed", amount: "5.50" }),
    ).toThrow(RangeError);
  });

  test("NO_MARKUP adds nothing", () => {
    fc.assert(
      fc.property(supplierPriceArb, (price) => {
        const p = applyMarkups(price, NO_MARKUP, NO_MARKUP);
        expect(p.aviaframe_markup).toBe(0);
        expect(p.tenant_markup).toBe(0);
        expect(p.total).toBe(price.base + price.taxes + price.fees);
      }),
    );
  });

  test.each([
    { currency: "EUR", base: 100.5, taxes: 0, fees: 0 },
    { currency: "EUR", base: 100, taxes: Number.NaN, fees: 0 },
    { currency: "EUR", base: 100, taxes: 0, fees: Number.POSITIVE_INFINITY },
    { currency: "EUR", base: Number.MAX_SAFE_INTEGER, taxes: 1, fees: 0 },
  ])("rejects a supplier price that is not integer minor units: %j", (price) => {
    expect(() => applyMarkups(price, NO_MARKUP, NO_MARKUP)).toThrow(RangeError);
  });
});

describe("offerIdFor", () => {
  const idArb = fc.string({ minLength: 1, maxLength: 40 });

  test("is stable for the same (tenant, supplier offer) and well-formed", () => {
    fc.assert(
      fc.property(idArb, idArb, (tenant, supplierOffer) => {
        const id = offerIdFor(tenant, supplierOffer);
        expect(id).toMatch(/^off_[A-Za-z0-9_-]{26}$/);
        expect(offerIdFor(tenant, supplierOffer)).toBe(id);
      }),
    );
  });

  test("differs between tenants for the same supplier offer", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(idArb, { minLength: 2, maxLength: 2 }),
        idArb,
        ([tenantA = "", tenantB = ""], offer) => {
          expect(offerIdFor(tenantA, offer)).not.toBe(offerIdFor(tenantB, offer));
        },
      ),
    );
  });

  test("differs between supplier offers for the same tenant", () => {
    fc.assert(
      fc.property(
        idArb,
        fc.uniqueArray(idArb, { minLength: 2, maxLength: 2 }),
        (tenant, [offerA = "", offerB = ""]) => {
          expect(offerIdFor(tenant, offerA)).not.toBe(offerIdFor(tenant, offerB));
        },
      ),
    );
  });

  test("is not ambiguous about where the tenant id ends", () => {
    expect(offerIdFor("agency-a", "bc")).not.toBe(offerIdFor("agency-ab", "c"));
    expect(offerIdFor("agency-a", "")).not.toBe(offerIdFor("agency-", "a"));
  });

  test("does not reveal the supplier offer id or the tenant", () => {
    const id = offerIdFor("agency-a", "DRCT-OFFER-123");
    expect(id).not.toContain("DRCT");
    expect(id).not.toContain("agency");
  });
});

describe("toTenantOffer", () => {
  const supplierOffer: SupplierOffer = {
    supplierOfferId: "drct-off-1",
    validUntil: "2031-03-10T12:30:00.000Z",
    segments: [
      {
        origin: "LHR",
        destination: "JFK",
        departs_at: "2031-04-01T09:00:00+01:00",
        arrives_at: "2031-04-01T12:00:00-04:00",
        carrier: "BA",
        flight_number: "BA117",
      },
    ],
    price: { currency: "EUR", base: 10_000, taxes: 2_000, fees: 500 },
    fareRules: { refundable: false, changeable: true, cancel_penalty: 5_000 },
  };

  test("maps the supplier offer under the tenant's id with markups applied", () => {
    const offer = toTenantOffer(
      "agency-b",
      supplierOffer,
      { type: "percent", basis_points: 100 },
      { type: "fixed", amount: "5.00" },
    );
    expect(offer).toEqual({
      id: offerIdFor("agency-b", "drct-off-1"),
      valid_until: "2031-03-10T12:30:00.000Z",
      segments: supplierOffer.segments,
      price: {
        currency: "EUR",
        base: 10_000,
        taxes: 2_000,
        provider_fees: 500,
        aviaframe_markup: 125,
        tenant_markup: 500,
        total: 13_125,
      },
      fare_rules: {
        refundable: false,
        changeable: true,
        cancel_penalty: 5_000,
      },
    });
  });

  test("two tenants see the same supplier offer under different ids", () => {
    const a = toTenantOffer("agency-a", supplierOffer, NO_MARKUP, NO_MARKUP);
    const b = toTenantOffer("agency-b", supplierOffer, NO_MARKUP, NO_MARKUP);
    expect(a.id).not.toBe(b.id);
    expect(a.price).toEqual(b.price);
  });
});
