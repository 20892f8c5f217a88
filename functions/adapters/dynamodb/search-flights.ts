import { randomUUID } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SupplierOffer } from "../../domain/offer";
import { SupplierError, type SupplierFailureKind } from "../../domain/supplier";
import { afterAnswer } from "../../shared/bookkeeping";
import { tableName } from "../../shared/config";
import { readEarly } from "../../use-cases/early-read";
import type { CoalescedSearch, SearchCoalescer } from "../../use-cases/ports";
import { dynamo, epochSeconds, isConditionalCheckFailure, unlessConditionFailed } from "./client";

interface FlightItem {
  state: "pending" | "done" | "failed";
  leader: string;
  lease_until: number;
  done_at?: number;
  result?: string;
  error?: {
    kind: SupplierFailureKind;
    message: string;
    retry_after_s?: number;
    status?: number;
    supplier_code?: string;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Search coalescing across every Lambda. The first caller of a search key becomes its leader
 * (a conditional put) and calls DRCT; identical searches arriving while it is in flight, or
 * within `windowMs` after it landed, wait for and share its answer instead of calling DRCT.
 * A leader that dies loses its lease and the next caller takes over.
 */
export class DynamoSearchCoalescer implements SearchCoalescer {
  private readonly inner: DynamoCoalescer<SupplierOffer[]>;

  constructor(windowMs: number, now: () => number = Date.now) {
    this.inner = new DynamoCoalescer(windowMs, now);
  }

  begin(key: string, deadlineAt: number): CoalescedSearch {
    const flight = this.inner.begin(key, deadlineAt);
    return {
      run: async (lead) => {
        const { value, role } = await flight.run(lead);
        return { offers: value, role };
      },
      drop: () => flight.drop(),
    };
  }
}

/** A coalesced call whose claim has started: `run` leads or shares it; `drop` lets the claim go unused. */
export interface Flight<T> {
  run(lead: () => Promise<T>): Promise<Shared<T>>;
  drop(): void;
}

/** What a coalesced call came to: `leader` made the DRCT call, `joined` shared another caller's. */
export interface Shared<T> {
  readonly value: T;
  readonly role: "leader" | "joined";
}

/**
 * The same for any DRCT read whose answer is JSON (searches, flight status): one call per key
 * across every Lambda, shared by whoever asks while it is in flight or within `windowMs` after.
 */
export class DynamoCoalescer<T> {
  /** Joiners in this process share one poll per key instead of one each. */
  private readonly polls = new Map<string, Promise<Shared<T>>>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  run(key: string, deadlineAt: number, lead: () => Promise<T>): Promise<Shared<T>> {
    return this.begin(key, deadlineAt).run(lead);
  }

  /**
   * Claims the key's call now, beside the caller's other reads (a cache read that may yet make
   * the call unneeded). A claim dropped unused is let go beside the answer; meanwhile an
   * identical caller waits for it a poll or two, then leads itself.
   */
  begin(key: string, deadlineAt: number): Flight<T> {
    const me = randomUUID();
    const claimed = readEarly(this.claim(key, me, this.now(), deadlineAt));
    return {
      run: (lead) => this.runClaimed(key, deadlineAt, lead, { me, claimed }),
      drop: () =>
        afterAnswer("unused coalescing claim", async () => {
          if (await claimed.catch(() => false)) await this.abandon(key, me);
        }),
    };
  }

  private async runClaimed(
    key: string,
    deadlineAt: number,
    lead: () => Promise<T>,
    first: { readonly me: string; readonly claimed: Promise<boolean> },
  ): Promise<Shared<T>> {
    for (let round = 0; ; round += 1) {
      const me = round === 0 ? first.me : randomUUID();
      const won = round === 0 ? await first.claimed : await this.claim(key, me, this.now(), deadlineAt);
      if (won) return this.lead(key, me, lead);
      const shared = this.polls.get(key) ?? this.follow(key, deadlineAt);
      this.polls.set(key, shared);
      try {
        return await shared;
      } catch (error) {
        if (error instanceof LeaderGone && this.now() < deadlineAt) continue;
        throw error;
      } finally {
        if (this.polls.get(key) === shared) this.polls.delete(key);
      }
    }
  }

  private async claim(key: string, me: string, now: number, leaseUntil: number): Promise<boolean> {
    try {
      await dynamo().send(
        new PutCommand({
          TableName: tableName("supplierState"),
          Item: {
            pk: `FLIGHT#${key}`,
            state: "pending",
            leader: me,
            lease_until: leaseUntil,
            expires_at: epochSeconds(now) + 3_600,
          },
          ConditionExpression:
            "attribute_not_exists(pk) OR (#state = :pending AND lease_until < :now) OR (#state <> :pending AND done_at < :stale)",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":pending": "pending", ":now": now, ":stale": now - this.windowMs },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  private async lead(key: string, me: string, lead: () => Promise<T>): Promise<Shared<T>> {
    let value: T;
    try {
      value = await lead();
    } catch (error) {
      // A supplier failure is the search's and is shared; anything else (the leader's tenant
      // budget, a bug) is the leader's own, and the next caller may lead instead.
      if (error instanceof SupplierError) await this.land(key, me, { state: "failed", error: storedError(error) });
      else await this.abandon(key, me);
      throw error;
    }
    // Joiners poll for the landing; the leader's own answer need not wait for it.
    afterAnswer("search landing", () => this.land(key, me, { state: "done", result: JSON.stringify(value) }));
    return { value, role: "leader" };
  }

  private async land(key: string, me: string, outcome: Pick<FlightItem, "state" | "result" | "error">): Promise<void> {
    await dynamo()
      .send(
        new UpdateCommand({
          TableName: tableName("supplierState"),
          Key: { pk: `FLIGHT#${key}` },
          UpdateExpression: "SET #state = :state, done_at = :now, #result = :result, #error = :error",
          ConditionExpression: "leader = :me",
          ExpressionAttributeNames: { "#state": "state", "#result": "result", "#error": "error" },
          ExpressionAttributeValues: {
            ":state": outcome.state,
            ":now": this.now(),
            ":result": outcome.result ?? null,
            ":error": outcome.error ?? null,
            ":me": me,
          },
        }),
      )
      // Another caller took over after our lease ran out; its answer will be the shared one.
      .catch(unlessConditionFailed);
  }

  private async abandon(key: string, me: string): Promise<void> {
    await dynamo()
      .send(
        new DeleteCommand({
          TableName: tableName("supplierState"),
          Key: { pk: `FLIGHT#${key}` },
          ConditionExpression: "leader = :me",
          ExpressionAttributeValues: { ":me": me },
        }),
      )
      .catch(unlessConditionFailed);
  }

  private async follow(key: string, deadlineAt: number): Promise<Shared<T>> {
    for (let round = 0; ; round += 1) {
      const result = await dynamo().send(
        new GetCommand({ TableName: tableName("supplierState"), Key: { pk: `FLIGHT#${key}` }, ConsistentRead: true }),
      );
      const item = result.Item as FlightItem | undefined;
      const now = this.now();
      if (item === undefined) throw new LeaderGone();
      if (item.state === "done" && item.result !== undefined) {
        return { value: JSON.parse(item.result) as T, role: "joined" };
      }
      if (item.state === "failed" && item.error !== undefined) throw restoredError(item.error);
      if (item.state === "pending" && item.lease_until < now) throw new LeaderGone();
      if (now >= deadlineAt) throw new SupplierError("timeout", "the shared DRCT search did not land in time");
      await sleep(Math.min(200, 20 * 2 ** Math.min(round, 4)));
    }
  }
}

class LeaderGone extends Error {}

const storedError = (error: SupplierError): NonNullable<FlightItem["error"]> => ({
  kind: error.kind,
  message: error.message,
  retry_after_s: error.retryAfterSeconds,
  status: error.status,
  supplier_code: error.supplierCode,
});

const restoredError = (stored: NonNullable<FlightItem["error"]>): Error =>
  new SupplierError(stored.kind, stored.message, {
    retryAfterSeconds: stored.retry_after_s ?? undefined,
    status: stored.status ?? undefined,
    supplierCode: stored.supplier_code ?? undefined,
  });
