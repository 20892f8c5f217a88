/** DRCT's account limits and the plans' shares of them. */
import { physicalName } from "./storage";

/** A rate: `limit` calls per `windowMs`, of which `burst` may come at once. */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
  readonly burst: number;
}

export type SupplierOperation =
  | "search"
  | "price"
  | "order_create"
  | "order_get"
  | "issue"
  | "cancel"
  | "release"
  | "change_offers"
  | "change"
  | "order_read"
  | "flight_status"
  | "schedule_change_ack";

/**
 * DRCT's contract for the whole account. Search is 1/s by contract; we keep 10% under it
 * (DRCT_SEARCH_INTERVAL_MS) for clock and network jitter. The rest are our own caps.
 */
export const ACCOUNT_LIMITS: Record<SupplierOperation, RateLimit> = {
  search: { limit: 1, windowMs: 1_100, burst: 1 },
  price: { limit: 5, windowMs: 1_000, burst: 5 },
  order_create: { limit: 5, windowMs: 1_000, burst: 5 },
  order_get: { limit: 10, windowMs: 1_000, burst: 10 },
  issue: { limit: 5, windowMs: 1_000, burst: 5 },
  cancel: { limit: 5, windowMs: 1_000, burst: 5 },
  release: { limit: 5, windowMs: 1_000, burst: 5 },
  change_offers: { limit: 5, windowMs: 1_000, burst: 5 },
  change: { limit: 5, windowMs: 1_000, burst: 5 },
  // The schedule watch's reads of booked orders: a budget of their own, so the sweep never
  // takes what reconciliation (order_get), searches or bookings need.
  order_read: { limit: 4, windowMs: 1_000, burst: 4 },
  flight_status: { limit: 5, windowMs: 1_000, burst: 5 },
  schedule_change_ack: { limit: 5, windowMs: 1_000, burst: 5 },
};

/**
 * Plans a tenant subscribes to. API Gateway usage plans cap requests; `supplier` caps the
 * DRCT calls a tenant may cause (cache hits and coalesced searches cost nothing), so one
 * agency cannot use up the shared account's search budget.
 */
export const PLANS = {
  standard: {
    /** Its share of contended DRCT search slots, relative to other plans' (fair queueing). */
    fairShareWeight: 1,
    rateLimit: 10,
    burstLimit: 20,
    quotaPerDay: 20_000,
    supplier: {
      search: { limit: 12, windowMs: 60_000, burst: 3 },
      price: { limit: 60, windowMs: 60_000, burst: 10 },
    },
  },
  premium: {
    fairShareWeight: 2,
    rateLimit: 50,
    burstLimit: 100,
    quotaPerDay: 200_000,
    supplier: {
      // The account's own pace (DRCT allows 1/s): a premium agency is limited by DRCT only.
      search: { limit: 55, windowMs: 60_000, burst: 10 },
      price: { limit: 240, windowMs: 60_000, burst: 30 },
    },
  },
} as const satisfies Record<
  string,
  {
    fairShareWeight: number;
    rateLimit: number;
    burstLimit: number;
    quotaPerDay: number;
    supplier: Partial<Record<SupplierOperation, RateLimit>>;
  }
>;

export type PlanName = keyof typeof PLANS;

/** The usage plan's name in a stage: `<prefix>-<plan>` (CDK names it so; locally its id too). */
export const usagePlanName = (prefix: string, plan: PlanName): string => physicalName(prefix, plan);
