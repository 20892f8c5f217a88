import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Attempt } from "../../functions/adapters/drct/client";
import {
  type Admission,
  accountBucket,
  type BreakerPort,
  type RateLimiterPort,
  type RetryPolicy,
  tenantBucket,
} from "../../functions/adapters/drct/guard-ports";
import { GuardedSupplier } from "../../functions/adapters/drct/guarded-supplier";
import type { DrctOrder } from "../../functions/adapters/drct/wire";
import { AvfError } from "../../functions/domain/errors";
import type { SearchCriteria, SupplierOffer } from "../../functions/domain/offer";
import type { RateDecision, RateLimitPolicy } from "../../functions/domain/rate-limit";
import { SupplierError, type SupplierFailureKind } from "../../functions/domain/supplier";
import type { CallContext, SupplierBooking } from "../../functions/use-cases/ports";
import { ACCOUNT_LIMITS, PLANS } from "../../lib/resources";
import { CRITERIA, OFFER, T0 } from "./supplier-fixtures";

const BASE = 1_000;
const RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: BASE };

const CALL: CallContext = { tenantId: "ten_1", plan: "standard", correlationId: "corr-1", deadlineAt: T0 + 60_000 };

const TENANT_SEARCH = tenantBucket(CALL.tenantId, "search");
const ACCOUNT_SEARCH = accountBucket("search");

/** `true` grants; a number refuses with that retryAfterMs. */
type Verdict = true | number;
/** What the fake client does on one try. */
type Outcome = "ok" | SupplierError | Error;

const serverError = () => new SupplierError("server_error", "DRCT answered 503", { status: 503 });

class Clock {
  now = T0;
}

/** Answers each bucket from its script, in order; past the script it grants. */
class ScriptedLimiter implements RateLimiterPort {
  readonly claims: { bucket: string; policy: RateLimitPolicy; at: number }[] = [];
  private readonly scripts: Map<string, Verdict[]>;

  constructor(
    private readonly clock: Clock,
    private readonly log: string[],
    scripts: Readonly<Record<string, readonly Verdict[]>>,
  ) {
    this.scripts = new Map(Object.entries(scripts).map(([bucket, script]) => [bucket, [...script]]));
  }

  async claim(bucket: string, policy: RateLimitPolicy): Promise<RateDecision> {
    this.claims.push({ bucket, policy, at: this.clock.now });
    const verdict = this.scripts.get(bucket)?.shift() ?? true;
    this.log.push(verdict === true ? `claim ${bucket}` : `refused ${bucket}`);
    return verdict === true
      ? { granted: true, nextTat: this.clock.now + 1, remaining: 0, retryAfterMs: 0, resetMs: 1 }
      : { granted: false, nextTat: this.clock.now + verdict, remaining: 0, retryAfterMs: verdict, resetMs: verdict };
  }

  readonly released: string[] = [];

  async release(bucket: string, _policy: RateLimitPolicy, granted: RateDecision): Promise<void> {
    if (!granted.granted) return;
    this.released.push(bucket);
    this.log.push(`release ${bucket}`);
  }

  refuses(): boolean {
    return false;
  }

  claimsOf(bucket: string): number {
    return this.claims.filter((c) => c.bucket === bucket).length;
  }
}

/** Admits per its script (past the script it admits) and records what it is told. */
class RecordingBreaker implements BreakerPort {
  admits = 0;
  failures = 0;
  successes = 0;
  private readonly script: Verdict[];

  constructor(
    private readonly log: string[],
    script: readonly Verdict[],
  ) {
    this.script = [...script];
  }

  /** Looks that may not take the half-open breaker's probe, and the probes taken. */
  looks = 0;
  probes = 0;
  /** Half-open: the next admission is the probe. */
  halfOpen = false;

