import { ACCOUNT_LIMITS, PLANS, type SupplierOperation } from "../../../lib/resources";
import { AvfError } from "../../domain/errors";
import type { FlightQuery, FlightStatus } from "../../domain/flight-status";
import type { SearchCriteria, SupplierOffer } from "../../domain/offer";
import type { RateDecision, RateLimitPolicy } from "../../domain/rate-limit";
import { SupplierError } from "../../domain/supplier";
import { afterAnswer } from "../../shared/bookkeeping";
import type {
  CallContext,
  ChangeDates,
  OfferSupplier,
  OrderSupplier,
  PreparedSearch,
  SupplierBooking,
  SupplierChangeOffer,
  SupplierOrder,
} from "../../use-cases/ports";
import type { DisruptionSupplier } from "../../use-cases/schedule-changes";
import type { Attempt, DrctClient } from "./client";
import {
  type Admission,
  accountBucket,
  type BreakerPort,
  type QueueLook,
  type RateLimiterPort,
  type RetryPolicy,
  type SlotQueuePort,
  tenantBucket,
} from "./guard-ports";
import { type Looks, PacedSlots, type Slot } from "./paced-slots";

export interface GuardOptions {
  readonly client: Pick<
    DrctClient,
    | "search"
    | "price"
    | "createOrder"
    | "findOrder"
    | "issue"
    | "cancel"
    | "cancelPassengers"
    | "release"
    | "changeOffers"
    | "applyChange"
    | "readOrder"
    | "flightStatus"
    | "acknowledgeScheduleChange"
  >;
  readonly limiter: RateLimiterPort;
  readonly breaker: BreakerPort;
  readonly retry: RetryPolicy;
  readonly accountLimits?: Partial<Record<SupplierOperation, RateLimitPolicy>>;
  /**
   * DRCT's searches (one per second for the whole account) go through this fair queue instead
   * of the plain account bucket: an interactive search waits up to `slotWaitMs` for a slot.
   */
  readonly slots?: { readonly queue: SlotQueuePort; readonly slotWaitMs: number };
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** What the first try's checks found (GuardedSupplier.admitFirstTry). */
interface FirstTry {
  readonly look: Admission;
  /** The account budget's claim, for an operation without a slot queue. */
  readonly account: RateDecision | undefined;
  /** The slot queue as read, for an operation with one whose slot is still to take. */
  readonly seen: QueueLook | undefined;
  /** The slot already taken, for an operation with a slot queue. */
  readonly slot: Slot | undefined;
  /** Gives the account claim back: the call will not be made. */
  readonly giveBack: () => Promise<void>;
}

/** The failures that say DRCT is struggling: they count toward opening the breaker. */
const COUNTS_AGAINST_SUPPLIER = new Set(["server_error", "timeout", "rate_limited"]);
const RETRYABLE = new Set(["server_error", "timeout", "rate_limited"]);
const INTERACTIVE: ReadonlySet<SupplierOperation> = new Set(["search", "price", "change_offers", "flight_status"]);
/** Operations whose account budget is DRCT's contract, shared through the fair slot queue. */
const QUEUED: ReadonlySet<SupplierOperation> = new Set(["search"]);

/**
 * DRCT behind its protections, in the order a call meets them: the tenant's plan budget
 * (the leader of a search pays it; coalesced callers don't), the circuit breaker, the
 * account's budget (a refused interactive call fails fast with 429), then the call, retried
 * on 429 (after Retry-After) and on 5xx and timeouts (1 s, 2 s, 4 s, with jitter), never on
 * another 4xx, and never past the caller's deadline. Each retry claims the account budget
 * again: a retried search is a new search for DRCT.
 */
export class GuardedSupplier implements OfferSupplier, OrderSupplier, DisruptionSupplier {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  /** The fair slot queue, for the operations paced through it. */
  private readonly paced: PacedSlots | undefined;

  constructor(private readonly options: GuardOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.paced =
      options.slots === undefined
        ? undefined
        : new PacedSlots({
            ...options.slots,
            breaker: options.breaker,
            accountPolicy: (operation) => this.accountPolicy(operation),
            now: this.now,
          });
  }

  search(criteria: SearchCriteria, call: CallContext): Promise<SupplierOffer[]> {
    return this.prepareSearch(criteria, call).run();
  }

  /**
   * Starts a search's first reads now (the breaker's look, the slot queue's), so that they go
   * beside the caller's own (its cache read, its coalescing claim) instead of after them.
   */
  prepareSearch(criteria: SearchCriteria, call: CallContext): PreparedSearch {
    const paced = this.pacedFor("search");
    const looks = paced?.startLooks("search");
    return {
      run: () => this.guard("search", call, (attempt) => this.options.client.search(criteria, call, attempt), looks),
      drop: () => {
        if (paced !== undefined && looks !== undefined) paced.drop(looks);
      },
    };
  }

  price(supplierOfferId: string, call: CallContext): Promise<SupplierOffer> {
    return this.guard("price", call, (attempt) => this.options.client.price(supplierOfferId, call, attempt));
  }

