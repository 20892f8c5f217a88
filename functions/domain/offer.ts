import { createHash } from "node:crypto";
import { decimalToMinor, percentOf, sumMinor } from "./money";

export type Cabin = "economy" | "premium_economy" | "business" | "first";

export interface Passengers {
  readonly adults: number;
  readonly children: number;
  readonly infants: number;
}

/** What a tenant asks for. Tenant-independent: the same criteria mean the same DRCT search. */
export interface SearchCriteria {
  readonly origin: string;
  readonly destination: string;
  readonly departure_date: string;
  readonly return_date?: string;
  readonly passengers: Passengers;
  readonly cabin: Cabin;
  readonly currency: string;
}

export interface Segment {
  readonly origin: string;
  readonly destination: string;
  readonly departs_at: string;
  readonly arrives_at: string;
  readonly carrier: string;
  readonly flight_number: string;
  /** The airline that flies it, when another one sells it (a codeshare) and DRCT says so. */
  readonly operating_carrier?: string;
}

export interface FareRules {
  readonly refundable: boolean;
  readonly changeable: boolean;
  /** Minor units of the offer currency kept by the carrier on cancellation. */
  readonly cancel_penalty?: number;
}

/** The supplier's price: what DRCT charges, before any Aviaframe or tenant markup. */
export interface SupplierPrice {
  readonly currency: string;
  readonly base: number;
  readonly taxes: number;
  readonly fees: number;
}

export interface SupplierOffer {
  readonly supplierOfferId: string;
  readonly validUntil: string;
  readonly segments: readonly Segment[];
  readonly price: SupplierPrice;
  readonly fareRules: FareRules;
}

export interface PriceBreakdown {
  readonly currency: string;
  readonly base: number;
  readonly taxes: number;
  readonly provider_fees: number;
  readonly aviaframe_markup: number;
  readonly tenant_markup: number;
  readonly total: number;
}

/** The Offer a tenant sees: supplier offer + markups, under an id scoped to that tenant. */
export interface Offer {
  readonly id: string;
  readonly valid_until: string;
  readonly segments: readonly Segment[];
  readonly price: PriceBreakdown;
  readonly fare_rules: FareRules;
}

/** A markup on the supplier total: a percentage (basis points) or a fixed decimal amount in the offer currency. */
export type Markup =
  | { readonly type: "percent"; readonly basis_points: number }
  | { readonly type: "fixed"; readonly amount: string };

export const NO_MARKUP: Markup = { type: "percent", basis_points: 0 };

export const markupAmount = (markup: Markup, supplierTotal: number, currency: string): number =>
  markup.type === "percent" ? percentOf(supplierTotal, markup.basis_points) : decimalToMinor(markup.amount, currency);

/**
 * Both markups are computed on the supplier total (base + taxes + fees), never on each other,
 * so a tenant's price does not depend on the order the markups are applied in.
 */
export const applyMarkups = (price: SupplierPrice, platform: Markup, tenant: Markup): PriceBreakdown => {
  const supplierTotal = sumMinor(price.base, price.taxes, price.fees);
  const aviaframeMarkup = markupAmount(platform, supplierTotal, price.currency);
  const tenantMarkup = markupAmount(tenant, supplierTotal, price.currency);
  return {
    currency: price.currency,
    base: price.base,
    taxes: price.taxes,
    provider_fees: price.fees,
    aviaframe_markup: aviaframeMarkup,
    tenant_markup: tenantMarkup,
    total: sumMinor(supplierTotal, aviaframeMarkup, tenantMarkup),
  };
};

/**
 * A tenant's id for a supplier offer: stable (the same offer seen twice gets the same id) and
 * different per tenant, so an id leaked from one tenant means nothing to another.
 */
export const offerIdFor = (tenantId: string, supplierOfferId: string): string =>
  `off_${createHash("sha256").update(`${tenantId}\u0000${supplierOfferId}`).digest("base64url").slice(0, 26)}`;

export const toTenantOffer = (
  tenantId: string,
  supplierOffer: SupplierOffer,
  platform: Markup,
  tenant: Markup,
): Offer => ({
  id: offerIdFor(tenantId, supplierOffer.supplierOfferId),
  valid_until: supplierOffer.validUntil,
  segments: supplierOffer.segments,
  price: applyMarkups(supplierOffer.price, platform, tenant),
  fare_rules: supplierOffer.fareRules,
});

/**
 * The identity of a DRCT search: everything DRCT's answer depends on, nothing about who asks.
 * Identical searches from different tenants share one key (and so one DRCT call).
 */
export const searchKey = (criteria: SearchCriteria): string =>
  createHash("sha256")
    .update(
      JSON.stringify([
        criteria.origin,
        criteria.destination,
        criteria.departure_date,
        criteria.return_date ?? null,
        criteria.passengers.adults,
        criteria.passengers.children,
        criteria.passengers.infants,
        criteria.cabin,
        criteria.currency,
      ]),
    )
    .digest("base64url");
