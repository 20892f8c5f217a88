/**
 * The account budget of DRCT's paced operation (search: one per second for the whole account)
 * as GuardedSupplier meets it: the fair slot queue, its looks started ahead of a call, and the
 * first try's checks in two steps.
 */
import { PLANS, type SupplierOperation } from "../../../lib/resources";
import type { RateLimitPolicy } from "../../domain/rate-limit";
import type { Priority, SlotPolicy } from "../../domain/slot-queue";
import { SupplierError } from "../../domain/supplier";
import { afterAnswer } from "../../shared/bookkeeping";
import { readEarly } from "../../use-cases/early-read";
import type { CallContext } from "../../use-cases/ports";
import { type Admission, type BreakerPort, type QueueLook, type SlotQueuePort, slotQueueKey } from "./guard-ports";

/** Who goes first when calls wait for the same paced operation. */
export const PRIORITY_OF: Record<SupplierOperation, Priority> = {
  search: "interactive",
  price: "interactive",
  order_create: "interactive",
  issue: "ticketing",
  cancel: "ticketing",
  order_get: "background",
  release: "background",
  change_offers: "interactive",
  change: "ticketing",
  order_read: "background",
  flight_status: "interactive",
  schedule_change_ack: "ticketing",
};

/**
 * Looks started ahead are decided on if this fresh; older ones (a caller that waited for another's
 * search, then led it) are read again, so a breaker opened meanwhile is seen.
 */
const LOOKS_FRESH_MS = 250;
/** Slots its first-in-line waiter has not taken within this go to the next one that asks. */
const HEAD_GRACE_MS = 250;
/** While background calls wait for a paced operation, at least one slot in this many is theirs. */
const BACKGROUND_EVERY = 4;

/** The reads a paced call's first try decides on, started ahead of it (beside its caller's own reads). */
export interface Looks {
  readonly startedAt: number;
  readonly breaker: Promise<Admission>;
  readonly queue: Promise<QueueLook>;
}

/** A slot of the fair queue, taken. */
export interface Slot {
  /** Tells the queue the call is on its way. */
  readonly markUsed: () => Promise<void>;
  /** Opens the slot again: the call will not be made. */
  readonly giveBack: () => Promise<void>;
}

/** What a paced call's first try found: the breaker's look, and its slot (taken, or the queue as read to take one). */
export interface PacedFirstTry {
  readonly look: Admission;
  readonly seen: QueueLook | undefined;
  readonly slot: Slot | undefined;
}

/** The caller's tenant budget, as the first try needs it. */
export interface TenantBudget {
  /** This environment already knows the budget is spent (no round trip). */
  readonly knownRefused: boolean;
  /** Claims one call of it; rejects with the tenant's 429 when refused. */
  claim(): Promise<void>;
}

export interface PacedSlotsOptions {
  readonly queue: SlotQueuePort;
  /** An interactive first try waits this long for a slot at most. */
  readonly slotWaitMs: number;
  readonly breaker: BreakerPort;
  /** The account's budget of an operation: one slot per window ÷ limit. */
  readonly accountPolicy: (operation: SupplierOperation) => RateLimitPolicy;
  readonly now: () => number;
}

export class PacedSlots {
  constructor(private readonly options: PacedSlotsOptions) {}

  /** The breaker's and the slot queue's look for `operation`, started now. */
  startLooks(operation: SupplierOperation): Looks {
    return {
      startedAt: this.options.now(),
      breaker: readEarly(this.options.breaker.admit({ probe: false })),
      queue: readEarly(this.options.queue.look(slotQueueKey(operation))),
    };
  }

  /** Looks started and not needed after all: they settle beside the answer. */
  drop(looks: Looks): void {
    afterAnswer("unused looks", () => Promise.allSettled([looks.breaker, looks.queue]));
  }

  /**
   * The first try, in two steps: the breaker's look and the slot queue's (started ahead by the
   * caller, or now); then the tenant's budget and the slot together. Whichever of those two
   * refuses, the other is given back: a slot taken for a tenant past its budget opens again,
   * and a place in the queue is left. A tenant this environment already knows to be past its
   * budget, or a half-open breaker, takes no slot before its budget answers; an open breaker
   * spends nothing.
   */
  async admitFirstTry(
    operation: SupplierOperation,
    call: CallContext,
    interactive: boolean,
    tenant: TenantBudget,
    ahead: Looks | undefined,
  ): Promise<PacedFirstTry> {
    const fresh = ahead !== undefined && this.options.now() - ahead.startedAt <= LOOKS_FRESH_MS;
    const looks = fresh ? ahead : this.startLooks(operation);
    const [look, seen] = await Promise.all([looks.breaker, looks.queue]);
    if (look.allowed === false) return { look, seen, slot: undefined };
    if (look.allowed === "probe" || tenant.knownRefused) {
      await tenant.claim();
      return { look, seen, slot: undefined };
    }
    const refused = new AbortController();
    const [claimed, slot] = await Promise.allSettled([
      tenant.claim().catch((error: unknown) => {
        refused.abort();
        throw error;
      }),
      this.claimSlot(operation, call, interactive, seen, refused.signal),
    ]);
    if (claimed.status === "rejected") {
      if (slot.status === "fulfilled") afterAnswer("slot given back", slot.value.giveBack);
      throw claimed.reason;
    }
    if (slot.status === "rejected") throw slot.reason;
    return { look, seen: undefined, slot: slot.value };
  }

  /**
   * A slot of the fair queue: an interactive call waits a short while (slotWaitMs) for one,
   * anything else until the caller's deadline; refused beyond that with when to retry.
   */
  async claimSlot(
    operation: SupplierOperation,
    call: CallContext,
    interactive: boolean,
    seen: QueueLook | undefined,
    signal?: AbortSignal,
  ): Promise<Slot> {
    const limit = this.options.accountPolicy(operation);
    const waitUntil = interactive
      ? Math.min(this.options.now() + this.options.slotWaitMs, call.deadlineAt)
      : call.deadlineAt;
    const policy: SlotPolicy = {
      intervalMs: limit.windowMs / limit.limit,
      backgroundEvery: BACKGROUND_EVERY,
      headGraceMs: HEAD_GRACE_MS,
    };
    const bucket = slotQueueKey(operation);
    const decision = await this.options.queue.acquire(
      bucket,
      {
        tenantId: call.tenantId,
        priority: call.priority ?? PRIORITY_OF[operation],
        weight: PLANS[call.plan].fairShareWeight,
        waitUntil,
        policy,
        ...(signal === undefined ? {} : { signal }),
      },
      seen,
    );
    if (!decision.granted) {
      throw new SupplierError("rate_limited", "the DRCT account's budget is used up", {
        retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)),
      });
    }
    const taken = { at: decision.at ?? this.options.now(), nextSlotAt: decision.nextSlotAt, before: decision.before };
    return {
      markUsed: () => this.options.queue.markUsed(bucket, taken, policy),
      giveBack: () => this.options.queue.giveBack(bucket, taken),
    };
  }
}
