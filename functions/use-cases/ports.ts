/**
 * The ports the use cases need. Adapters (functions/adapters) implement them with AWS;
 * tests may implement them with plain objects.
 */
import type { Offer, SearchCriteria, SupplierOffer } from "../domain/offer";

/** Who is calling and under which correlation id: passed to every supplier call for its headers and logs. */
export interface CallContext {
  readonly tenantId: string;
  readonly correlationId: string;
}

export interface OfferSupplier {
  search(criteria: SearchCriteria, call: CallContext): Promise<SupplierOffer[]>;
}

export type SlotClaim = { readonly granted: true } | { readonly granted: false; readonly retryAfterMs: number };

/** Paces calls to the supplier for the whole account. */
export interface SearchPacer {
  claim(): Promise<SlotClaim>;
}

export interface RememberedOffer {
  readonly offer: Offer;
  readonly supplierOfferId: string;
}

/** Remembers which offers a tenant has seen, so later price and order calls can check ownership and validity. */
export interface OfferStore {
  remember(tenantId: string, offers: readonly RememberedOffer[]): Promise<void>;
}

export type UsageMetric = "searches" | "prices" | "orders" | "issues";

export const USAGE_METRICS: readonly UsageMetric[] = ["searches", "prices", "orders", "issues"];

export type UsageCounts = Record<UsageMetric, number>;

export interface UsageMeter {
  record(tenantId: string, metric: UsageMetric, at: Date): Promise<void>;
  /** Counts per UTC day from `fromDay` to `toDay` inclusive (YYYY-MM-DD), days without usage left out. */
  read(tenantId: string, fromDay: string, toDay: string): Promise<{ day: string; counts: UsageCounts }[]>;
}
