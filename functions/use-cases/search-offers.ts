import { type Markup, type Offer, type SearchCriteria, searchKey, toTenantOffer } from "../domain/offer";
import type { Tenant } from "../domain/tenant";
import type { CallContext, OfferStore, OfferSupplier, SearchCache, SearchCoalescer, UsageMeter } from "./ports";

export interface SearchOffersDeps {
  readonly supplier: OfferSupplier;
  readonly coalescer: SearchCoalescer;
  readonly cache: SearchCache;
  readonly offers: OfferStore;
  readonly usage: UsageMeter;
  readonly platformMarkup: Markup;
  readonly now: () => number;
}

export interface SearchOutcome {
  readonly offers: Offer[];
  /** Served from the tenant's cache, and how old that answer is. */
  readonly cache: { readonly hit: boolean; readonly ageSeconds: number };
  /** Shared another caller's DRCT search instead of making one. */
  readonly coalesced: boolean;
}

/**
 * Searches for a tenant, in the order that spares DRCT most: the tenant's cache; else an
 * identical search already in flight (any tenant's); else one DRCT call, paced and guarded.
 * Every offer is priced with this tenant's markup and remembered, so pricing and ordering can
 * check the tenant really saw it.
 */
export const searchOffers = async (
  deps: SearchOffersDeps,
  tenant: Tenant,
  criteria: SearchCriteria,
  call: CallContext,
): Promise<SearchOutcome> => {
  // Counted up front, beside the cache read (a hit then needs no round trip of its own), and
  // taken back if the search fails: only answered searches count.
  const countedAt = new Date(deps.now());
  await deps.usage.record(tenant.tenantId, "searches", countedAt);
  try {
    return await search(deps, tenant, criteria, call);
  } catch (error) {
    await deps.usage.record(tenant.tenantId, "searches", countedAt, -1);
    throw error;
  }
};

const search = async (
  deps: SearchOffersDeps,
  tenant: Tenant,
  criteria: SearchCriteria,
  call: CallContext,
): Promise<SearchOutcome> => {
  const key = searchKey(criteria);
  // Unless this environment has seen the tenant's entry valid, expect a miss: the search's claim
  // and its first checks then go beside the cache read, and are let go if it hits.
  const ahead = deps.cache.likelyHit(tenant.tenantId, key, deps.now())
    ? undefined
    : { flight: deps.coalescer.begin(key, call.deadlineAt), search: deps.supplier.prepareSearch(criteria, call) };
  const cached = await deps.cache.get(tenant.tenantId, key, deps.now());
  if (cached !== undefined) {
    ahead?.flight.drop();
    ahead?.search.drop();
    return {
      offers: cached.offers,
      cache: { hit: true, ageSeconds: Math.max(0, Math.floor((deps.now() - cached.cachedAt) / 1000)) },
      coalesced: false,
    };
  }
  const flight = ahead?.flight ?? deps.coalescer.begin(key, call.deadlineAt);
  const prepared = ahead?.search ?? deps.supplier.prepareSearch(criteria, call);
  let led = false;
  const lead = () => {
    led = true;
    return prepared.run();
  };
  const { offers: supplierOffers, role } = await flight.run(lead).finally(() => {
    // Another caller's search answered (or failed) for this one: its checks go unused.
    if (!led) prepared.drop();
  });
  const now = deps.now();
  const remembered = supplierOffers
    .filter((offer) => Date.parse(offer.validUntil) > now)
    .map((offer) => ({
      offer: toTenantOffer(tenant.tenantId, offer, deps.platformMarkup, tenant.markup),
      supplierOfferId: offer.supplierOfferId,
      supplierPrice: offer.price,
      markups: { platform: deps.platformMarkup, tenant: tenant.markup },
      passengers: criteria.passengers,
    }));
  const offers = remembered.map((entry) => entry.offer);
  await Promise.all([
    deps.offers.remember(tenant.tenantId, remembered),
    deps.cache.put(tenant.tenantId, key, offers, now),
  ]);
  return { offers, cache: { hit: false, ageSeconds: 0 }, coalesced: role === "joined" };
};
