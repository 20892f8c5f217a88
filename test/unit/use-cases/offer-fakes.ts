/** Fakes of the offer side (DRCT offers, offer store, search cache and coalescer) and their data. */

import {
  type Markup,
  type Offer,
  type Passengers,
  type SearchCriteria,
  type Segment,
  type SupplierOffer,
  toTenantOffer,
} from "../../../functions/domain/offer";
import type { Tenant } from "../../../functions/domain/tenant";
import type {
  CachedSearch,
  CallContext,
  Coalesced,
  CoalescedSearch,
  OfferStore,
  OfferSupplier,
  PreparedSearch,
  RememberedOffer,
  SearchCache,
  SearchCoalescer,
} from "../../../functions/use-cases/ports";
import { deepFreeze } from "../fixtures";

import { answer, iso, keyOf, type Log, type Scripted, T0 } from "./basics";

/** What Aviaframe adds to every DRCT price in these tests: 1% of the supplier total. */
export const PLATFORM_MARKUP: Markup = deepFreeze({ type: "percent", basis_points: 100 });

/** A price DRCT confirmed longer ago than this is confirmed again before an order. */
export const REPRICE_AFTER_MS = 10 * 60_000;

/** One adult and one infant: who TWO_PASSENGERS are. */
export const ADULT_AND_INFANT: Passengers = deepFreeze({ adults: 1, children: 0, infants: 1 });

export const CRITERIA: SearchCriteria = deepFreeze({
  origin: "FRA",
  destination: "LIS",
  departure_date: "2031-04-01",
  passengers: ADULT_AND_INFANT,
  cabin: "economy",
  currency: "EUR",
});

/** The flight of drctOffer(). */
export const FRA_LIS: Segment = deepFreeze({
  origin: "FRA",
  destination: "LIS",
  departs_at: "2031-04-01T07:05:00.000Z",
  arrives_at: "2031-04-01T09:50:00.000Z",
  carrier: "LH",
  flight_number: "LH1166",
});

/** DRCT's FRA→LIS offer of 1 April 2031: 128.00 EUR before markups (SAMPLE_PRICE with them), valid 30 minutes from T0. */
export const drctOffer = (overrides: Partial<SupplierOffer> = {}): SupplierOffer =>
  deepFreeze({
    supplierOfferId: "drct-offer-9",
    validUntil: iso(T0 + 30 * 60_000),
    segments: [FRA_LIS],
    price: { currency: "EUR", base: 10_000, taxes: 2_500, fees: 300 },
    fareRules: { refundable: true, changeable: false },
    ...overrides,
  });

/** The offer `tenant` was shown for DRCT's `offer`, as searchOffers remembers it, never priced since. */
export const rememberedOffer = (
  tenant: Tenant,
  offer: SupplierOffer = drctOffer(),
  overrides: Partial<RememberedOffer> = {},
): RememberedOffer =>
  deepFreeze({
    offer: toTenantOffer(tenant.tenantId, offer, PLATFORM_MARKUP, tenant.markup),
    supplierOfferId: offer.supplierOfferId,
    supplierPrice: offer.price,
    markups: { platform: PLATFORM_MARKUP, tenant: tenant.markup },
    passengers: ADULT_AND_INFANT,
    ...overrides,
  });

/** DRCT's offer operations with scripted answers. */
export class FakeOfferSupplier implements OfferSupplier {
  readonly searchCalls: { readonly criteria: SearchCriteria; readonly call: CallContext }[] = [];
  readonly priceCalls: { readonly supplierOfferId: string; readonly call: CallContext }[] = [];
  readonly searches: Scripted<SupplierOffer[]>[] = [];
  readonly prices: Scripted<SupplierOffer>[] = [];
  /** Searches prepared and let go unmade. */
  dropped = 0;

  constructor(private readonly log: Log) {}

