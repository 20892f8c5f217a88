import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { arrive, EMPTY_QUEUE, leave, type SlotPolicy, type SlotQueue, turn } from "../../domain/slot-queue";
import { tableName } from "../../shared/config";
import type { QueueLook, SlotDecision, SlotQueuePort, SlotRequest, TakenSlot } from "../drct/guard-ports";
import { dynamo, epochSeconds, isConditionalCheckFailure } from "./client";

/** Optimistic concurrency: a lost race re-reads and decides again; this many times at most per look. */
const MAX_RACES = 16;
/** After a lost race, wait up to this long (at random) so that racers spread out instead of colliding again. */
const RACE_JITTER_MS = 15;
/** Never look again sooner than this: a waiter polls the queue item, and each look is a read. */
const MIN_LOOK_MS = 10;
/**
 * A waiter's place is held this long past the end of its wait, so that one which looks again
 * late (a busy machine, a slow read) can still take a slot that opened within its wait; a
 * slot it leaves untaken meanwhile goes to the next waiter after the head grace.
 */
const LATE_LOOK_MS = 1_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The fair slot queue of one paced operation (domain/slot-queue.ts) in one SupplierState item,
 * shared by every Lambda: each move is a conditional write on the item's version. A waiter
 * polls the item until its slot opens; its entry carries a lease (its wait, and a second), so a Lambda that
 * dies while waiting holds nothing once the lease is over.
 */
export class DynamoSlotQueue implements SlotQueuePort {
  constructor(
    private readonly now: () => number = Date.now,
    private readonly pause: (ms: number) => Promise<void> = sleep,
  ) {}

  /**
   * Takes a slot or a place in the queue. `seen`: the item as read beside other work, decided
   * on first (a stale one only loses the conditional write, and the item is read again).
   */
  async acquire(bucket: string, request: SlotRequest, seen?: QueueLook): Promise<SlotDecision> {
    const decision = await this.arriveAndWait(bucket, request, seen);
    return "taken" in decision ? { granted: true, retryAfterMs: 0, ...decision.taken } : decision;
  }

  /**
   * Told once the call a slot was taken for is on its way: the next slot moves to one interval
   * after now, so the next call keeps its distance from this one's use, not from its take (the
   * take's write, a busy machine, can put tens of milliseconds between them, and DRCT counts
   * uses). Nothing to do when the next slot was already given out (this call was more than an
   * interval late). A read and a write beside DRCT's call, at most once a second.
   */
  async markUsed(bucket: string, taken: TakenSlot, policy: SlotPolicy): Promise<void> {
    const usedAt = this.now();
    if (usedAt <= taken.at) return;
    await this.moveNextSlot(bucket, taken, Math.max(taken.nextSlotAt ?? 0, usedAt + policy.intervalMs));
  }

  /**
   * Gives back a slot whose call will not be made (the tenant's budget refused it beside the
   * take): the next slot opens when it would have without the take, unless someone has taken
   * it since. The taker's fair-share accounting stays charged, which only errs towards the
   * other tenants.
   */
  async giveBack(bucket: string, taken: TakenSlot): Promise<void> {
    await this.moveNextSlot(bucket, taken, taken.before ?? taken.at);
  }

  /** Moves the next slot to `to`, if it is still the one `taken` wrote (nobody has taken it since). */
  private async moveNextSlot(bucket: string, taken: TakenSlot, to: number): Promise<void> {
    for (let race = 0; race < MAX_RACES; race += 1) {
      const stored = await this.read(bucket);
      if (stored.queue.nextSlotAt !== taken.nextSlotAt) return;
      if (await this.write(bucket, { ...stored.queue, nextSlotAt: to }, stored.version)) return;
    }
  }

  private async arriveAndWait(
    bucket: string,
    request: SlotRequest,
    seen: QueueLook | undefined,
  ): Promise<SlotDecision | { taken: TakenSlot }> {
    const id = randomUUID();
    for (let race = 0; race < MAX_RACES; race += 1) {
      if (request.signal?.aborted === true) return this.busy(request.policy);
      const stored = race === 0 && seen !== undefined ? seen : await this.read(bucket);
      const now = this.now();
      const caller = { id, tenantId: request.tenantId, priority: request.priority, weight: request.weight };
      const arrival = arrive(
        stored.queue,
        { ...caller, enqueuedAt: now },
        now,
        request.waitUntil,
        request.policy,
        request.waitUntil + LATE_LOOK_MS,
      );
      if (arrival.kind === "refused") return { granted: false, retryAfterMs: arrival.retryAfterMs };
      if (!(await this.write(bucket, arrival.queue, stored.version))) {
        await this.pause(Math.random() * RACE_JITTER_MS);
        continue;
      }
      if (arrival.kind === "granted") {
        return { taken: { at: now, nextSlotAt: arrival.queue.nextSlotAt, before: stored.queue.nextSlotAt } };
      }
      return this.waitForTurn(bucket, id, request, arrival.slotAt);
    }
    return this.busy(request.policy);
  }