  createOrder(booking: SupplierBooking, call: CallContext): Promise<SupplierOrder> {
    return this.guard("order_create", call, (attempt) => this.options.client.createOrder(booking, call, attempt));
  }

  findOrder(idempotencyKey: string, call: CallContext): Promise<SupplierOrder | undefined> {
    return this.guard("order_get", call, (attempt) => this.options.client.findOrder(idempotencyKey, call, attempt));
  }

  issue(drctOrderId: string, idempotencyKey: string, call: CallContext): Promise<SupplierOrder> {
    return this.guard("issue", call, (attempt) =>
      this.options.client.issue(drctOrderId, idempotencyKey, call, attempt),
    );
  }

  cancel(drctOrderId: string, call: CallContext): Promise<SupplierOrder> {
    return this.guard("cancel", call, (attempt) => this.options.client.cancel(drctOrderId, call, attempt));
  }

  cancelPassengers(
    drctOrderId: string,
    passengerIndexes: readonly number[],
    call: CallContext,
  ): Promise<SupplierOrder> {
    return this.guard("cancel", call, (attempt) =>
      this.options.client.cancelPassengers(drctOrderId, passengerIndexes, call, attempt),
    );
  }

  changeOffers(drctOrderId: string, dates: ChangeDates, call: CallContext): Promise<SupplierChangeOffer[]> {
    return this.guard("change_offers", call, (attempt) =>
      this.options.client.changeOffers(drctOrderId, dates, call, attempt),
    );
  }

  applyChange(
    drctOrderId: string,
    supplierChangeOfferId: string,
    idempotencyKey: string,
    call: CallContext,
  ): Promise<SupplierOrder> {
    return this.guard("change", call, (attempt) =>
      this.options.client.applyChange(drctOrderId, supplierChangeOfferId, idempotencyKey, call, attempt),
    );
  }

  release(drctOrderId: string, call: CallContext): Promise<SupplierOrder> {
    return this.guard("release", call, (attempt) => this.options.client.release(drctOrderId, call, attempt));
  }

  readOrder(drctOrderId: string, call: CallContext): Promise<SupplierOrder> {
    return this.guard("order_read", call, (attempt) => this.options.client.readOrder(drctOrderId, call, attempt));
  }

  cancelInvoluntarily(drctOrderId: string, call: CallContext): Promise<SupplierOrder> {
    return this.guard("cancel", call, (attempt) =>
      this.options.client.cancel(drctOrderId, call, attempt, "schedule_change"),
    );
  }

  acknowledgeScheduleChange(drctOrderId: string, supplierChangeId: string, call: CallContext): Promise<void> {
    return this.guard("schedule_change_ack", call, (attempt) =>
      this.options.client.acknowledgeScheduleChange(drctOrderId, supplierChangeId, call, attempt),
    );
  }

  flightStatus(query: FlightQuery, call: CallContext): Promise<FlightStatus> {
    return this.guard("flight_status", call, (attempt) => this.options.client.flightStatus(query, call, attempt));
  }

  private accountPolicy(operation: SupplierOperation): RateLimitPolicy {
    return this.options.accountLimits?.[operation] ?? ACCOUNT_LIMITS[operation];
  }

  private async guard<T>(
    operation: SupplierOperation,
    call: CallContext,
    attempt: (n: Attempt) => Promise<T>,
    looks?: Looks,
  ): Promise<T> {
    const paced = this.pacedFor(operation);
    const first =
      paced === undefined
        ? await this.admitFirstTry(operation, call)
        : await this.admitPacedFirstTry(paced, operation, call, looks);
    for (let retry = 0; ; retry += 1) {
      const admission = retry === 0 && first.look.allowed !== "probe" ? first.look : await this.options.breaker.admit();
      if (admission.allowed === "probe") throw new Error("the breaker deferred a probe it was allowed to take");
      if (!admission.allowed) {
        if (retry === 0) await first.giveBack();
        throw new SupplierError("circuit_open", "DRCT is failing; calls are paused", {
          retryAfterSeconds: Math.max(1, Math.ceil(admission.retryAfterMs / 1000)),
        });
      }
      const used = await this.claimAccountBudget(operation, call, retry, retry === 0 ? first : undefined);
      try {
        const pending = attempt(retry);
        // Once the call is on its way (its first await), tell the queue when the slot was really
        // used: beside DRCT's call, and settled before the handler returns.
        if (used !== undefined) afterAnswer("slot use", used);
        const result = await pending;
        await this.options.breaker.recordSuccess();
        return result;
      } catch (error) {
        if (!(error instanceof SupplierError)) throw error;
        if (COUNTS_AGAINST_SUPPLIER.has(error.kind)) await this.options.breaker.recordFailure();
        const delay = this.retryDelay(operation, error, retry);
        if (delay === undefined || this.now() + delay >= call.deadlineAt) throw error;
        await this.sleep(delay);
      }
    }
  }

