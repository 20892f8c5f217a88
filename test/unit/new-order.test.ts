import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { PriceBreakdown } from "../../functions/domain/offer";
import {
  type NewOrderFields,
  newOrder,
  newOrderViolations,
  OrderInvariantError,
  type Passenger,
  supplierBookingKeyFor,
  transition,
} from "../../functions/domain/order";
import { ADULT, deepFreeze, sampleOrder } from "./fixtures";

const CREATED_AT = new Date(Date.UTC(2031, 2, 10, 8, 0, 0));

const CHILD: Passenger = { ...ADULT, type: "child", given_name: "Max", birth_date: "2024-02-29" };
const INFANT: Passenger = { ...ADULT, type: "infant", given_name: "Lena", birth_date: "2030-09-01" };

/** The fields of the fixtures' sample order, which is what a sound new order looks like. */
const FIELDS: NewOrderFields = deepFreeze(
  (() => {
    const order = sampleOrder(CREATED_AT.toISOString());
    return {
      id: order.id,
      tenantId: order.tenantId,
      offerId: order.offerId,
      supplierOfferId: order.supplierOfferId,
      price: order.price,
      passengers: order.passengers,
      contact: order.contact,
      refundable: order.refundable,
      correlationId: order.correlationId,
      createdAt: CREATED_AT,
    };
  })(),
);

/** What `fn` threw, or fails the test when it returned. */
const invariantErrorOf = (fn: () => unknown): OrderInvariantError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OrderInvariantError);
    return error as OrderInvariantError;
  }
  throw new Error("expected an OrderInvariantError");
};