  prepareSearch(criteria: SearchCriteria, call: CallContext): PreparedSearch {
    this.log.push("drct.prepare");
    return {
      run: async () => {
        this.log.push("drct.search");
        this.searchCalls.push({ criteria, call });
        return answer(this.searches, "search");
      },
      drop: () => {
        this.log.push("drct.drop");
        this.dropped += 1;
      },
    };
  }

  async price(supplierOfferId: string, call: CallContext): Promise<SupplierOffer> {
    this.log.push("drct.price");
    this.priceCalls.push({ supplierOfferId, call });
    return answer(this.prices, "price");
  }
}

/** Offers by tenant and id, like the DynamoDB store: `remember` drops an earlier confirmation, `confirmPrice` keeps one. */
export class FakeOfferStore implements OfferStore {
  readonly rows = new Map<string, RememberedOffer>();
  readonly confirmations: { readonly tenantId: string; readonly offer: RememberedOffer; readonly pricedAt: string }[] =
    [];

  constructor(private readonly log: Log) {}

  seed(tenantId: string, remembered: RememberedOffer): void {
    this.rows.set(keyOf(tenantId, remembered.offer.id), deepFreeze(structuredClone(remembered)));
  }

  stored(tenantId: string, offerId: string): RememberedOffer | undefined {
    return this.rows.get(keyOf(tenantId, offerId));
  }

  async remember(tenantId: string, offers: readonly RememberedOffer[]): Promise<void> {
    for (const remembered of offers) this.seed(tenantId, { ...remembered, pricedAt: undefined });
  }

  async find(tenantId: string, offerId: string): Promise<RememberedOffer | undefined> {
    this.log.push("offers.find");
    return this.stored(tenantId, offerId);
  }

  async confirmPrice(tenantId: string, offer: RememberedOffer, pricedAt: string): Promise<void> {
    this.confirmations.push({ tenantId, offer, pricedAt });
    this.seed(tenantId, { ...offer, pricedAt });
  }
}

/** A tenant's search answers by search key, served as they were put. */
export class FakeSearchCache implements SearchCache {
  readonly rows = new Map<string, CachedSearch>();
  readonly puts: { readonly tenantId: string; readonly key: string; readonly offers: Offer[]; readonly now: number }[] =
    [];

  /** Entries this "environment" has seen (likelyHit's hint), by keyOf(tenant, key). */
  readonly seen = new Set<string>();

  constructor(private readonly log: Log) {}

  async get(tenantId: string, key: string): Promise<CachedSearch | undefined> {
    this.log.push("cache.get");
    return this.rows.get(keyOf(tenantId, key));
  }

  likelyHit(tenantId: string, key: string): boolean {
    return this.seen.has(keyOf(tenantId, key));
  }

  async put(tenantId: string, key: string, offers: readonly Offer[], now: number): Promise<void> {
    this.puts.push({ tenantId, key, offers: [...offers], now });
    this.rows.set(keyOf(tenantId, key), { offers: [...offers], cachedAt: now });
  }
}

/** Leads every search itself, unless `joinNext` holds the answer of another caller's search in flight. */
export class FakeSearchCoalescer implements SearchCoalescer {
  readonly runs: { readonly key: string; readonly deadlineAt: number }[] = [];
  /** Claims begun, and of those let go unused. */
  readonly begun: { readonly key: string; readonly deadlineAt: number }[] = [];
  dropped = 0;
  joinNext: SupplierOffer[] | undefined;

  constructor(private readonly log: Log) {}

  begin(key: string, deadlineAt: number): CoalescedSearch {
    this.log.push("coalescer.claim");
    this.begun.push({ key, deadlineAt });
    return {
      run: async (lead: () => Promise<SupplierOffer[]>): Promise<Coalesced> => {
        this.runs.push({ key, deadlineAt });
        const shared = this.joinNext;
        this.joinNext = undefined;
        return shared === undefined ? { offers: await lead(), role: "leader" } : { offers: shared, role: "joined" };
      },
      drop: () => {
        this.dropped += 1;
      },
    };
  }
}