  async admit(options: { readonly probe?: boolean } = {}): Promise<Admission> {
    if (this.halfOpen) {
      if (options.probe === false) {
        this.looks += 1;
        this.log.push("breaker half-open");
        return { allowed: "probe" };
      }
      this.halfOpen = false;
      this.probes += 1;
      this.log.push("probe");
      return { allowed: true };
    }
    this.admits += 1;
    const verdict = this.script.shift() ?? true;
    this.log.push(verdict === true ? "admit" : "breaker refused");
    return verdict === true ? { allowed: true } : { allowed: false, retryAfterMs: verdict };
  }

  async recordFailure(): Promise<void> {
    this.failures += 1;
    this.log.push("failure");
  }

  async recordSuccess(): Promise<void> {
    this.successes += 1;
    this.log.push("success");
  }

  get touched(): number {
    return this.admits + this.failures + this.successes;
  }
}

/** Fails or answers search and price per its script, in order; past the script it answers. */
class ScriptedClient {
  readonly calls: {
    operation: "search" | "price" | "order_create";
    attempt: Attempt;
    at: number;
    call: CallContext;
  }[] = [];
  private readonly script: Outcome[];

  constructor(
    private readonly clock: Clock,
    private readonly log: string[],
    script: readonly Outcome[],
  ) {
    this.script = [...script];
  }

  async search(_criteria: SearchCriteria, call: CallContext, attempt: Attempt = 0): Promise<SupplierOffer[]> {
    this.next("search", call, attempt);
    return [OFFER];
  }

  async price(_supplierOfferId: string, call: CallContext, attempt: Attempt = 0): Promise<SupplierOffer> {
    this.next("price", call, attempt);
    return OFFER;
  }

  async createOrder(_booking: SupplierBooking, call: CallContext, attempt: Attempt = 0): Promise<DrctOrder> {
    this.next("order_create", call, attempt);
    return {
      order_id: "DRCT1",
      status: "BOOKED",
      offer_id: "o",
      price: { currency: "EUR", total: 1 },
      passenger_count: 1,
      tickets: [],
      refundable: true,
    };
  }

  // The guard also wraps DRCT's other order calls; these tests do not need them.

  async findOrder(): Promise<never> {
    throw new Error("findOrder is not scripted");
  }

  async issue(): Promise<never> {
    throw new Error("issue is not scripted");
  }

  async cancel(): Promise<never> {
    throw new Error("cancel is not scripted");
  }

  async release(): Promise<never> {
    throw new Error("release is not scripted");
  }

  async cancelPassengers(): Promise<never> {
    throw new Error("cancelPassengers is not scripted");
  }

  async changeOffers(): Promise<never> {
    throw new Error("changeOffers is not scripted");
  }

  async applyChange(): Promise<never> {
    throw new Error("applyChange is not scripted");
  }

  async readOrder(): Promise<never> {
    throw new Error("readOrder is not scripted");
  }

  async flightStatus(): Promise<never> {
    throw new Error("flightStatus is not scripted");
  }

  async acknowledgeScheduleChange(): Promise<never> {
    throw new Error("acknowledgeScheduleChange is not scripted");
  }

  get attempts(): Attempt[] {
    return this.calls.map((c) => c.attempt);
  }

  private next(operation: "search" | "price" | "order_create", call: CallContext, attempt: Attempt): void {
    this.calls.push({ operation, attempt, at: this.clock.now, call });
    this.log.push(`${operation}#${attempt}`);
    const outcome = this.script.shift() ?? "ok";
    if (outcome !== "ok") throw outcome;
  }
}

interface Setup {
  readonly client?: readonly Outcome[];
  readonly limiter?: Readonly<Record<string, readonly Verdict[]>>;
  readonly breaker?: readonly Verdict[];
  readonly retry?: RetryPolicy;
  readonly random?: number;
  readonly accountLimits?: Partial<Record<"search" | "price", RateLimitPolicy>>;
}