  private async waitForTurn(
    bucket: string,
    id: string,
    request: SlotRequest,
    firstLook: number,
  ): Promise<SlotDecision | { taken: TakenSlot }> {
    let lookAt = firstLook;
    for (let races = 0; races < MAX_RACES; ) {
      await this.pauseUnlessAborted(Math.max(MIN_LOOK_MS, lookAt - this.now()), request.signal);
      if (request.signal?.aborted === true) {
        await this.leave(bucket, id);
        return this.busy(request.policy);
      }
      const stored = await this.read(bucket);
      const now = this.now();
      const next = turn(stored.queue, id, now, request.policy);
      if (next.kind === "gone") return this.busy(request.policy);
      // A late look may find a slot that opened after the caller's wait: not its to take.
      if (next.kind === "take" && (stored.queue.nextSlotAt ?? now) > request.waitUntil) {
        await this.leave(bucket, id);
        return this.busy(request.policy);
      }
      if (next.kind === "take") {
        if (await this.write(bucket, next.queue, stored.version)) {
          return { taken: { at: now, nextSlotAt: next.queue.nextSlotAt, before: stored.queue.nextSlotAt } };
        }
        races += 1;
        lookAt = now;
        continue;
      }
      if (next.until > request.waitUntil) {
        await this.leave(bucket, id);
        return { granted: false, retryAfterMs: Math.max(1, Math.ceil(next.until - now)) };
      }
      lookAt = next.until;
    }
    await this.leave(bucket, id);
    return this.busy(request.policy);
  }

  /** Pauses `ms`, or until `signal` aborts. */
  private async pauseUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal === undefined) return this.pause(ms);
    if (signal.aborted) return;
    let stop = (): void => undefined;
    const aborted = new Promise<void>((resolve) => {
      stop = resolve;
      signal.addEventListener("abort", stop, { once: true });
    });
    await Promise.race([this.pause(ms), aborted]);
    signal.removeEventListener("abort", stop);
  }

  /** Gives up a place in the queue; a lost race only means someone else already pruned or moved it. */
  private async leave(bucket: string, id: string): Promise<void> {
    for (let race = 0; race < MAX_RACES; race += 1) {
      const stored = await this.read(bucket);
      if (!stored.queue.waiters.some((waiter) => waiter.id === id)) return;
      if (await this.write(bucket, leave(stored.queue, id, this.now()), stored.version)) return;
      await this.pause(Math.random() * RACE_JITTER_MS);
    }
  }

  /** Under that much contention the queue is clearly busy: refuse rather than spin. */
  private busy(policy: SlotPolicy): SlotDecision {
    return { granted: false, retryAfterMs: Math.ceil(policy.intervalMs) };
  }

  /** The queue item now (a consistent read), for a caller that reads it beside other work. */
  look(bucket: string): Promise<QueueLook> {
    return this.read(bucket);
  }

  private async read(bucket: string): Promise<QueueLook> {
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName("supplierState"), Key: { pk: bucket }, ConsistentRead: true }),
    );
    const item = result.Item;
    if (item === undefined) return { queue: EMPTY_QUEUE, version: 0 };
    return { queue: item.queue as SlotQueue, version: item.version as number };
  }

  private async write(bucket: string, queue: SlotQueue, seen: number): Promise<boolean> {
    try {
      await dynamo().send(
        new PutCommand({
          TableName: tableName("supplierState"),
          Item: {
            pk: bucket,
            queue,
            version: seen + 1,
            expires_at: epochSeconds(Math.max(queue.nextSlotAt ?? 0, this.now())) + 3_600,
          },
          ConditionExpression: seen === 0 ? "attribute_not_exists(pk)" : "version = :seen",
          ...(seen === 0 ? {} : { ExpressionAttributeValues: { ":seen": seen } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }
}
