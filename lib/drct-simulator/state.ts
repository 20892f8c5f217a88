/** What the simulator knows: its offers and orders (persisted when a state file is given) and its stats. */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { SimFlight, SimSearch, SimSegment } from "./offers";

export type SimOperation =
  | "search"
  | "price"
  | "order_create"
  | "issue"
  | "cancel"
  | "order_get"
  | "release"
  | "change_offers"
  | "change"
  | "flight_status"
  | "schedule_change_ack";

export interface SimStats {
  calls: Record<SimOperation, number>;
  max_search_rps: number;
  rate_limit_violations: number;
  orders_created: number;
  /** Holds given back: released by the gateway (§5.8), not counting repeats. */
  orders_released: number;
  /** Changes applied to orders (§5.10), not counting replays. */
  changes_applied: number;
  /** DRCT's schedule-change notifications to the gateway: sent (each try), answered 2xx, given up. */
  notifications: { attempts: number; delivered: number; failed: number };
}

export interface SimOffer {
  readonly offerId: string;
  readonly search: SimSearch;
  readonly flight: SimFlight;
  validUntil: number;
  delta: number;
  /** The "price moves once" scenario already moved this offer. */
  scenarioMoved?: boolean;
}

export interface SimTicket {
  passenger_index: number;
  ticket_number: string;
}

/** One passenger's place in a DRCT order: cancelled alone (§5.7) with its own penalty and refund. */
export interface SimPassenger {
  passenger_index: number;
  status: "ACTIVE" | "CANCELLED";
  penalty?: number;
  refund_reference?: string;
}

export interface SimOrder {
  order_id: string;
  status: "BOOKED" | "ISSUED" | "CANCELLED" | "EXPIRED";
  offer_id: string;
  external_ref?: string;
  idempotency_key: string;
  request_hash: string;
  price: { currency: string; base: number; taxes: number; fees: number; total: number };
  passenger_count: number;
  /** What was searched to book it (the route, cabin, travellers; dates change with a change). Absent on old orders. */
  search?: SimSearch;
  /** The flights as the airline runs them now: a change or a schedule change moves them. */
  segments?: SimSegment[];
  changeable?: boolean;
  /** Changes applied (§5.10), oldest first. */
  applied_changes?: { change_offer_id: string; applied_at: string }[];
  /** Idempotency-Keys of applied changes, with their request hash (kept inside, like the others). */
  change_keys?: Record<string, { request_hash: string }>;
  /** Absent on orders a state file kept from before passengers were tracked: all ACTIVE. */
  passengers?: SimPassenger[];
  tickets: SimTicket[];
  issue_key?: string;
  /** Until when DRCT holds the unissued booking (created_at + the hold). */
  ticketing_deadline: string;
  refundable: boolean;
  cancel_penalty?: number;
  refund_reference?: string;
  penalty?: number;
  created_at: string;
  updated_at: string;
  /** The airline's schedule changes of this booking, newest last (flight-resource.ts). */
  schedule_changes?: SimScheduleChange[];
  /** Why DRCT cancelled: `schedule_change` is involuntary (full refund, whatever the fare). */
  cancel_reason?: string;
  refund_amount?: number;
}

export interface SimScheduleChange {
  change_id: string;
  minutes: number;
  detected_at: string;
  old_segments: SimSegment[];
  new_segments: SimSegment[];
  status: "pending" | "acknowledged";
}

export const emptyStats = (): SimStats => ({
  calls: {
    search: 0,
    price: 0,
    order_create: 0,
    issue: 0,
    cancel: 0,
    order_get: 0,
    release: 0,
    change_offers: 0,
    change: 0,
    flight_status: 0,
    schedule_change_ack: 0,
  },
  max_search_rps: 0,
  rate_limit_violations: 0,
  orders_created: 0,
  orders_released: 0,
  changes_applied: 0,
  notifications: { attempts: 0, delivered: 0, failed: 0 },
});

/** An alternative DRCT offered for an order's flights (§5.9); kept in memory until it is used or expires. */
export interface SimChangeOffer {
  readonly changeOfferId: string;
  readonly orderId: string;
  readonly search: SimSearch;
  readonly flight: SimFlight;
  readonly validUntil: number;
  readonly priceDifference: number;
  readonly penalty: number;
}

export class SimState {
  readonly offers = new Map<string, SimOffer>();
  readonly changeOffers = new Map<string, SimChangeOffer>();
  readonly orders = new Map<string, SimOrder>();
  generation = 0;
  stats: SimStats = emptyStats();

  constructor(
    readonly offerTtlMs: number,
    private readonly stateFile: string | undefined,
    /** How long DRCT holds an unissued booking (DRCT_SIM_HOLD_S). */
    readonly holdMs: number = 1_800_000,
  ) {}

  load(): void {
    if (this.stateFile === undefined) return;
    try {
      const saved = JSON.parse(readFileSync(this.stateFile, "utf8")) as {
        orders: SimOrder[];
        offers?: SimOffer[];
        generation: number;
      };
      for (const order of saved.orders) this.orders.set(order.order_id, order);
      for (const offer of saved.offers ?? []) this.offers.set(offer.offerId, offer);
      // A real DRCT does not forget its offers when our gateway restarts; neither does this one.
      this.generation = saved.generation;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }

  save(): void {
    const file = this.stateFile;
    if (file === undefined) return;
    const now = Date.now();
    const offers = [...this.offers.values()].filter((offer) => offer.validUntil > now);
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify({ orders: [...this.orders.values()], offers, generation: this.generation }),
    );
    renameSync(`${file}.tmp`, file);
  }
}
