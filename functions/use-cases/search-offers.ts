import { AvfError } from "../domain/errors";
import { type Markup, type Offer, type SearchCriteria, toTenantOffer } from "../domain/offer";
import type { Tenant } from "../domain/tenant";
import type { CallContext, OfferStore, OfferSupplier, SearchPacer, UsageMeter } from "./ports";

export interface SearchOffersDeps {
  readonly supplier: OfferSupplier;
  readonly pacer: SearchPacer;
  readonly offers: OfferStore;
  readonly usage: UsageMeter;
  readonly platformMarkup: Markup;
  readonly now: () => Date;
}

/**
 * Searches DRCT for a tenant: claims a slot of the account's search budget (or refuses with
 * 429 before DRCT is touched), prices every supplier offer with the markups, and remembers
 * the offers so that pricing and ordering can check the tenant really saw them.
 */
export const searchOffers = async (
  deps: SearchOffersDeps,
  tenant: Tenant,
  criteria: SearchCriteria,
  call: CallContext,
): Promise<Offer[]> => {
  const slot = await deps.pacer.claim();
  if (!slot.granted) {
    throw new AvfError("AVF_429_RATE_LIMITED", "search capacity is used up for this second; try again shortly", {
      retryAfterSeconds: Math.max(1, Math.ceil(slot.retryAfterMs / 1000)),
    });
  }
  const supplierOffers = await deps.supplier.search(criteria, call);
  const now = deps.now().getTime();
  const offers = supplierOffers
    .filter((offer) => Date.parse(offer.validUntil) > now)
    .map((offer) => ({
      offer: toTenantOffer(tenant.tenantId, offer, deps.platformMarkup, tenant.markup),
      supplierOfferId: offer.supplierOfferId,
    }));
  await Promise.all([
    deps.offers.remember(tenant.tenantId, offers),
    deps.usage.record(tenant.tenantId, "searches", deps.now()),
  ]);
  return offers.map((remembered) => remembered.offer);
};
