/**
 * What GuardedSupplier needs of the shared state that protects DRCT (budgets, the fair slot
 * queue, the breaker: DynamoDB in AWS), and the keys of that state.
 */
import type { SupplierOperation } from "../../../lib/resources";
import type { RateDecision, RateLimitPolicy } from "../../domain/rate-limit";
import type { Priority, SlotPolicy, SlotQueue } from "../../domain/slot-queue";

export interface RetryPolicy {
  /** Retries after the first try (3: waits of about 1 s, 2 s, 4 s). */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
}

/** The shared budgets (DynamoRateLimiter in AWS). */
export interface RateLimiterPort {
  claim(bucket: string, policy: RateLimitPolicy): Promise<RateDecision>;
  /** Gives a granted claim back when its call will not be made (best effort: never more than it took). */
  release(bucket: string, policy: RateLimitPolicy, granted: RateDecision): Promise<void>;
  /** True when what this environment already knows of the bucket refuses a claim (no round trip). */
  refuses(bucket: string, policy: RateLimitPolicy): boolean;
}

/** The fair slot queue of a paced operation (DynamoSlotQueue in AWS). */
export interface SlotQueuePort {
  /** The queue as it is now, read beside other work and handed to `acquire` (read-only). */
  look(bucket: string): Promise<QueueLook>;
  /**
   * Takes a slot or a place in the queue and waits for its turn. `seen`: the item as read beside
   * other work, decided on first (a stale one only loses the conditional write, and is read again).
   */
  acquire(bucket: string, request: SlotRequest, seen?: QueueLook): Promise<SlotDecision>;
  /** The call a granted slot was for is on its way (the queue keeps the next call an interval after it). */
  markUsed(bucket: string, taken: TakenSlot, policy: SlotPolicy): Promise<void>;
  /** The call a granted slot was for will not be made: the slot opens again unless taken since. */
  giveBack(bucket: string, taken: TakenSlot): Promise<void>;
}

export interface SlotRequest {
  readonly tenantId: string;
  readonly priority: Priority;
  readonly weight: number;
  /** The caller waits for a slot until then at the most (epoch ms). */
  readonly waitUntil: number;
  readonly policy: SlotPolicy;
  /**
   * Aborted when the caller's other checks, made beside the arrival, refuse the call: a place
   * in the queue is left at once (a slot already granted, the caller gives back).
   */
  readonly signal?: AbortSignal;
}

export interface SlotDecision {
  readonly granted: boolean;
  /** When granted: the time the slot was taken at, by the queue's clock (slots are an interval apart in it). */
  readonly at?: number;
  /** When granted: the next slot's time as this take wrote it (for markUsed). */
  readonly nextSlotAt?: number;
  /** When granted: the next slot's time as the take found it (what giveBack restores). */
  readonly before?: number;
  /** When refused: milliseconds until a slot could be expected. */
  readonly retryAfterMs: number;
}

/** A slot as granted: when, the next slot's time the take wrote, and the one it found. */
export interface TakenSlot {
  readonly at: number;
  readonly nextSlotAt: number | undefined;
  /** The next slot's time before the take; undefined: the queue had never given one. */
  readonly before?: number;
}

/** A slot queue as read, with the version its next write is conditional on. */
export interface QueueLook {
  readonly queue: SlotQueue;
  readonly version: number;
}

export type Admission =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number }
  /** `probe: false` was asked and this call would be the half-open breaker's probe: ask again. */
  | { readonly allowed: "probe" };

/** The shared breaker (DynamoCircuitBreaker in AWS). */
export interface BreakerPort {
  /** With `probe: false`, never takes the half-open breaker's one probe (the call may yet not happen). */
  admit(options?: { readonly probe?: boolean }): Promise<Admission>;
  recordFailure(): Promise<void>;
  recordSuccess(): Promise<void>;
}

export const tenantBucket = (tenantId: string, operation: SupplierOperation) =>
  `RATE#tenant#${tenantId}#drct#${operation}`;
export const accountBucket = (operation: SupplierOperation) => `RATE#account#drct#${operation}`;
export const slotQueueKey = (operation: SupplierOperation) => `SLOTS#account#drct#${operation}`;