const setup = (options: Setup = {}) => {
  const clock = new Clock();
  const log: string[] = [];
  const sleeps: number[] = [];
  const limiter = new ScriptedLimiter(clock, log, options.limiter ?? {});
  const breaker = new RecordingBreaker(log, options.breaker ?? []);
  const client = new ScriptedClient(clock, log, options.client ?? []);
  const supplier = new GuardedSupplier({
    client,
    limiter,
    breaker,
    retry: options.retry ?? RETRY,
    accountLimits: options.accountLimits,
    sleep: async (ms) => {
      sleeps.push(ms);
      log.push(`sleep ${ms}`);
      clock.now += ms;
    },
    random: () => options.random ?? 0.5,
    now: () => clock.now,
  });
  return { clock, log, sleeps, limiter, breaker, client, supplier };
};

/** The error a promise rejects with, checked to be of `type`. */
const rejection = async <E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}`);
};

describe("GuardedSupplier: the happy path", () => {
  test("a search succeeding on the first try pays both budgets and records a breaker success", async () => {
    const { supplier, log, limiter, breaker, client, sleeps } = setup();
    await expect(supplier.search(CRITERIA, CALL)).resolves.toEqual([OFFER]);
    expect(log).toEqual([`claim ${TENANT_SEARCH}`, "admit", `claim ${ACCOUNT_SEARCH}`, "search#0", "success"]);
    expect(limiter.claims.map(({ bucket, policy }) => ({ bucket, policy }))).toEqual([
      { bucket: "RATE#tenant#ten_1#drct#search", policy: PLANS.standard.supplier.search },
      { bucket: "RATE#account#drct#search", policy: ACCOUNT_LIMITS.search },
    ]);
    expect(breaker).toMatchObject({ admits: 1, successes: 1, failures: 0 });
    expect(client.calls).toEqual([{ operation: "search", attempt: 0, at: T0, call: CALL }]);
    expect(sleeps).toEqual([]);
  });

  test("a price pays the price budgets, and accountLimits override the account's", async () => {
    const override: RateLimitPolicy = { limit: 2, windowMs: 1_000, burst: 1 };
    const { supplier, limiter, client } = setup({ accountLimits: { price: override } });
    await expect(supplier.price("drct-offer-1", { ...CALL, plan: "premium" })).resolves.toEqual(OFFER);
    expect(limiter.claims.map(({ bucket, policy }) => ({ bucket, policy }))).toEqual([
      { bucket: tenantBucket("ten_1", "price"), policy: PLANS.premium.supplier.price },
      { bucket: accountBucket("price"), policy: override },
    ]);
    expect(client.attempts).toEqual([0]);
  });
});

describe("GuardedSupplier: retries", () => {
  test("server_error then success: one retry after exactly the base delay (random 0.5)", async () => {
    const { supplier, log, sleeps, breaker, client, limiter } = setup({ client: [serverError()] });
    await expect(supplier.search(CRITERIA, CALL)).resolves.toEqual([OFFER]);
    expect(sleeps).toEqual([BASE]);
    expect(client.attempts).toEqual([0, 1]);
    expect(client.calls[1]?.at).toBe(T0 + BASE);
    expect(breaker).toMatchObject({ failures: 1, successes: 1, admits: 2 });
    // The tenant pays once; the account pays for every try (a retried search is a new search for DRCT).
    expect(limiter.claimsOf(TENANT_SEARCH)).toBe(1);
    expect(limiter.claimsOf(ACCOUNT_SEARCH)).toBe(2);
    expect(log).toEqual([
      `claim ${TENANT_SEARCH}`,
      "admit",
      `claim ${ACCOUNT_SEARCH}`,
      "search#0",
      "failure",
      `sleep ${BASE}`,
      "admit",
      `claim ${ACCOUNT_SEARCH}`,
      "search#1",
      "success",
    ]);
  });

  test("server_errors on every try: waits base, 2×base, 4×base, then throws the last error after 4 calls", async () => {
    const errors = [serverError(), serverError(), serverError(), serverError()];
    const { supplier, sleeps, breaker, client } = setup({ client: errors });
    const error = await rejection(supplier.search(CRITERIA, CALL), SupplierError);
    expect(error).toBe(errors[3]);
    expect(sleeps).toEqual([BASE, 2 * BASE, 4 * BASE]);
    expect(client.attempts).toEqual([0, 1, 2, 3]);
    expect(breaker).toMatchObject({ failures: 4, successes: 0 });
  });

  test("timeouts are retried like server errors", async () => {
    const timeout = () => new SupplierError("timeout", "no answer");
    const { supplier, sleeps, client } = setup({ client: [timeout(), timeout()] });
    await expect(supplier.search(CRITERIA, CALL)).resolves.toEqual([OFFER]);
    expect(sleeps).toEqual([BASE, 2 * BASE]);
    expect(client.attempts).toEqual([0, 1, 2]);
  });

  test("the attempt number passed to the client counts the tries, and the waits double", () => {
    return fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 5_000 }), async (failures, base) => {
        const { supplier, sleeps, client } = setup({
          client: Array.from({ length: failures }, serverError),
          retry: { maxRetries: 5, baseDelayMs: base },
          random: 0.5,
        });
        await expect(supplier.search(CRITERIA, { ...CALL, deadlineAt: Number.MAX_SAFE_INTEGER })).resolves.toEqual([
          OFFER,
        ]);
        expect(client.attempts).toEqual(Array.from({ length: failures + 1 }, (_, i) => i));
        expect(sleeps).toEqual(Array.from({ length: failures }, (_, i) => base * 2 ** i));
      }),
    );
  });

  test("jitter keeps each wait within ±20% of base × 2^retry", () => {
    return fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 5_000 }),
        async (random, base) => {
          const { supplier, sleeps } = setup({
            client: [serverError(), serverError(), serverError()],
            retry: { maxRetries: 3, baseDelayMs: base },
            random,
          });
          await supplier.search(CRITERIA, { ...CALL, deadlineAt: Number.MAX_SAFE_INTEGER });
          expect(sleeps).toHaveLength(3);
          sleeps.forEach((delay, i) => {
            expect(Number.isInteger(delay)).toBe(true);
            expect(delay).toBeGreaterThanOrEqual(Math.floor(0.8 * base * 2 ** i));
            expect(delay).toBeLessThanOrEqual(Math.ceil(1.2 * base * 2 ** i));
          });
        },
      ),
    );
  });

  test("rate_limited with Retry-After 2 s waits 2000 ms", async () => {
    const limited = new SupplierError("rate_limited", "429", { status: 429, retryAfterSeconds: 2 });
    const { supplier, sleeps, client, breaker } = setup({ client: [limited] });
    await expect(supplier.search(CRITERIA, CALL)).resolves.toEqual([OFFER]);
    expect(sleeps).toEqual([2_000]);
    expect(client.attempts).toEqual([0, 1]);
    expect(breaker.failures).toBe(1);
  });

  test("rate_limited without Retry-After waits 1 s", async () => {
    const { supplier, sleeps } = setup({ client: [new SupplierError("rate_limited", "429", { status: 429 })] });
    await supplier.search(CRITERIA, CALL);
    expect(sleeps).toEqual([1_000]);
  });

  test.each(["rejected", "unauthorized", "not_found"] as const)("%s is never retried", async (kind) => {
    const failure = new SupplierError(kind, "no");
    const { supplier, sleeps, client, breaker } = setup({ client: [failure] });
    expect(await rejection(supplier.price("drct-offer-1", CALL), SupplierError)).toBe(failure);
    expect(client.attempts).toEqual([0]);
    expect(sleeps).toEqual([]);
    expect(breaker).toMatchObject({ admits: 1, failures: 0, successes: 0 });
  });

  test("an error that is not a SupplierError is rethrown at once, and not held against DRCT", async () => {
    const bug = new TypeError("boom");
    const { supplier, sleeps, client, breaker } = setup({ client: [bug] });
    await expect(supplier.search(CRITERIA, CALL)).rejects.toBe(bug);
    expect(client.attempts).toEqual([0]);
    expect(sleeps).toEqual([]);
    expect(breaker).toMatchObject({ failures: 0, successes: 0 });
  });

  test.each([
    ["server_error", 1],
    ["timeout", 1],
    ["rate_limited", 1],
    ["rejected", 0],
    ["unauthorized", 0],
    ["not_found", 0],
    ["circuit_open", 0],
  ] as const satisfies readonly (readonly [SupplierFailureKind, number])[])(
    "a %s failure records %i breaker failure(s)",
    async (kind, recorded) => {
      const failure = new SupplierError(kind, "failed");
      const { supplier, breaker } = setup({ client: [failure], retry: { maxRetries: 0, baseDelayMs: BASE } });
      expect(await rejection(supplier.search(CRITERIA, CALL), SupplierError)).toBe(failure);
      expect(breaker.failures).toBe(recorded);
      expect(breaker.successes).toBe(0);
    },
  );
});

describe("GuardedSupplier: the deadline", () => {
  test("no retry starts when now + delay reaches the deadline: the error is thrown instead", async () => {
    const failure = serverError();
    const { supplier, sleeps, client } = setup({ client: [failure] });
    expect(await rejection(supplier.search(CRITERIA, { ...CALL, deadlineAt: T0 + BASE }), SupplierError)).toBe(failure);
    expect(client.attempts).toEqual([0]);
    expect(sleeps).toEqual([]);
  });

  test("a retry that starts 1 ms before the deadline is made", async () => {
    const { supplier, sleeps, client } = setup({ client: [serverError()] });
    await expect(supplier.search(CRITERIA, { ...CALL, deadlineAt: T0 + BASE + 1 })).resolves.toEqual([OFFER]);
    expect(client.attempts).toEqual([0, 1]);
    expect(sleeps).toEqual([BASE]);
  });

  test("a Retry-After past the deadline is not waited for", async () => {
    const limited = new SupplierError("rate_limited", "429", { retryAfterSeconds: 120 });
    const { supplier, sleeps, client } = setup({ client: [limited] });
    expect(await rejection(supplier.search(CRITERIA, CALL), SupplierError)).toBe(limited);
    expect(client.attempts).toEqual([0]);
    expect(sleeps).toEqual([]);
  });

  test("for any failures and deadline: no try starts at or after the deadline, and at most maxRetries + 1 tries", () => {
    const kinds: SupplierFailureKind[] = ["server_error", "timeout", "rate_limited", "rejected", "not_found"];
    return fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant<"ok">("ok"),
            fc.record({
              kind: fc.constantFrom(...kinds),
              retryAfterSeconds: fc.option(fc.integer({ min: 1, max: 5 })),
            }),
          ),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 30_000 }),
        fc.integer({ min: 0, max: 4 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        async (script, budget, maxRetries, random) => {
          const outcomes: Outcome[] = script.map((step) =>
            step === "ok"
              ? "ok"
              : new SupplierError(step.kind, "scripted", { retryAfterSeconds: step.retryAfterSeconds ?? undefined }),
          );
          const call = { ...CALL, deadlineAt: T0 + budget };
          const { supplier, client, breaker } = setup({
            client: outcomes,
            retry: { maxRetries, baseDelayMs: BASE },
            random,
          });
          const settled = await supplier.search(CRITERIA, call).then(
            () => "ok" as const,
            (error: unknown) => error,
          );
          expect(client.calls.length).toBeGreaterThanOrEqual(1);
          expect(client.calls.length).toBeLessThanOrEqual(maxRetries + 1);
          expect(client.attempts).toEqual(client.calls.map((_, i) => i));
          for (const { at } of client.calls.slice(1)) expect(at).toBeLessThan(call.deadlineAt);
          const tried = client.calls.map((_, i): Outcome => outcomes[i] ?? "ok"); // past the script it answers
          const last = tried.at(-1) ?? "ok";
          expect(settled).toBe(last);
          const counted = tried.filter(
            (o) => o instanceof SupplierError && ["server_error", "timeout", "rate_limited"].includes(o.kind),
          ).length;
          expect(breaker.failures).toBe(counted);
          expect(breaker.successes).toBe(last === "ok" ? 1 : 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("GuardedSupplier: the breaker", () => {
  test.each([
    [1, 1],
    [999, 1],
    [1_500, 2],
    [30_000, 30],
    [0, 1],
  ])("an open breaker (retry in %i ms) → circuit_open with retryAfterSeconds %i; DRCT is not called", async (ms, s) => {
    const { supplier, client, limiter, breaker } = setup({ breaker: [ms] });
    const error = await rejection(supplier.search(CRITERIA, CALL), SupplierError);
    expect(error.kind).toBe("circuit_open");
    expect(error.retryAfterSeconds).toBe(s);
    expect(client.calls).toEqual([]);
    // Claimed beside the breaker's look, and given back once it refused.
    expect(limiter.claimsOf(ACCOUNT_SEARCH)).toBe(1);
    expect(limiter.released).toEqual([ACCOUNT_SEARCH]);
    expect(limiter.claimsOf(TENANT_SEARCH)).toBe(1);
    expect(breaker).toMatchObject({ failures: 0, successes: 0 });
  });

  test("a breaker that opens between tries stops the retries", async () => {
    const { supplier, client, sleeps } = setup({ client: [serverError()], breaker: [true, 25_000] });
    const error = await rejection(supplier.search(CRITERIA, CALL), SupplierError);
    expect(error.kind).toBe("circuit_open");
    expect(error.retryAfterSeconds).toBe(25);
    expect(client.attempts).toEqual([0]);
    expect(sleeps).toEqual([BASE]);
  });
});

describe("GuardedSupplier: budgets", () => {
  test("the account budget refused on the first try → rate_limited at once, DRCT not called", async () => {
    const { supplier, client, sleeps, breaker } = setup({ limiter: { [ACCOUNT_SEARCH]: [1_100] } });
    const error = await rejection(supplier.search(CRITERIA, CALL), SupplierError);
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterSeconds).toBe(2);
    expect(client.calls).toEqual([]);
    expect(sleeps).toEqual([]);
    // Our own budget says nothing about DRCT's health.
    expect(breaker).toMatchObject({ failures: 0, successes: 0 });
  });

  test("on a retry, a refused account budget is waited out, then claimed again", async () => {
    const { supplier, client, sleeps, log } = setup({
      client: [serverError()],
      limiter: { [ACCOUNT_SEARCH]: [true, 700, 300, true] },
    });
    await expect(supplier.search(CRITERIA, CALL)).resolves.toEqual([OFFER]);
    expect(sleeps).toEqual([BASE, 700, 300]);
    expect(client.attempts).toEqual([0, 1]);
    expect(client.calls[1]?.at).toBe(T0 + BASE + 1_000);
    expect(log.slice(log.indexOf("search#0"))).toEqual([
      "search#0",
      "failure",
      `sleep ${BASE}`,
      "admit",
      `refused ${ACCOUNT_SEARCH}`,
      "sleep 700",
      `refused ${ACCOUNT_SEARCH}`,
      "sleep 300",
      `claim ${ACCOUNT_SEARCH}`,
      "search#1",
      "success",
    ]);
  });

  test("on a retry, an account budget that frees up only after the deadline → rate_limited", async () => {
    const { supplier, client, sleeps } = setup({
      client: [serverError()],
      limiter: { [ACCOUNT_SEARCH]: [true, 5_000] },
    });
    const error = await rejection(supplier.search(CRITERIA, { ...CALL, deadlineAt: T0 + BASE + 5_000 }), SupplierError);
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterSeconds).toBe(5);
    expect(client.attempts).toEqual([0]);
    expect(sleeps).toEqual([BASE]);
  });

  test("the tenant's plan budget refused → AVF_429_RATE_LIMITED; the breaker is only looked at, DRCT not touched, the account's claim given back", async () => {
    const { supplier, client, breaker, limiter, sleeps } = setup({ limiter: { [TENANT_SEARCH]: [4_001] } });
    const error = await rejection(supplier.search(CRITERIA, CALL), AvfError);
    expect(error.code).toBe("AVF_429_RATE_LIMITED");
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(5);
    expect(breaker).toMatchObject({ admits: 1, failures: 0, successes: 0, probes: 0 });
    expect(client.calls).toEqual([]);
    expect(limiter.claims.map((c) => c.bucket)).toEqual([TENANT_SEARCH, ACCOUNT_SEARCH]);
    expect(limiter.released).toEqual([ACCOUNT_SEARCH]);
    expect(sleeps).toEqual([]);
  });

  test("a refused account claim made beside a refused tenant budget has nothing to give back", async () => {
    const { supplier, limiter } = setup({ limiter: { [TENANT_SEARCH]: [4_001], [ACCOUNT_SEARCH]: [300] } });
    await rejection(supplier.search(CRITERIA, CALL), AvfError);
    expect(limiter.released).toEqual([]);
  });

  test("a granted first try gives nothing back", async () => {
    const { supplier, limiter } = setup();
    await supplier.search(CRITERIA, CALL);
    expect(limiter.released).toEqual([]);
  });

  test("a half-open breaker's one probe is not taken by a call the tenant's budget refuses", async () => {
    const { supplier, client, breaker } = setup({ limiter: { [TENANT_SEARCH]: [4_001] } });
    breaker.halfOpen = true;
    await rejection(supplier.search(CRITERIA, CALL), AvfError);
    expect(breaker).toMatchObject({ looks: 1, probes: 0, halfOpen: true });
    expect(client.calls).toEqual([]);
  });

  test("a half-open breaker: once the tenant's budget is granted, the call takes the probe and goes to DRCT", async () => {
    const { supplier, client, breaker } = setup();
    breaker.halfOpen = true;
    await supplier.search(CRITERIA, CALL);
    expect(breaker).toMatchObject({ looks: 1, probes: 1, successes: 1 });
    expect(client.calls).toHaveLength(1);
  });

  test("the tenant's budget is claimed under its own tenant id", async () => {
    const { supplier, limiter } = setup();
    await supplier.search(CRITERIA, { ...CALL, tenantId: "ten_other" });
    expect(limiter.claims[0]?.bucket).toBe("RATE#tenant#ten_other#drct#search");
  });
});

describe("bookings", () => {
  const BOOKING: SupplierBooking = {
    supplierOfferId: "o",
    idempotencyKey: "avf-ord_1",
    passengers: [],
    contact: { email: "a@example.com", phone: "+4930123456" },
  };

  test("an unanswered booking is not retried blind: it is left to reconciliation", async () => {
    const timeout = new SupplierError("timeout", "DRCT did not answer in time");
    const { client, supplier } = setup({ client: [timeout] });
    await expect(supplier.createOrder(BOOKING, CALL)).rejects.toBe(timeout);
    expect(client.attempts).toEqual([0]);
  });

  test("a booking DRCT answered 5xx is retried under the same key", async () => {
    const { client, supplier } = setup({ client: [serverError()] });
    await expect(supplier.createOrder(BOOKING, CALL)).resolves.toMatchObject({ order_id: "DRCT1" });
    expect(client.attempts).toEqual([0, 1]);
  });
});
