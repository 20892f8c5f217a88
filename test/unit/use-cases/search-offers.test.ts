import { beforeEach, describe, expect, test } from "vitest";
import { searchKey } from "../../../functions/domain/offer";
import type { Tenant } from "../../../functions/domain/tenant";
import { searchOffers } from "../../../functions/use-cases/search-offers";
import { SAMPLE_PRICE } from "../fixtures";
import {
  ADULT_AND_INFANT,
  CALL,
  CRITERIA,
  drctError,
  drctOffer,
  iso,
  keyOf,
  makeWorld,
  OTHER_TENANT,
  PLATFORM_MARKUP,
  rejectionOf,
  T0,
  TENANT,
  type World,
} from "./fakes";

let world: World;

beforeEach(() => {
  world = makeWorld();
});

const KEY = searchKey(CRITERIA);
/** offerIdFor("tenant-a", "drct-offer-9"): what tenant-a calls DRCT's offer. */
const OFFER_ID = "off_jNCeOuhjTh-uuDHJQBCDTUdZfS";

/** What tenant-a is shown for drctOffer(). */
const SHOWN_OFFER = {
  id: OFFER_ID,
  valid_until: iso(T0 + 30 * 60_000),
  segments: drctOffer().segments,
  price: SAMPLE_PRICE,
  fare_rules: { refundable: true, changeable: false },
};

const search = (tenant: Tenant = TENANT) => searchOffers(world.offerDeps, tenant, CRITERIA, CALL);

