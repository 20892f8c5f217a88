import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { decide, type RateDecision, type RateLimitPolicy, remainingAt } from "../../domain/rate-limit";
import { tableName } from "../../shared/config";
import { dynamo, epochSeconds, isConditionalCheckFailure } from "./client";

export interface BucketState {
  readonly remaining: number;
  readonly resetMs: number;
}

/** Optimistic concurrency: a lost race re-reads and decides again; this many times at most. */
const MAX_RACES = 8;

/**
 * GCRA buckets in DynamoDB (SupplierState table), shared by every Lambda: a claim reads the
 * bucket's TAT and writes the new one on condition that nobody else wrote in between.
 */
export class DynamoRateLimiter {
  constructor(private readonly now: () => number = Date.now) {}

  async claim(bucket: string, policy: RateLimitPolicy): Promise<RateDecision> {
    for (let race = 0; race < MAX_RACES; race += 1) {
      const stored = await this.read(bucket);
      const now = this.now();
      const decision = decide(policy, stored, now);
      if (!decision.granted) return decision;
      try {
        await dynamo().send(
          new PutCommand({
            TableName: tableName("supplierState"),
            Item: { pk: bucket, tat: decision.nextTat, expires_at: epochSeconds(decision.nextTat) + 3_600 },
            ConditionExpression: stored === undefined ? "attribute_not_exists(pk)" : "tat = :seen",
            ...(stored === undefined ? {} : { ExpressionAttributeValues: { ":seen": stored } }),
          }),
        );
        return decision;
      } catch (error) {
        if (!isConditionalCheckFailure(error)) throw error;
      }
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

  async peek(bucket: string, policy: RateLimitPolicy): Promise<BucketState> {
    const tat = await this.read(bucket);
    const now = this.now();
    return { remaining: remainingAt(policy, tat, now), resetMs: Math.max(0, Math.ceil((tat ?? now) - now)) };
  }

  private async read(bucket: string): Promise<number | undefined> {
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName("supplierState"), Key: { pk: bucket }, ConsistentRead: true }),
    );
    const tat = result.Item?.tat;
    return typeof tat === "number" ? tat : undefined;
  }
}
