/** GuardedSupplier with DRCT's searches paced by the fair slot queue (the account budget of search). */
import { describe, expect, test } from "vitest";
import {
  type Admission,
  type BreakerPort,
  type RateLimiterPort,
  type SlotQueuePort,
  slotQueueKey,
} from "../../functions/adapters/drct/guard-ports";
import { GuardedSupplier } from "../../functions/adapters/drct/guarded-supplier";
import { AvfError } from "../../functions/domain/errors";
import { SupplierError } from "../../functions/domain/supplier";
import { settleBookkeeping } from "../../functions/shared/bookkeeping";
import type { CallContext } from "../../functions/use-cases/ports";
import { CRITERIA, OFFER, T0 } from "./supplier-fixtures";

const CALL: CallContext = { tenantId: "ten_1", plan: "premium", correlationId: "corr-1", deadlineAt: T0 + 20_000 };

type Acquire = Parameters<SlotQueuePort["acquire"]>;

/**
 * Grants or refuses per its script (past it, grants; "queued": waits in line until its signal
 * aborts, then refuses); records every request.
 */
class ScriptedSlots implements SlotQueuePort {
  readonly requests: { bucket: Acquire[0]; request: Omit<Acquire[1], "signal"> }[] = [];
  readonly signals: (AbortSignal | undefined)[] = [];
  readonly used: Parameters<SlotQueuePort["markUsed"]>[] = [];
  readonly givenBack: Parameters<SlotQueuePort["giveBack"]>[] = [];
  readonly looks: string[] = [];
  readonly seen: Acquire[2][] = [];
  constructor(private readonly script: (true | number | "queued")[] = []) {}
  async look(bucket: string) {
    this.looks.push(bucket);
    return { queue: { waiters: [] }, version: 7 } as unknown as Awaited<ReturnType<SlotQueuePort["look"]>>;
  }
  async acquire(bucket: Acquire[0], { signal, ...request }: Acquire[1], seen?: Acquire[2]) {
    this.requests.push({ bucket, request });
    this.signals.push(signal);
    this.seen.push(seen);
    const verdict = this.script.shift() ?? true;
    if (verdict === "queued") {
      await new Promise((resolve) => signal?.addEventListener("abort", resolve, { once: true }));
      return { granted: false, retryAfterMs: 1_100 };
    }
    return verdict === true
      ? { granted: true, retryAfterMs: 0, at: T0 - 5, nextSlotAt: T0 + 1_095, before: T0 - 5 }
      : { granted: false, retryAfterMs: verdict };
  }
  async markUsed(...args: Parameters<SlotQueuePort["markUsed"]>) {
    this.used.push(args);
  }
  async giveBack(...args: Parameters<SlotQueuePort["giveBack"]>) {
    this.givenBack.push(args);
  }
}

const grantAll: RateLimiterPort = {
  claim: async () => ({ granted: true, nextTat: T0, remaining: 1, retryAfterMs: 0, resetMs: 0 }),
  release: async () => undefined,
  refuses: () => false,
};
const closedBreaker: BreakerPort = {
  admit: async () => ({ allowed: true }),
  recordFailure: async () => undefined,
  recordSuccess: async () => undefined,
};

interface Scenario {
  /** The tenant's budget: granted, or refused with this retryAfterMs. */
  readonly tenant?: true | number;
  /** The environment already knows the tenant is past its budget. */
  readonly knownRefused?: boolean;
  readonly breaker?: Admission;
}