  /**
   * The first try's checks, together (one round trip, not three): the tenant's budget, the
   * breaker's first look (which takes no probe: a call refused by the tenant's budget must not
   * hold the half-open breaker's one), and the account's budget. An account claim the tenant's
   * budget or the breaker then refuses is given back, so a tenant past its budget never spends
   * the account's.
   */
  private async admitFirstTry(operation: SupplierOperation, call: CallContext): Promise<FirstTry> {
    const [tenant, look, account] = await Promise.allSettled([
      this.claimTenantBudget(operation, call),
      this.options.breaker.admit({ probe: false }),
      this.options.limiter.claim(accountBucket(operation), this.accountPolicy(operation)),
    ]);
    const claimed = account.status === "fulfilled" ? account.value : undefined;
    const giveBack = async () => {
      if (claimed === undefined) return;
      await this.options.limiter
        .release(accountBucket(operation), this.accountPolicy(operation), claimed)
        .catch(() => undefined);
    };
    for (const settled of [tenant, look, account]) {
      if (settled.status === "rejected") {
        await giveBack();
        throw settled.reason;
      }
    }
    if (look.status !== "fulfilled") throw new Error("unreachable: a rejected look was thrown");
    return { look: look.value, account: claimed, seen: undefined, slot: undefined, giveBack };
  }

  /** The first try of a paced operation (PacedSlots.admitFirstTry), with this call's tenant budget. */
  private async admitPacedFirstTry(
    paced: PacedSlots,
    operation: SupplierOperation,
    call: CallContext,
    ahead: Looks | undefined,
  ): Promise<FirstTry> {
    const policy = this.tenantPolicy(operation, call);
    const tenant = {
      knownRefused:
        policy !== undefined && this.options.limiter.refuses(tenantBucket(call.tenantId, operation), policy),
      claim: () => this.claimTenantBudget(operation, call),
    };
    const first = await paced.admitFirstTry(operation, call, INTERACTIVE.has(operation), tenant, ahead);
    return { ...first, account: undefined, giveBack: first.slot?.giveBack ?? (async () => undefined) };
  }

  /** Milliseconds to wait before the next try, or undefined when this failure is final. */
  private retryDelay(operation: SupplierOperation, error: SupplierError, retry: number): number | undefined {
    if (!RETRYABLE.has(error.kind) || retry >= this.options.retry.maxRetries) return undefined;
    // A booking that got no answer may have been made: reconciliation asks DRCT instead of
    // booking again blind (safe under the same key, but it would hide the uncertainty).
    if (operation === "order_create" && error.kind === "timeout") return undefined;
    if (error.kind === "rate_limited") return (error.retryAfterSeconds ?? 1) * 1000;
    const base = this.options.retry.baseDelayMs * 2 ** retry;
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  private tenantPolicy(operation: SupplierOperation, call: CallContext): RateLimitPolicy | undefined {
    return (PLANS[call.plan].supplier as Partial<Record<SupplierOperation, RateLimitPolicy>>)[operation];
  }

  private async claimTenantBudget(operation: SupplierOperation, call: CallContext): Promise<void> {
    const policy = this.tenantPolicy(operation, call);
    if (policy === undefined) return;
    const decision = await this.options.limiter.claim(tenantBucket(call.tenantId, operation), policy);
    if (!decision.granted) {
      // An AvfError, not a SupplierError: it is about this tenant, so a coalesced search does not share it.
      throw new AvfError("AVF_429_RATE_LIMITED", `your plan's ${operation} budget is used up; try again shortly`, {
        retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)),
      });
    }
  }

  /** Claims the account's budget for one try; answers what to tell the slot queue once the call is sent. */
  private async claimAccountBudget(
    operation: SupplierOperation,
    call: CallContext,
    retry: number,
    first?: FirstTry,
  ): Promise<(() => Promise<void>) | undefined> {
    const paced = this.pacedFor(operation);
    if (paced !== undefined) {
      const interactive = retry === 0 && INTERACTIVE.has(operation);
      const slot = first?.slot ?? (await paced.claimSlot(operation, call, interactive, first?.seen));
      return slot.markUsed;
    }
    const claim = () => this.options.limiter.claim(accountBucket(operation), this.accountPolicy(operation));
    for (let decision = first?.account ?? (await claim()); ; decision = await claim()) {
      if (decision.granted) return undefined;
      // An interactive first try fails fast (the agency decides); bookings, ticketing and
      // retries wait their turn, within the caller's deadline.
      if ((retry === 0 && INTERACTIVE.has(operation)) || this.now() + decision.retryAfterMs >= call.deadlineAt) {
        throw new SupplierError("rate_limited", "the DRCT account's budget is used up", {
          retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)),
        });
      }
      await this.sleep(decision.retryAfterMs);
    }
  }

  /** The fair slot queue an operation's account budget is shared through, if it has one. */
  private pacedFor(operation: SupplierOperation): PacedSlots | undefined {
    return QUEUED.has(operation) ? this.paced : undefined;
  }
}