describe("newOrder", () => {
  test("a new order is PENDING since its creation, with that one step of history, at version 1", () => {
    const order = newOrder(FIELDS);

    expect(order).toEqual({
      id: "ord_01HZX5T8M2",
      tenantId: "tenant-a",
      status: "PENDING",
      offerId: "off_abc",
      supplierOfferId: "drct-offer-9",
      price: FIELDS.price,
      passengers: FIELDS.passengers,
      contact: { email: "anna.mueller@example.com", phone: "+4915112345678" },
      supplierBookingKey: "avf-ord_01HZX5T8M2",
      refundable: true,
      createdAt: "2031-03-10T08:00:00.000Z",
      updatedAt: "2031-03-10T08:00:00.000Z",
      history: [{ status: "PENDING", at: "2031-03-10T08:00:00.000Z" }],
      correlationId: "corr-1",
      version: 1,
    });
  });

  test("a callback URL and an external reference are kept; absent, they are no keys at all", () => {
    const withBoth = newOrder({ ...FIELDS, callbackUrl: "https://agency.example/hooks", externalRef: "PNR-7" });
    const without = newOrder({ ...FIELDS, callbackUrl: undefined, externalRef: undefined });

    expect(withBoth.callbackUrl).toBe("https://agency.example/hooks");
    expect(withBoth.externalRef).toBe("PNR-7");
    expect(Object.keys(without)).not.toContain("callbackUrl");
    expect(Object.keys(without)).not.toContain("externalRef");
  });

  test("the DRCT booking key is derived from the order id alone", () => {
    expect(supplierBookingKeyFor("ord_x")).toBe("avf-ord_x");
    expect(newOrder({ ...FIELDS, id: "ord_other" }).supplierBookingKey).toBe("avf-ord_other");
    expect(newOrder({ ...FIELDS, correlationId: "corr-2" }).supplierBookingKey).toBe("avf-ord_01HZX5T8M2");
  });

  test("a new order can move on like any PENDING order", () => {
    const booked = transition(newOrder(FIELDS), "BOOKED", new Date(CREATED_AT.getTime() + 1_000));

    expect(booked.version).toBe(2);
    expect(booked.history.map((entry) => entry.status)).toEqual(["PENDING", "BOOKED"]);
  });

  test.each(["id", "tenantId", "offerId", "supplierOfferId", "correlationId"] as const)(
    "an empty or blank %s is refused",
    (key) => {
      for (const blank of ["", "   "]) {
        const error = invariantErrorOf(() => newOrder({ ...FIELDS, [key]: blank }));
        expect(error.violations).toEqual([`${key} is empty`]);
        expect(error.name).toBe("OrderInvariantError");
        expect(error.message).toContain(`${key} is empty`);
      }
    },
  );

  test("an order without passengers is refused", () => {
    expect(invariantErrorOf(() => newOrder({ ...FIELDS, passengers: [] })).violations).toEqual([
      "an order has at least one passenger",
    ]);
  });

  test("an order of children only is refused: someone must be an adult", () => {
    expect(invariantErrorOf(() => newOrder({ ...FIELDS, passengers: [CHILD, CHILD] })).violations).toEqual([
      "an order has at least one adult",
    ]);
  });

  test("more infants than adults are refused; as many are fine", () => {
    expect(invariantErrorOf(() => newOrder({ ...FIELDS, passengers: [ADULT, INFANT, INFANT] })).violations).toEqual([
      "each infant travels on an adult's lap: infants ≤ adults",
    ]);
    expect(newOrder({ ...FIELDS, passengers: [ADULT, INFANT, ADULT, INFANT, CHILD] }).passengers).toHaveLength(5);
  });

  test("a total that is not the sum of its components is refused, by one minor unit either way", () => {
    for (const total of [FIELDS.price.total - 1, FIELDS.price.total + 1]) {
      expect(invariantErrorOf(() => newOrder({ ...FIELDS, price: { ...FIELDS.price, total } })).violations).toEqual([
        `price.total ${total} is not the sum of its components (12928)`,
      ]);
    }
  });

  test.each([
    ["a negative", -1],
    ["a fractional", 0.5],
    ["an unsafe", Number.MAX_SAFE_INTEGER + 2],
    ["a NaN", Number.NaN],
  ])("%s price component is refused", (_, amount) => {
    const price: PriceBreakdown = { ...FIELDS.price, taxes: amount };

    expect(invariantErrorOf(() => newOrder({ ...FIELDS, price })).violations).toEqual([
      "price.taxes is not a non-negative integer minor amount",
    ]);
  });

  test.each(["", "eur", "EURO", "E1R"])("currency %j is refused", (currency) => {
    expect(invariantErrorOf(() => newOrder({ ...FIELDS, price: { ...FIELDS.price, currency } })).violations).toEqual([
      `price.currency ${currency} is not an ISO 4217 code`,
    ]);
  });

  test("an invalid creation date is refused", () => {
    expect(invariantErrorOf(() => newOrder({ ...FIELDS, createdAt: new Date(Number.NaN) })).violations).toEqual([
      "createdAt is not a valid date",
    ]);
  });

  test("every broken invariant is reported at once", () => {
    const error = invariantErrorOf(() =>
      newOrder({ ...FIELDS, id: "", tenantId: "", passengers: [], price: { ...FIELDS.price, total: 0 } }),
    );

    expect(error.violations).toEqual([
      "id is empty",
      "tenantId is empty",
      "an order has at least one passenger",
      "price.total 0 is not the sum of its components (12928)",
    ]);
    expect(newOrderViolations(FIELDS)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const amountArb = fc.integer({ min: 0, max: 1_000_000_000 });

const soundPriceArb: fc.Arbitrary<PriceBreakdown> = fc
  .record({
    currency: fc.constantFrom("EUR", "USD", "JPY", "KWD"),
    base: amountArb,
    taxes: amountArb,
    provider_fees: amountArb,
    aviaframe_markup: amountArb,
    tenant_markup: amountArb,
  })
  .map((price) => ({
    ...price,
    total: price.base + price.taxes + price.provider_fees + price.aviaframe_markup + price.tenant_markup,
  }));

/** Adults 1–9, children 0–8, infants up to the adults, in any order. */
const soundPassengersArb: fc.Arbitrary<Passenger[]> = fc
  .integer({ min: 1, max: 9 })
  .chain((adults) => fc.tuple(fc.constant(adults), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: adults })))
  .chain(([adults, children, infants]) =>
    fc.shuffledSubarray(
      [
        ...Array.from({ length: adults }, () => ADULT),
        ...Array.from({ length: children }, () => CHILD),
        ...Array.from({ length: infants }, () => INFANT),
      ],
      { minLength: adults + children + infants },
    ),
  );

const idArb = fc.string({ minLength: 1, maxLength: 30 }).filter((id) => id.trim() !== "");

const soundFieldsArb: fc.Arbitrary<NewOrderFields> = fc.record({
  id: idArb,
  tenantId: idArb,
  offerId: idArb,
  supplierOfferId: idArb,
  price: soundPriceArb,
  passengers: soundPassengersArb,
  contact: fc.constant(FIELDS.contact),
  refundable: fc.boolean(),
  correlationId: idArb,
  createdAt: fc.date({
    min: new Date("2000-01-01T00:00:00Z"),
    max: new Date("2099-12-31T23:59:59Z"),
    noInvalidDate: true,
  }),
});

describe("newOrder properties", () => {
  test("sound fields always make a PENDING order at version 1 whose history is its creation", () => {
    fc.assert(
      fc.property(soundFieldsArb, (fields) => {
        const order = newOrder(fields);
        const at = fields.createdAt.toISOString();

        expect(order.status).toBe("PENDING");
        expect(order.version).toBe(1);
        expect(order.history).toEqual([{ status: "PENDING", at }]);
        expect(order.createdAt).toBe(at);
        expect(order.updatedAt).toBe(at);
        expect(order.supplierBookingKey).toBe(`avf-${fields.id}`);
        expect(order.price).toEqual(fields.price);
        expect(order.passengers).toEqual(fields.passengers);
        expect([order.id, order.tenantId, order.offerId, order.supplierOfferId, order.correlationId]).toEqual([
          fields.id,
          fields.tenantId,
          fields.offerId,
          fields.supplierOfferId,
          fields.correlationId,
        ]);
      }),
      { numRuns: 200 },
    );
  });

  test("any total other than the components' sum is refused", () => {
    fc.assert(
      fc.property(
        soundFieldsArb,
        fc.integer({ min: -1_000_000, max: 1_000_000 }).filter((delta) => delta !== 0),
        (fields, delta) => {
          const total = fields.price.total + delta;
          fc.pre(total >= 0);
          const error = invariantErrorOf(() => newOrder({ ...fields, price: { ...fields.price, total } }));
          expect(error.violations).toEqual([
            `price.total ${total} is not the sum of its components (${fields.price.total})`,
          ]);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("more infants than adults is refused however the passengers are ordered", () => {
    fc.assert(
      fc.property(soundFieldsArb, fc.integer({ min: 1, max: 3 }), (fields, extra) => {
        const adults = fields.passengers.filter((passenger) => passenger.type === "adult").length;
        const infantsNow = fields.passengers.filter((passenger) => passenger.type === "infant").length;
        const passengers = [...fields.passengers, ...Array.from({ length: adults - infantsNow + extra }, () => INFANT)];
        expect(invariantErrorOf(() => newOrder({ ...fields, passengers })).violations).toEqual([
          "each infant travels on an adult's lap: infants ≤ adults",
        ]);
      }),
      { numRuns: 100 },
    );
  });
});