const guard = (slots: ScriptedSlots, searches: (SupplierError | "ok")[] = [], scenario: Scenario = {}) => {
  const limiterClaims: string[] = [];
  const released: string[] = [];
  const searched: string[] = [];
  const supplier = new GuardedSupplier({
    client: {
      search: async () => {
        searched.push("search");
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
        const refusal = bucket.startsWith("RATE#tenant#") ? scenario.tenant : undefined;
        if (typeof refusal === "number") {
          return { granted: false, nextTat: T0 + refusal, remaining: 0, retryAfterMs: refusal, resetMs: refusal };
        }
        return grantAll.claim(bucket, policy);
      },
      release: async (bucket) => {
        released.push(bucket);
      },
      refuses: (bucket) => bucket.startsWith("RATE#tenant#") && scenario.knownRefused === true,
    },
    breaker: { ...closedBreaker, admit: async () => scenario.breaker ?? { allowed: true } },
    retry: { maxRetries: 3, baseDelayMs: 100 },
    accountLimits: { search: { limit: 1, windowMs: 1_100, burst: 1 } },
    slots: { queue: slots, slotWaitMs: 1_500 },
    now: () => T0,
    sleep: async () => undefined,
    random: () => 0.5,
  });
  return { supplier, limiterClaims, released, searched };
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
      [
        slotQueueKey("search"),
        { at: T0 - 5, nextSlotAt: T0 + 1_095, before: T0 - 5 },
        slots.requests[0]?.request.policy,
      ],
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

  test("the tenant's budget and the slot are claimed together; a slot taken for a refused tenant is given back", async () => {
    const slots = new ScriptedSlots();
    const { supplier, limiterClaims, searched } = guard(slots, [], { tenant: 4_001 });
    const error = await supplier.search(CRITERIA, CALL).catch((caught: unknown) => caught);
    await settleBookkeeping();
    expect(error).toBeInstanceOf(AvfError);
    expect(error).toMatchObject({ code: "AVF_429_RATE_LIMITED", retryAfterSeconds: 5 });
    expect(limiterClaims).toEqual(["RATE#tenant#ten_1#drct#search"]);
    expect(slots.requests).toHaveLength(1);
    expect(slots.givenBack).toEqual([[slotQueueKey("search"), { at: T0 - 5, nextSlotAt: T0 + 1_095, before: T0 - 5 }]]);
    expect(slots.used).toEqual([]);
    expect(searched).toEqual([]);
  });

  test("a tenant refused while its search waits in line leaves the queue at once", async () => {
    const slots = new ScriptedSlots(["queued"]);
    const { supplier } = guard(slots, [], { tenant: 4_001 });
    const error = await supplier.search(CRITERIA, CALL).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "AVF_429_RATE_LIMITED" });
    expect(slots.signals[0]?.aborted).toBe(true);
    expect(slots.givenBack).toEqual([]);
  });

  test("a tenant this environment knows is past its budget takes no slot", async () => {
    const slots = new ScriptedSlots();
    const { supplier, limiterClaims } = guard(slots, [], { tenant: 4_001, knownRefused: true });
    const error = await supplier.search(CRITERIA, CALL).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "AVF_429_RATE_LIMITED" });
    expect(limiterClaims).toEqual(["RATE#tenant#ten_1#drct#search"]);
    expect(slots.requests).toEqual([]);
  });

  test("an open breaker refuses before any budget or slot is spent", async () => {
    const slots = new ScriptedSlots();
    const { supplier, limiterClaims, searched } = guard(slots, [], {
      breaker: { allowed: false, retryAfterMs: 9_000 },
    });
    const error = await supplier.search(CRITERIA, CALL).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "circuit_open", retryAfterSeconds: 9 });
    expect(limiterClaims).toEqual([]);
    expect(slots.requests).toEqual([]);
    expect(searched).toEqual([]);
  });

  test("a prepared search decides on the looks it started; a dropped one makes no call", async () => {
    const slots = new ScriptedSlots();
    const { supplier, searched } = guard(slots);
    const dropped = supplier.prepareSearch(CRITERIA, CALL);
    const made = supplier.prepareSearch(CRITERIA, CALL);
    expect(slots.looks).toHaveLength(2);
    dropped.drop();
    await made.run();
    await settleBookkeeping();
    expect(slots.looks).toHaveLength(2);
    expect(slots.requests).toHaveLength(1);
    expect(searched).toEqual(["search"]);
  });

  test("other operations keep their GCRA account bucket", async () => {
    const slots = new ScriptedSlots();
    const { supplier, limiterClaims } = guard(slots);
    await supplier.price("drct-offer-1", CALL);
    expect(slots.requests).toEqual([]);
    expect(limiterClaims).toEqual(["RATE#tenant#ten_1#drct#price", "RATE#account#drct#price"]);
  });
});
