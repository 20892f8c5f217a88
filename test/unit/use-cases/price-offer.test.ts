import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import { AvfError } from "../../../functions/domain/errors";
import type { Markup, PriceBreakdown } from "../../../functions/domain/offer";
import type { Tenant } from "../../../functions/domain/tenant";
import { type PricedOffer, priceChanges, priceOffer } from "../../../functions/use-cases/price-offer";
import { SAMPLE_PRICE } from "../fixtures";
import {
  ADULT_AND_INFANT,
  avfCodeOf,
  CALL,
  drctError,
  drctOffer,
  FRA_LIS,
  iso,
  makeWorld,
  OTHER_TENANT,
  PLATFORM_MARKUP,
  rejectionOf,
  rememberedOffer,
  T0,
  TENANT,
  type World,
} from "./fakes";

let world: World;

beforeEach(() => {
  world = makeWorld();
});

/** Seeds the offer `tenant` was shown for drctOffer() and answers its id. */
const shownOffer = (tenant: Tenant = TENANT): string => {
  const remembered = rememberedOffer(tenant);
  world.offers.seed(tenant.tenantId, remembered);
  return remembered.offer.id;
};

const price = (offerId: string, tenant: Tenant = TENANT, platformMarkup: Markup = PLATFORM_MARKUP) =>
  priceOffer({ ...world.offerDeps, platformMarkup }, tenant, offerId, CALL);

/** DRCT's answer a little later: valid an hour from T0, on a later flight, no longer changeable. */
const LATER = drctOffer({
  validUntil: iso(T0 + 60 * 60_000),
  segments: [{ ...FRA_LIS, flight_number: "LH1168" }],
});

/** Asserts nothing was confirmed or metered. */
const expectNothingConfirmed = (): void => {
  expect(world.offers.confirmations).toEqual([]);
  expect(world.usage.records).toEqual([]);
};

