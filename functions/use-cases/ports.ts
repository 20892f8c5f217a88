/**
 * The ports the use cases need. Adapters (functions/adapters) implement them with AWS;
 * tests may implement them with plain objects.
 */
import type { Markup, Offer, SearchCriteria, SupplierOffer, SupplierPrice } from "../domain/offer";
import type { Plan } from "../domain/tenant";

/** Who is calling, under which correlation id, and until when: passed to every supplier call. */
export interface CallContext {
  readonly tenantId: string;
  readonly plan: Plan;
  readonly correlationId: string;
  /** Epoch ms after which no retry starts: the caller will have given up. */
  readonly deadlineAt: number;
}

/**
 * DRCT as the use cases see it: already paced, guarded by the breaker and retried; a failure
 * that reaches the caller is a SupplierError (or an AvfError 429 for the tenant's own budget).
 */
export interface OfferSupplier {
  search(criteria: SearchCriteria, call: CallContext): Promise<SupplierOffer[]>;
  /** The offer's current price and validity at DRCT; `not_found` when unknown or expired. */
  price(supplierOfferId: string, call: CallContext): Promise<SupplierOffer>;
}

export interface Coalesced {
  readonly offers: SupplierOffer[];
  /** `leader` made the DRCT call; `joined` shared another caller's. */
  readonly role: "leader" | "joined";
}

/** Makes identical concurrent searches share one DRCT call. */
export interface SearchCoalescer {
  run(key: string, deadlineAt: number, lead: () => Promise<SupplierOffer[]>): Promise<Coalesced>;
}

export interface CachedSearch {
  readonly offers: Offer[];
  readonly cachedAt: number;
}

/** A tenant's recent search results, never served past an offer's validity. */
export interface SearchCache {
  get(tenantId: string, key: string, now: number): Promise<CachedSearch | undefined>;
  put(tenantId: string, key: string, offers: readonly Offer[], now: number): Promise<void>;
}

export interface RememberedOffer {
  readonly offer: Offer;
  readonly supplierOfferId: string;
  /** What DRCT charged when the tenant saw the offer: the baseline a reprice compares to. */
  readonly supplierPrice: SupplierPrice;
  /** The markups applied, as they were then (a tenant's markup may change later). */
  readonly markups: { readonly platform: Markup; readonly tenant: Markup };
}

/** Remembers which offers a tenant has seen, so later price and order calls can check ownership and validity. */
export interface OfferStore {
  remember(tenantId: string, offers: readonly RememberedOffer[]): Promise<void>;
  find(tenantId: string, offerId: string): Promise<RememberedOffer | undefined>;
  /** Records a confirmed (re)price: the offer as the tenant may now order it. */
  confirmPrice(tenantId: string, offer: RememberedOffer, pricedAt: string): Promise<void>;
}

export type UsageMetric = "searches" | "prices" | "orders" | "issues";

export const USAGE_METRICS: readonly UsageMetric[] = ["searches", "prices", "orders", "issues"];

export type UsageCounts = Record<UsageMetric, number>;

export interface UsageMeter {
  record(tenantId: string, metric: UsageMetric, at: Date): Promise<void>;
  /** Counts per UTC day from `fromDay` to `toDay` inclusive (YYYY-MM-DD), days without usage left out. */
  read(tenantId: string, fromDay: string, toDay: string): Promise<{ day: string; counts: UsageCounts }[]>;
}