describe("searchOffers", () => {
  test("a miss asks DRCT once, prices each offer for the tenant, and remembers, caches and meters the answer", async () => {
    world.offerSupplier.searches.push([drctOffer()]);

    const outcome = await search();

    expect(outcome).toEqual({ offers: [SHOWN_OFFER], cache: { hit: false, ageSeconds: 0 }, coalesced: false });
    expect(world.offerSupplier.searchCalls).toEqual([{ criteria: CRITERIA, call: CALL }]);
    expect(world.coalescer.runs).toEqual([{ key: KEY, deadlineAt: CALL.deadlineAt }]);
    expect(world.offers.stored("tenant-a", OFFER_ID)).toEqual({
      offer: SHOWN_OFFER,
      supplierOfferId: "drct-offer-9",
      supplierPrice: { currency: "EUR", base: 10_000, taxes: 2_500, fees: 300 },
      markups: { platform: PLATFORM_MARKUP, tenant: TENANT.markup },
      passengers: ADULT_AND_INFANT,
    });
    expect(world.cache.puts).toEqual([{ tenantId: "tenant-a", key: KEY, offers: [SHOWN_OFFER], now: world.clock.ms }]);
    expect(world.usage.records).toEqual([{ tenantId: "tenant-a", metric: "searches", at: iso(world.clock.ms) }]);
  });

  test("offers whose validity has ended by the time DRCT answers are left out", async () => {
    const now = world.clock.ms;
    world.offerSupplier.searches.push([
      drctOffer({ supplierOfferId: "ended", validUntil: iso(now - 1) }),
      drctOffer({ supplierOfferId: "ends-now", validUntil: iso(now) }),
      drctOffer({ supplierOfferId: "ends-next-ms", validUntil: iso(now + 1) }),
    ]);

    const outcome = await search();

    expect(outcome.offers.map((offer) => offer.valid_until)).toEqual([iso(now + 1)]);
    expect([...world.offers.rows.values()].map((remembered) => remembered.supplierOfferId)).toEqual(["ends-next-ms"]);
    expect(world.cache.puts[0]?.offers).toHaveLength(1);
  });

  test("each tenant gets its own ids and its own markup for the same DRCT offer, remembered for it alone", async () => {
    const marked: Tenant = { ...OTHER_TENANT, markup: { type: "percent", basis_points: 250 } };
    world.offerSupplier.searches.push([drctOffer()], [drctOffer()]);

    const [mine] = (await search()).offers;
    const [theirs] = (await search(marked)).offers;

    expect(mine?.id).toBe(OFFER_ID);
    expect(theirs?.id).not.toBe(OFFER_ID);
    expect(mine?.price).toEqual(SAMPLE_PRICE);
    expect(theirs?.price).toEqual({ ...SAMPLE_PRICE, tenant_markup: 320, total: 13_248 });
    expect(world.offers.stored("tenant-b", OFFER_ID)).toBeUndefined();
    expect(world.offers.stored("tenant-b", theirs?.id ?? "")?.markups.tenant).toEqual(marked.markup);
    expect(world.usage.records.map((record) => record.tenantId)).toEqual(["tenant-a", "tenant-b"]);
  });

  test("a cached answer is served with its age in whole seconds, without DRCT, and still metered", async () => {
    world.cache.rows.set(keyOf("tenant-a", KEY), { offers: [SHOWN_OFFER], cachedAt: world.clock.ms - 12_999 });

    const outcome = await search();

    expect(outcome.cache).toEqual({ hit: true, ageSeconds: 12 });
    expect(outcome.coalesced).toBe(false);
    expect(outcome.offers).toEqual([SHOWN_OFFER]);
    expect(world.offerSupplier.searchCalls).toEqual([]);
    expect(world.coalescer.runs).toEqual([]);
    expect(world.cache.puts).toEqual([]);
    expect(world.offers.rows.size).toBe(0);
    expect(world.usage.records).toEqual([{ tenantId: "tenant-a", metric: "searches", at: iso(world.clock.ms) }]);
  });

  test("a cache entry stamped after now (clock skew between instances) is 0 seconds old, not negative", async () => {
    world.cache.rows.set(keyOf("tenant-a", KEY), { offers: [], cachedAt: world.clock.ms + 5_000 });

    expect((await search()).cache).toEqual({ hit: true, ageSeconds: 0 });
  });

  test("another tenant's cached answer is not served: the search goes to DRCT", async () => {
    world.cache.rows.set(keyOf("tenant-b", KEY), { offers: [], cachedAt: world.clock.ms });
    world.offerSupplier.searches.push([drctOffer()]);

    const outcome = await search();

    expect(outcome.cache.hit).toBe(false);
    expect(outcome.offers.map((offer) => offer.id)).toEqual([OFFER_ID]);
    expect(world.offerSupplier.searchCalls).toHaveLength(1);
  });

  test("a search this environment has not seen cached claims its DRCT call and starts its checks beside the cache read", async () => {
    world.offerSupplier.searches.push([drctOffer()]);

    await search();

    const steps = world.log.filter((entry) => /^(cache|coalescer|drct)\./.test(entry));
    expect(steps).toEqual(["coalescer.claim", "drct.prepare", "cache.get", "drct.search"]);
    expect(world.coalescer.dropped + world.offerSupplier.dropped).toBe(0);
  });

  test("a hit after all lets the claim and the checks go unused, and DRCT is not called", async () => {
    world.cache.rows.set(keyOf("tenant-a", KEY), { offers: [SHOWN_OFFER], cachedAt: world.clock.ms });

    expect((await search()).cache.hit).toBe(true);

    expect(world.coalescer.begun).toHaveLength(1);
    expect(world.coalescer.dropped).toBe(1);
    expect(world.offerSupplier.dropped).toBe(1);
    expect(world.offerSupplier.searchCalls).toEqual([]);
  });

  test("an entry this environment has seen valid is read alone: no claim, no checks", async () => {
    world.cache.rows.set(keyOf("tenant-a", KEY), { offers: [SHOWN_OFFER], cachedAt: world.clock.ms });
    world.cache.seen.add(keyOf("tenant-a", KEY));

    expect((await search()).cache.hit).toBe(true);

    expect(world.coalescer.begun).toEqual([]);
    expect(world.log.filter((entry) => entry.startsWith("drct."))).toEqual([]);
  });

  test("a hint of a hit that misses claims and checks after the read, then searches", async () => {
    world.cache.seen.add(keyOf("tenant-a", KEY));
    world.offerSupplier.searches.push([drctOffer()]);

    expect((await search()).cache.hit).toBe(false);

    const steps = world.log.filter((entry) => /^(cache|coalescer|drct)\./.test(entry));
    expect(steps).toEqual(["cache.get", "coalescer.claim", "drct.prepare", "drct.search"]);
  });

  test("a search another caller made for this one drops this one's checks", async () => {
    world.coalescer.joinNext = [drctOffer()];

    await search();

    expect(world.offerSupplier.dropped).toBe(1);
    expect(world.coalescer.dropped).toBe(0);
  });

  test("joining another caller's DRCT search is reported as coalesced; the offers are still this tenant's", async () => {
    world.coalescer.joinNext = [drctOffer()];

    const outcome = await search();

    expect(outcome.coalesced).toBe(true);
    expect(outcome.cache).toEqual({ hit: false, ageSeconds: 0 });
    expect(outcome.offers.map((offer) => [offer.id, offer.price.total])).toEqual([[OFFER_ID, 12_928]]);
    expect(world.offerSupplier.searchCalls).toEqual([]);
    expect(world.offers.stored("tenant-a", OFFER_ID)?.supplierOfferId).toBe("drct-offer-9");
    expect(world.cache.puts.map((put) => put.tenantId)).toEqual(["tenant-a"]);
    expect(world.usage.records).toHaveLength(1);
  });

  test("an empty answer is cached and metered like any other", async () => {
    world.offerSupplier.searches.push([]);

    const outcome = await search();

    expect(outcome.offers).toEqual([]);
    expect(world.cache.puts).toEqual([{ tenantId: "tenant-a", key: KEY, offers: [], now: world.clock.ms }]);
    expect(world.usage.records).toHaveLength(1);
  });

  test.each(["timeout", "circuit_open", "rate_limited", "server_error"] as const)(
    "a DRCT failure (%s) propagates: nothing is remembered, cached or metered",
    async (kind) => {
      const failure = drctError(kind);
      world.offerSupplier.searches.push(failure);

      expect(await rejectionOf(search())).toBe(failure);

      expect(world.offers.rows.size).toBe(0);
      expect(world.cache.puts).toEqual([]);
      // Counted ahead (beside the cache read), then taken back.
      const day = iso(world.clock.ms).slice(0, 10);
      expect((await world.usage.read("tenant-a", day, day))[0]?.counts.searches).toBe(0);
    },
  );
});
