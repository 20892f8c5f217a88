import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { DrctOffer, DrctOrder, MAX_SUPPLIER_AMOUNT_MINOR } from "../../functions/adapters/drct/wire";
import { applyMarkups } from "../../functions/domain/offer";

const offer = (price: { base: number; taxes: number; fees: number }) => ({
  offer_id: "drct-1",
  valid_until: "2031-03-10T08:00:00Z",
  segments: [
    {
      origin: "LHR",
      destination: "JFK",
      departs_at: "2031-04-01T10:00:00Z",
      arrives_at: "2031-04-01T18:00:00Z",
      carrier: "BA",
      flight_number: "BA117",
    },
  ],
  price: { currency: "EUR", ...price },
  fare_rules: { refundable: true, changeable: false },
});

describe("DRCT amounts (the review's unsafe supplier price: a 502, never a 500)", () => {
  test("any amount beyond the cap, or beyond the safe-integer range, is an unknown shape", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: MAX_SUPPLIER_AMOUNT_MINOR + 1, max: Number.MAX_SAFE_INTEGER }),
          fc.constantFrom(2 ** 53, 2 ** 60, 1e21, Number.MAX_VALUE, Number.POSITIVE_INFINITY),
        ),
        fc.constantFrom("base", "taxes", "fees"),
        (amount, field) => {
          const price = { base: 100, taxes: 10, fees: 1, [field]: amount };
          expect(DrctOffer.safeParse(offer(price)).success).toBe(false);
        },
      ),
    );
    expect(
      DrctOrder.safeParse({
        order_id: "o",
        status: "BOOKED",
        offer_id: "x",
        price: { currency: "EUR", total: 2 ** 60 },
        passenger_count: 1,
        refundable: true,
      }).success,
    ).toBe(false);
  });

  test("every amount a DRCT answer may carry keeps markups and totals exact", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_SUPPLIER_AMOUNT_MINOR }),
        fc.integer({ min: 0, max: MAX_SUPPLIER_AMOUNT_MINOR }),
        fc.integer({ min: 0, max: MAX_SUPPLIER_AMOUNT_MINOR }),
        fc.integer({ min: 0, max: 10_000 }),
        (base, taxes, fees, bps) => {
          const parsed = DrctOffer.parse(offer({ base, taxes, fees }));
          const price = applyMarkups(
            parsed.price,
            { type: "percent", basis_points: bps },
            {
              type: "percent",
              basis_points: bps,
            },
          );
          expect(Number.isSafeInteger(price.total)).toBe(true);
        },
      ),
    );
  });
});
