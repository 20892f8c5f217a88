/** GuardedSupplier with DRCT's searches paced by the fair slot queue (the account budget of search). */
import { describe, expect, test } from "vitest";
import {
  type BreakerPort,
  GuardedSupplier,
  type RateLimiterPort,
  type SlotQueuePort,
  slotQueueKey,
} from "../../functions/adapters/drct/guarded-supplier";
import { AvfError } from "../../functions/domain/errors";
import { SupplierError } from "../../functions/domain/supplier";
import type { CallContext } from "../../functions/use-cases/ports";
import { CRITERIA, OFFER, T0 } from "./supplier-fixtures";

const CALL: CallContext = { tenantId: "ten_1", plan: "premium", correlationId: "corr-1", deadlineAt: T0 + 20_000 };

type Acquire = Parameters<SlotQueuePort["acquire"]>;

/** Grants or refuses per its script (past it, grants); records every request. */
class ScriptedSlots implements SlotQueuePort {
  readonly requests: { bucket: Acquire[0]; request: Acquire[1] }[] = [];
  readonly used: Parameters<SlotQueuePort["markUsed"]>[] = [];
  readonly looks: string[] = [];
  readonly seen: Acquire[2][] = [];
  constructor(private readonly script: (true | number)[] = []) {}
  async look(bucket: string) {
    this.looks.push(bucket);
    return { queue: { waiters: [] }, version: 7 } as unknown as Awaited<ReturnType<SlotQueuePort["look"]>>;
  }
  async acquire(bucket: Acquire[0], request: Acquire[1], seen?: Acquire[2]) {
    this.requests.push({ bucket, request });
    this.seen.push(seen);
    const verdict = this.script.shift() ?? true;
    return verdict === true
      ? { granted: true, retryAfterMs: 0, at: T0 - 5, nextSlotAt: T0 + 1_095 }
      : { granted: false, retryAfterMs: verdict };
  }
  async markUsed(...args: Parameters<SlotQueuePort["markUsed"]>) {
    this.used.push(args);
  }
}

const grantAll: RateLimiterPort = {
  claim: async () => ({ granted: true, nextTat: T0, remaining: 1, retryAfterMs: 0, resetMs: 0 }),
  release: async () => undefined,
};
const closedBreaker: BreakerPort = {
  admit: async () => ({ allowed: true }),
  recordFailure: async () => undefined,
  recordSuccess: async () => undefined,
};

const guard = (slots: ScriptedSlots, searches: (SupplierError | "ok")[] = []) => {
  const limiterClaims: string[] = [];
  const supplier = new GuardedSupplier({
    client: {
      search: async () => {
        const next = searches.shift() ?? "ok";
        if (next !== "ok") throw next;
        return [OFFER];
      },
      price: async () => OFFER,
      createOrder: async () => {
        throw new Error("not scripted");
      },
      findOrder: async () => undefined,
      issue: async () => {
        throw new Error("not scripted");
      },
      cancel: async () => {
        throw new Error("not scripted");
      },
      release: async () => {
        throw new Error("not scripted");
      },
      cancelPassengers: async () => {
        throw new Error("not scripted");
      },
      changeOffers: async () => {
        throw new Error("not scripted");
      },
      applyChange: async () => {
        throw new Error("not scripted");
      },
      readOrder: async () => {
        throw new Error("not scripted");
      },
      flightStatus: async () => {
        throw new Error("not scripted");
      },
      acknowledgeScheduleChange: async () => {
        throw new Error("not scripted");
      },
    },
    limiter: {
      claim: async (bucket, policy) => {
        limiterClaims.push(bucket);
        return grantAll.claim(bucket, policy);
      },
      release: grantAll.release,
    },
    breaker: closedBreaker,
    retry: { maxRetries: 3, baseDelayMs: 100 },
    accountLimits: { search: { limit: 1, windowMs: 1_100, burst: 1 } },
    slots: { queue: slots, slotWaitMs: 1_500 },
    now: () => T0,
    sleep: async () => undefined,
    random: () => 0.5,
  });
  return { supplier, limiterClaims };
};

describe("searches go through the fair slot queue", () => {
  test("an interactive first try waits at most slotWaitMs, as an interactive call of the tenant's plan weight", async () => {
    const slots = new ScriptedSlots();
    const { supplier, limiterClaims } = guard(slots);
    expect(await supplier.search(CRITERIA, CALL)).toEqual([OFFER]);
    expect(slots.requests).toEqual([
      {
        bucket: slotQueueKey("search"),
        request: {
          tenantId: "ten_1",
          priority: "interactive",
          weight: 2,
          waitUntil: T0 + 1_500,
          policy: { intervalMs: 1_100, backgroundEvery: 4, headGraceMs: 250 },
        },
      },
    ]);
    // The tenant's plan budget is still claimed; the account's search bucket is the queue now.
    expect(limiterClaims).toEqual(["RATE#tenant#ten_1#drct#search"]);
    // Once the call is on its way, the queue hears when its slot was taken, to keep the next one away.
    expect(slots.used).toEqual([
      [slotQueueKey("search"), { at: T0 - 5, nextSlotAt: T0 + 1_095 }, slots.requests[0]?.request.policy],
    ]);
  });

  test("the wait never goes past the caller's deadline, and a background caller says so", async () => {
    const slots = new ScriptedSlots();
    const { supplier } = guard(slots);
    await supplier.search(CRITERIA, { ...CALL, deadlineAt: T0 + 400, priority: "background", plan: "standard" });
    expect(slots.requests[0]?.request).toMatchObject({ waitUntil: T0 + 400, priority: "background", weight: 1 });
  });

  test("refused beyond the wait: 429 from DRCT's budget with when to retry, and DRCT is not called", async () => {
    const slots = new ScriptedSlots([2_300]);
    const { supplier } = guard(slots);
    const error = await supplier.search(CRITERIA, CALL).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SupplierError);
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterSeconds: 3 });
    expect(error).not.toBeInstanceOf(AvfError);
  });

  test("a retry after a DRCT failure waits for its slot until the deadline", async () => {
    const slots = new ScriptedSlots();
    const { supplier } = guard(slots, [new SupplierError("server_error", "DRCT answered 503", { status: 503 })]);
    expect(await supplier.search(CRITERIA, CALL)).toEqual([OFFER]);
    expect(slots.requests.map((entry) => entry.request.waitUntil)).toEqual([T0 + 1_500, CALL.deadlineAt]);
  });

  test("the queue is read beside the tenant's budget and the breaker, and its first take decides on that read", async () => {
    const slots = new ScriptedSlots();
    const { supplier } = guard(slots);
    await supplier.search(CRITERIA, CALL);
    expect(slots.looks).toEqual([slotQueueKey("search")]);
    expect(slots.seen).toEqual([{ queue: { waiters: [] }, version: 7 }]);
  });

  test("a retry reads the queue afresh", async () => {
    const slots = new ScriptedSlots();
    const { supplier } = guard(slots, [new SupplierError("server_error", "DRCT 500")]);
    await supplier.search(CRITERIA, CALL);
    expect(slots.seen).toEqual([{ queue: { waiters: [] }, version: 7 }, undefined]);
  });

  test("other operations keep their GCRA account bucket", async () => {
    const slots = new ScriptedSlots();
    const { supplier, limiterClaims } = guard(slots);
    await supplier.price("drct-offer-1", CALL);
    expect(slots.requests).toEqual([]);
    expect(limiterClaims).toEqual(["RATE#tenant#ten_1#drct#price", "RATE#account#drct#price"]);
  });
});
