import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  admit,
  afterFailure,
  afterSuccess,
  type BreakerPolicy,
  type BreakerState,
  type BreakerStatus,
  CLOSED,
} from "../../domain/breaker";
import { tableName } from "../../shared/config";
import type { Admission } from "../drct/guard-ports";
import { dynamo, isConditionalCheckFailure } from "./client";

const KEY = { pk: "BREAKER#drct" };

export type BreakerTransition = "opened" | "recovered";

/**
 * The DRCT circuit breaker's state in DynamoDB, shared by every Lambda. Transitions are
 * conditional on the version read, so two invocations cannot both open it or both probe.
 */
export class DynamoCircuitBreaker {
  /** The state this environment last read or wrote: a success on a clean closed breaker writes nothing. */
  private lastSeen: BreakerState | undefined;

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly onTransition: (transition: BreakerTransition, state: BreakerState) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  async status(): Promise<BreakerStatus> {
    return (await this.read()).status;
  }

  /** Whether a call may go to DRCT now; a refused caller learns how long to wait. */
  async admit(options: { readonly probe?: boolean } = {}): Promise<Admission> {
    for (let race = 0; race < 4; race += 1) {
      const state = await this.read();
      const admission = admit(this.policy, state, this.now());
      if (admission.kind === "call") return { allowed: true };
      if (admission.kind === "reject") return { allowed: false, retryAfterMs: admission.retryAfterMs };
      if (options.probe === false) return { allowed: "probe" };
      if (await this.write(state, admission.next)) return { allowed: true };
    }
    return { allowed: false, retryAfterMs: this.policy.cooldownMs };
  }

  async recordFailure(): Promise<void> {
    for (let race = 0; race < 4; race += 1) {
      const state = await this.read();
      const { next, opened } = afterFailure(this.policy, state, this.now());
      if (await this.write(state, next)) {
        if (opened) await this.onTransition("opened", next);
        return;
      }
    }
  }

  async recordSuccess(): Promise<void> {
    // Closed with no failures when this call was admitted: nothing to reset (failures others
    // recorded since stay counted, which only errs toward opening).
    if (this.lastSeen !== undefined && afterSuccess(this.lastSeen) === undefined) return;
    for (let race = 0; race < 4; race += 1) {
      const state = await this.read();
      const outcome = afterSuccess(state);
      if (outcome === undefined) return;
      if (await this.write(state, outcome.next)) {
        if (outcome.recovered) await this.onTransition("recovered", outcome.next);
        return;
      }
    }
  }

  private async read(): Promise<BreakerState> {
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName("supplierState"), Key: KEY, ConsistentRead: true }),
    );
    const item = result.Item;
    const state: BreakerState =
      item === undefined
        ? CLOSED
        : {
            status: item.status as BreakerStatus,
            failures: Number(item.failures),
            windowStart: Number(item.window_start),
            openedAt: Number(item.opened_at),
            probeUntil: Number(item.probe_until),
            version: Number(item.version),
          };
    this.lastSeen = state;
    return state;
  }

  private async write(seen: BreakerState, next: BreakerState): Promise<boolean> {
    try {
      await dynamo().send(
        new PutCommand({
          TableName: tableName("supplierState"),
          Item: {
            ...KEY,
            status: next.status,
            failures: next.failures,
            window_start: next.windowStart,
            opened_at: next.openedAt,
            probe_until: next.probeUntil,
            version: next.version,
            updated_at: new Date(this.now()).toISOString(),
          },
          ConditionExpression: seen.version === 0 ? "attribute_not_exists(pk) OR version = :seen" : "version = :seen",
          ExpressionAttributeValues: { ":seen": seen.version },
        }),
      );
      this.lastSeen = next;
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }
}
