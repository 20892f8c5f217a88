/**
 * Voluntary changes (CONTRACT.md §3 "Lifecycle after booking"): DRCT's alternatives for an
 * issued order's flights become ChangeOffers the tenant may apply, once each.
 */
import { createHash } from "node:crypto";
import { AvfError } from "./errors";
import type { Segment } from "./offer";

/** A change the tenant may apply, as remembered for it (like offers) until `validUntil`. */
export interface ChangeOffer {
  readonly id: string;
  readonly tenantId: string;
  readonly orderId: string;
  readonly supplierChangeOfferId: string;
  readonly validUntil: string;
  readonly segments: readonly Segment[];
  /** What the new flights cost more, in minor units; never below 0 (a cheaper flight refunds nothing). */
  readonly priceDifference: number;
  readonly penalty: number;
  /** priceDifference + penalty. */
  readonly totalDue: number;
  readonly currency: string;
}

/** The change an order is being moved to (while CHANGING). */
export interface PendingChange {
  readonly changeOfferId: string;
  readonly supplierChangeOfferId: string;
  readonly segments: readonly Segment[];
  readonly totalDue: number;
  readonly currency: string;
  readonly requestedAt: string;
}

/** A change applied to the order. */
export interface AppliedChange {
  readonly changeOfferId: string;
  readonly totalDue: number;
  readonly currency: string;
  readonly appliedAt: string;
}

export const changeOfferIdFor = (tenantId: string, orderId: string, supplierChangeOfferId: string): string =>
  `chg_${createHash("sha256").update(`${tenantId}\u0000${orderId}\u0000${supplierChangeOfferId}`).digest("base64url").slice(0, 24)}`;

/** DRCT's key for applying a change offer to an order: one per (order, change offer), so it is applied once. */
export const supplierChangeKeyFor = (orderId: string, changeOfferId: string): string =>
  `avf-change-${orderId}-${changeOfferId}`;

/** What the tenant pays for DRCT's alternative: a dearer fare's difference plus the penalty; a cheaper one refunds nothing. */
export const amountsDue = (supplierDifference: number, penalty: number) => {
  const priceDifference = Math.max(0, supplierDifference);
  return { priceDifference, penalty, totalDue: priceDifference + penalty };
};

export const changeOfferNotFound = (): AvfError =>
  new AvfError(
    "AVF_404_CHANGE_OFFER_NOT_FOUND",
    "the change offer is unknown or has expired; ask for change offers again",
  );

export const notChangeable = (orderId: string): AvfError =>
  new AvfError("AVF_409_NOT_CHANGEABLE", "the fare of this order does not allow changes", {
    details: { order_id: orderId },
  });

/** The ChangeOffer of the public API. */
export const toPublicChangeOffer = (offer: ChangeOffer) => ({
  id: offer.id,
  valid_until: offer.validUntil,
  segments: offer.segments,
  price_difference: offer.priceDifference,
  penalty: offer.penalty,
  total_due: offer.totalDue,
  currency: offer.currency,
});
