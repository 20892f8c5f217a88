import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  decide,
  emissionInterval,
  type RateDecision,
  type RateLimitPolicy,
  remainingAt,
} from "../../domain/rate-limit";
import { tableName } from "../../shared/config";
import { dynamo, epochSeconds, isConditionalCheckFailure, unlessConditionFailed } from "./client";

export interface BucketState {
  readonly remaining: number;
  readonly resetMs: number;
}

/** Optimistic concurrency: a lost race re-reads and decides again; this many times at most. */
const MAX_RACES = 8;

/**
 * GCRA buckets in DynamoDB (SupplierState table), shared by every Lambda: a claim writes the
 * bucket's new TAT on condition that it is still the one the decision was made on.
 *
 * One round trip in the usual case: a bucket's TAT only ever grows, so the last TAT this
 * environment saw is a lower bound of the stored one. A bucket idle as far as we know is
 * claimed with "whatever is stored is in the past"; a refusal on the lower bound is a refusal
 * on the stored TAT too; otherwise the write is conditional on the TAT we saw. Only a lost
 * race reads the bucket and decides again. A claim given back (release) lowers the TAT; an
 * environment that saw the higher one may then refuse, for at most one interval, a call the
 * bucket would have taken, which errs only towards sparing DRCT.
 */
export class DynamoRateLimiter {
  private readonly seen = new Map<string, number>();
  /** When this environment last read or wrote each bucket. */
  private readonly seenAt = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(bucket: string, policy: RateLimitPolicy): Promise<RateDecision> {
    const known = this.seen.get(bucket);
    const now = this.now();
    if (known === undefined || known <= now) {
      const decision = decide(policy, undefined, now);
      if (await this.write(bucket, decision.nextTat, { idleAt: now })) return decision;
    } else {
      const decision = decide(policy, known, now);
      if (!decision.granted) return decision;
      if (await this.write(bucket, decision.nextTat, { seen: known })) return decision;
    }
    for (let race = 0; race < MAX_RACES; race += 1) {
      const stored = await this.read(bucket);
      const decision = decide(policy, stored, this.now());
      if (!decision.granted) return decision;
      const written = await this.write(
        bucket,
        decision.nextTat,
        stored === undefined ? { absent: true } : { seen: stored },
      );
      if (written) return decision;
    }
    // Under that much contention the bucket is clearly busy: refuse rather than spin.
    const interval = policy.windowMs / policy.limit;
    return {
      granted: false,
      nextTat: this.now(),
      remaining: 0,
      retryAfterMs: Math.ceil(interval),
      resetMs: Math.ceil(interval),
    };
  }

  /**
   * Gives a granted claim back (the call it was for will not be made): the bucket's TAT goes
   * back one interval, whatever was claimed since (GCRA's TAT is a count of what is spent, and
   * a TAT in the past is a full bucket, never more).
   */
  async release(bucket: string, policy: RateLimitPolicy, granted: RateDecision): Promise<void> {
    if (!granted.granted) return;
    await dynamo()
      .send(
        new UpdateCommand({
          TableName: tableName("supplierState"),
          Key: { pk: bucket },
          UpdateExpression: "SET tat = tat - :interval",
          ConditionExpression: "attribute_exists(tat)",
          ExpressionAttributeValues: { ":interval": emissionInterval(policy) },
        }),
      )
      .catch(unlessConditionFailed);
  }

  /** Writes the bucket's next TAT if the stored one is as expected; false when another claim won. */
  private async write(
    bucket: string,
    tat: number,
    expected: { readonly idleAt: number } | { readonly seen: number } | { readonly absent: true },
  ): Promise<boolean> {
    const condition =
      "idleAt" in expected
        ? { ConditionExpression: "attribute_not_exists(tat) OR tat <= :now", values: { ":now": expected.idleAt } }
        : "seen" in expected
          ? { ConditionExpression: "tat = :seen", values: { ":seen": expected.seen } }
          : { ConditionExpression: "attribute_not_exists(pk)", values: undefined };
    try {
      await dynamo().send(
        new PutCommand({
          TableName: tableName("supplierState"),
          Item: { pk: bucket, tat, expires_at: epochSeconds(tat) + 3_600 },
          ConditionExpression: condition.ConditionExpression,
          ...(condition.values === undefined ? {} : { ExpressionAttributeValues: condition.values }),
        }),
      );
      this.seen.set(bucket, tat);
      this.seenAt.set(bucket, this.now());
      return true;
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      return false;
    }
  }

  /**
   * True when a claim would be refused on what this environment already knows (the TAT it
   * last saw is a lower bound of the stored one): the refusal `claim` gives without a round trip.
   */
  refuses(bucket: string, policy: RateLimitPolicy): boolean {
    const known = this.seen.get(bucket);
    return known !== undefined && !decide(policy, known, this.now()).granted;
  }

  /** The newest TAT this environment has read or written for the bucket. */
  known(bucket: string): number | undefined {
    return this.seen.get(bucket);
  }

  /**
   * The bucket's state; with `fresherThanMs`, from what this environment read or wrote that
   * recently instead of a read (for advisory answers such as the rate-limit headers).
   */
  async peek(bucket: string, policy: RateLimitPolicy, options: { fresherThanMs?: number } = {}): Promise<BucketState> {
    const seenAt = this.seenAt.get(bucket);
    const recent =
      options.fresherThanMs !== undefined && seenAt !== undefined && this.now() - seenAt < options.fresherThanMs;
    const tat = recent ? this.seen.get(bucket) : await this.read(bucket);
    const now = this.now();
    return { remaining: remainingAt(policy, tat, now), resetMs: Math.max(0, Math.ceil((tat ?? now) - now)) };
  }

  private async read(bucket: string): Promise<number | undefined> {
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName("supplierState"), Key: { pk: bucket }, ConsistentRead: true }),
    );
    const tat = result.Item?.tat;
    this.seenAt.set(bucket, this.now());
    if (typeof tat !== "number") return undefined;
    this.seen.set(bucket, Math.max(tat, this.seen.get(bucket) ?? tat));
    return tat;
  }
}
