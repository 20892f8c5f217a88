import { AvfError } from "../domain/errors";
import { applyMarkups, type Markup, type Offer, type PriceBreakdown } from "../domain/offer";
import type { Tenant } from "../domain/tenant";
import type { CallContext, OfferStore, OfferSupplier, RememberedOffer, UsageMeter } from "./ports";

export interface PriceOfferDeps {
  readonly supplier: OfferSupplier;
  readonly offers: OfferStore;
  readonly usage: UsageMeter;
  readonly platformMarkup: Markup;
  readonly now: () => number;
}

export interface PricedOffer extends Offer {
  readonly priced_at: string;
}

const COMPONENTS = ["base", "taxes", "provider_fees", "aviaframe_markup", "tenant_markup", "total"] as const;

/** Every component whose amount moved, with its old and new value. */
export const priceChanges = (before: PriceBreakdown, after: PriceBreakdown) =>
  Object.fromEntries(
    COMPONENTS.filter((component) => before[component] !== after[component]).map((component) => [
      component,
      { old: before[component], new: after[component] },
    ]),
  );

const notFound = () => new AvfError("AVF_404_OFFER_NOT_FOUND", "the offer is unknown or has expired; search again");

/**
 * Confirms an offer's final price with DRCT. Only an offer this tenant was shown can be
 * priced. When DRCT's price moved (or the markups did), the offer is re-recorded at the new
 * price and the caller gets 409 with every component's old and new value, so accepting the
 * new price is one more PATCH; otherwise it answers the offer with `priced_at`.
 */
export const priceOffer = async (
  deps: PriceOfferDeps,
  tenant: Tenant,
  offerId: string,
  call: CallContext,
): Promise<PricedOffer> => {
  const remembered = await deps.offers.find(tenant.tenantId, offerId);
  if (remembered === undefined || Date.parse(remembered.offer.valid_until) <= deps.now()) throw notFound();
  const current = await deps.supplier.price(remembered.supplierOfferId, call);
  if (Date.parse(current.validUntil) <= deps.now()) throw notFound();
  const price = applyMarkups(current.price, deps.platformMarkup, tenant.markup);
  const updated: RememberedOffer = {
    offer: {
      ...remembered.offer,
      valid_until: current.validUntil,
      segments: current.segments,
      fare_rules: current.fareRules,
      price,
    },
    supplierOfferId: remembered.supplierOfferId,
    supplierPrice: current.price,
    markups: { platform: deps.platformMarkup, tenant: tenant.markup },
    passengers: remembered.passengers,
  };
  const pricedAt = new Date(deps.now()).toISOString();
  await Promise.all([
    deps.offers.confirmPrice(tenant.tenantId, updated, pricedAt),
    deps.usage.record(tenant.tenantId, "prices", new Date(deps.now())),
  ]);
  const changes = priceChanges(remembered.offer.price, price);
  if (Object.keys(changes).length > 0) {
    throw new AvfError("AVF_409_PRICE_CHANGED", "the price has changed; PATCH again to confirm the new price", {
      details: {
        currency: price.currency,
        old_total: remembered.offer.price.total,
        new_total: price.total,
        changes,
        offer: { ...updated.offer, priced_at: pricedAt },
      },
    });
  }
  return { ...updated.offer, priced_at: pricedAt };
};