describe("priceOffer", () => {
  test("an unchanged price answers the offer as DRCT has it now, priced now; the confirmation is recorded and metered", async () => {
    const offerId = shownOffer();
    world.offerSupplier.prices.push(LATER);

    const priced = await price(offerId);

    const expected: PricedOffer = {
      id: offerId,
      valid_until: iso(T0 + 60 * 60_000),
      segments: LATER.segments,
      price: SAMPLE_PRICE,
      fare_rules: { refundable: true, changeable: false },
      priced_at: iso(world.clock.ms),
    };
    expect(priced).toEqual(expected);
    expect(world.offerSupplier.priceCalls).toEqual([{ supplierOfferId: "drct-offer-9", call: CALL }]);
    const { priced_at: _, ...offer } = expected;
    expect(world.offers.confirmations).toEqual([
      {
        tenantId: "tenant-a",
        offer: {
          offer,
          supplierOfferId: "drct-offer-9",
          supplierPrice: { currency: "EUR", base: 10_000, taxes: 2_500, fees: 300 },
          markups: { platform: PLATFORM_MARKUP, tenant: TENANT.markup },
          passengers: ADULT_AND_INFANT,
        },
        pricedAt: iso(world.clock.ms),
      },
    ]);
    expect(world.offers.stored("tenant-a", offerId)?.pricedAt).toBe(iso(world.clock.ms));
    expect(world.usage.records).toEqual([{ tenantId: "tenant-a", metric: "prices", at: iso(world.clock.ms) }]);
  });

  test("an offer the tenant was never shown is AVF_404_OFFER_NOT_FOUND without asking DRCT", async () => {
    expect(await avfCodeOf(price("off_never_shown"))).toBe("AVF_404_OFFER_NOT_FOUND");
    expect(world.offerSupplier.priceCalls).toEqual([]);
    expectNothingConfirmed();
  });

  test("an offer shown to another tenant is AVF_404_OFFER_NOT_FOUND without asking DRCT", async () => {
    const theirs = shownOffer(OTHER_TENANT);

    expect(await avfCodeOf(price(theirs))).toBe("AVF_404_OFFER_NOT_FOUND");
    expect(world.offerSupplier.priceCalls).toEqual([]);
    expect(world.offers.stored("tenant-b", theirs)?.pricedAt).toBeUndefined();
  });

  test.each([0, 1])(
    "an offer whose validity ended %i ms ago is AVF_404_OFFER_NOT_FOUND without asking DRCT",
    async (ago) => {
      const offerId = shownOffer();
      world.clock.ms = Date.parse(drctOffer().validUntil) + ago;

      expect(await avfCodeOf(price(offerId))).toBe("AVF_404_OFFER_NOT_FOUND");
      expect(world.offerSupplier.priceCalls).toEqual([]);
      expectNothingConfirmed();
    },
  );

  test.each([0, 1])(
    "DRCT answering a validity that ended %i ms ago is AVF_404_OFFER_NOT_FOUND; nothing recorded",
    async (ago) => {
      const offerId = shownOffer();
      world.offerSupplier.prices.push(drctOffer({ validUntil: iso(world.clock.ms - ago) }));

      expect(await avfCodeOf(price(offerId))).toBe("AVF_404_OFFER_NOT_FOUND");
      expectNothingConfirmed();
    },
  );

  test.each(["not_found", "timeout", "circuit_open", "rate_limited", "rejected"] as const)(
    "a DRCT failure (%s) propagates as DRCT's error; nothing recorded",
    async (kind) => {
      const offerId = shownOffer();
      const failure = drctError(kind);
      world.offerSupplier.prices.push(failure);

      expect(await rejectionOf(price(offerId))).toBe(failure);
      expectNothingConfirmed();
    },
  );

  test("a price DRCT moved is AVF_409_PRICE_CHANGED with every moved component; the new price is recorded", async () => {
    const offerId = shownOffer();
    world.offerSupplier.prices.push(drctOffer({ price: { currency: "EUR", base: 11_000, taxes: 2_500, fees: 300 } }));

    const error = await rejectionOf(price(offerId));

    const newPrice: PriceBreakdown = { ...SAMPLE_PRICE, base: 11_000, aviaframe_markup: 138, total: 13_938 };
    expect(error).toBeInstanceOf(AvfError);
    expect((error as AvfError).code).toBe("AVF_409_PRICE_CHANGED");
    expect((error as AvfError).details).toEqual({
      currency: "EUR",
      old_total: 12_928,
      new_total: 13_938,
      changes: {
        base: { old: 10_000, new: 11_000 },
        aviaframe_markup: { old: 128, new: 138 },
        total: { old: 12_928, new: 13_938 },
      },
      offer: { ...rememberedOffer(TENANT).offer, price: newPrice, priced_at: iso(world.clock.ms) },
    });
    expect(world.offers.stored("tenant-a", offerId)?.offer.price).toEqual(newPrice);
    expect(world.offers.stored("tenant-a", offerId)?.supplierPrice.base).toBe(11_000);
    expect(world.usage.records.map((record) => record.metric)).toEqual(["prices"]);
  });

  test("after a price change, pricing again at the same DRCT price confirms the new price", async () => {
    const offerId = shownOffer();
    const dearer = drctOffer({ price: { currency: "EUR", base: 11_000, taxes: 2_500, fees: 300 } });
    world.offerSupplier.prices.push(dearer, dearer);

    expect(await avfCodeOf(price(offerId))).toBe("AVF_409_PRICE_CHANGED");
    world.clock.ms += 5_000;
    const priced = await price(offerId);

    expect(priced.price.total).toBe(13_938);
    expect(priced.priced_at).toBe(iso(world.clock.ms));
    expect(world.usage.records).toHaveLength(2);
  });

  test("a cheaper price is a change too", async () => {
    const offerId = shownOffer();
    world.offerSupplier.prices.push(drctOffer({ price: { currency: "EUR", base: 10_000, taxes: 2_000, fees: 300 } }));

    const error = await rejectionOf(price(offerId));

    expect((error as AvfError).details?.changes).toEqual({
      taxes: { old: 2_500, new: 2_000 },
      aviaframe_markup: { old: 128, new: 123 },
      total: { old: 12_928, new: 12_423 },
    });
  });

  test("a platform markup changed since the search is a price change, recorded with the new markups", async () => {
    const offerId = shownOffer();
    world.offerSupplier.prices.push(drctOffer());
    const doubled: Markup = { type: "percent", basis_points: 200 };

    const error = await rejectionOf(price(offerId, TENANT, doubled));

    expect((error as AvfError).details?.changes).toEqual({
      aviaframe_markup: { old: 128, new: 256 },
      total: { old: 12_928, new: 13_056 },
    });
    expect(world.offers.stored("tenant-a", offerId)?.markups).toEqual({ platform: doubled, tenant: TENANT.markup });
  });

  test("a tenant markup changed since the search is a price change of the tenant markup", async () => {
    const offerId = shownOffer();
    world.offerSupplier.prices.push(drctOffer());
    const marked: Tenant = { ...TENANT, markup: { type: "fixed", amount: "5.00" } };

    const error = await rejectionOf(price(offerId, marked));

    expect((error as AvfError).details?.changes).toEqual({
      tenant_markup: { old: 0, new: 500 },
      total: { old: 12_928, new: 13_428 },
    });
    expect((error as AvfError).details?.new_total).toBe(13_428);
  });
});

describe("priceChanges", () => {
  const component = fc.constantFrom(
    "base",
    "taxes",
    "provider_fees",
    "aviaframe_markup",
    "tenant_markup",
    "total",
  ) satisfies fc.Arbitrary<keyof PriceBreakdown>;

  test("lists exactly the components that moved, each with its old and new amount", () => {
    fc.assert(
      fc.property(fc.dictionary(component, fc.integer({ min: 0, max: 1_000_000 })), (moved) => {
        const after: PriceBreakdown = { ...SAMPLE_PRICE, ...moved };

        const expected = Object.fromEntries(
          Object.entries(moved)
            .filter(([key, amount]) => SAMPLE_PRICE[key as keyof PriceBreakdown] !== amount)
            .map(([key, amount]) => [key, { old: SAMPLE_PRICE[key as keyof PriceBreakdown], new: amount }]),
        );
        expect(priceChanges(SAMPLE_PRICE, after)).toEqual(expected);
      }),
    );
  });

  test("the same price has no changes", () => {
    expect(priceChanges(SAMPLE_PRICE, { ...SAMPLE_PRICE })).toEqual({});
  });
});
