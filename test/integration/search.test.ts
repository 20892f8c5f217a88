import { describe, expect, test } from "vitest";
import { testTenant } from "../../lib/local/seed";
import { API_KEYS, isoDay, searchBody, sleep, useLocalRuntime } from "./harness";

interface Price {
  currency: string;
  base: number;
  taxes: number;
  provider_fees: number;
  aviaframe_markup: number;
  tenant_markup: number;
  total: number;
}
interface Offer {
  id: string;
  valid_until: string;
  segments: { origin: string; destination: string; flight_number: string }[];
  price: Price;
}
interface SimStats {
  calls: Record<string, number>;
  max_search_rps: number;
  rate_limit_violations: number;
}

const api = useLocalRuntime({
  env: {
    DRCT_TIMEOUT_MS: "800",
    DRCT_RETRY_BASE_MS: "20",
    DRCT_MAX_RETRIES: "1",
    BREAKER_FAILURE_THRESHOLD: "1000",
  },
  extraTenants: [
    testTenant("faults", { plan: "premium" }),
    testTenant("usage1", { plan: "premium" }),
    testTenant("usage2", { plan: "premium" }),
  ],
});

const offersOf = (body: Record<string, unknown>) => body.offers as Offer[];

describe("POST /public/offers/search", () => {
  test("answers priced offers whose total is the sum of its parts, markup per tenant", async () => {
    const a = await api.search(API_KEYS.a);
    expect(a.status).toBe(200);
    expect(a.headers.get("x-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
    const offersA = offersOf(a.body);
    expect(offersA.length).toBeGreaterThan(0);
    for (const offer of offersA) {
      const { base, taxes, provider_fees, aviaframe_markup, tenant_markup, total } = offer.price;
      expect(total).toBe(base + taxes + provider_fees + aviaframe_markup + tenant_markup);
      expect(offer.segments[0]?.origin).toBe("LHR");
      expect(offer.segments.at(-1)?.destination).toBe("JFK");
      expect(Date.parse(offer.valid_until)).toBeGreaterThan(Date.now());
      // agency-a: 2% of the supplier total.
      expect(tenant_markup).toBe(Math.round((base + taxes + provider_fees) * 0.02));
    }

    const b = await api.search(API_KEYS.b);
    expect(b.status).toBe(200);
    const offersB = offersOf(b.body);
    expect(offersB.map((offer) => offer.price.tenant_markup)).toEqual(offersB.map(() => 500));
    // Same flights, different tenant: different markup, different offer ids.
    expect(offersB.map((offer) => offer.price.base)).toEqual(offersA.map((offer) => offer.price.base));
    expect(offersB.map((offer) => offer.price.total)).not.toEqual(offersA.map((offer) => offer.price.total));
    expect(offersB.map((offer) => offer.id)).not.toEqual(offersA.map((offer) => offer.id));
  });

  test("a search that finds the account's second taken waits for the next slot; beyond the wait it is 429, never sent to DRCT", async () => {
    // Environments of the search function warm (a refused body never reaches DRCT), as on a
    // busy gateway: the timing below is the slot queue's, not cold starts'.
    await Promise.all([0, 1, 2, 3].map(() => api.call("/public/offers/search", { body: searchBody({ origin: "x" }) })));
    await sleep(1_200);
    await api.sim("/__sim/reset");
    const timed = await Promise.all(
      ["CDG", "AMS", "BRU", "LUX", "LGG", "EIN"].map(async (destination) => {
        const started = Date.now();
        const response = await api.call("/public/offers/search", { body: searchBody({ destination }) });
        return { status: response.status, response, ms: Date.now() - started };
      }),
    );
    // One search per 1.1 s for the account, and an interactive search waits up to 1.5 s: one is
    // answered at once, at least one after waiting for the next slot (not an instant 429), and
    // those whose slot is further away (2.2 s, 3.3 s, …) are refused before DRCT is called.
    const answered = timed.filter((entry) => entry.status === 200);
    const refused = timed.filter((entry) => entry.status === 429);
    expect(answered.length + refused.length).toBe(timed.length);
    expect(answered.some((entry) => entry.ms < 900)).toBe(true);
    expect(answered.some((entry) => entry.ms >= 900)).toBe(true);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const { response } of refused) {
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(response.body).toMatchObject({ error: { code: "AVF_429_RATE_LIMITED", retryable: true } });
    }
    const stats = await api.sim<SimStats>("/__sim/stats");
    expect(stats.calls.search).toBe(answered.length);
    expect(stats.rate_limit_violations).toBe(0);
    expect(stats.max_search_rps).toBe(1);
  });

  test("echoes the caller's correlation id", async () => {
    const response = await api.call("/public/offers/search", {
      body: searchBody({ origin: "lhr" }),
      headers: { "x-correlation-id": "agency-trace-42" },
    });
    expect(response.headers.get("x-correlation-id")).toBe("agency-trace-42");
    expect(response.body).toMatchObject({ error: { correlation_id: "agency-trace-42" } });
  });
});

describe("bad input gets a 4xx envelope and never reaches DRCT", () => {
  const cases: [
    string,
    { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> },
    number,
    string,
  ][] = [
    [
      "malformed JSON",
      { rawBody: '{"origin": "LHR",', headers: { "content-type": "application/json" } },
      400,
      "AVF_400_VALIDATION",
    ],
    ["a JSON array", { body: [1, 2] }, 400, "AVF_400_VALIDATION"],
    ["an airport in lower case", { body: searchBody({ origin: "lhr" }) }, 400, "AVF_400_VALIDATION"],
    ["an airport of four letters", { body: searchBody({ destination: "JFKX" }) }, 400, "AVF_400_VALIDATION"],
    ["a past date", { body: searchBody({ departure_date: isoDay(-3) }) }, 400, "AVF_400_VALIDATION"],
    ["a date that does not exist", { body: searchBody({ departure_date: "2027-02-30" }) }, 400, "AVF_400_VALIDATION"],
    ["10 adults", { body: searchBody({ passengers: { adults: 10 } }) }, 400, "AVF_400_VALIDATION"],
    [
      "more infants than adults",
      { body: searchBody({ passengers: { adults: 1, infants: 2 } }) },
      400,
      "AVF_400_VALIDATION",
    ],
    ["adults as a string", { body: searchBody({ passengers: { adults: "2" } }) }, 400, "AVF_400_VALIDATION"],
    ["an unknown field", { body: searchBody({ price_override: 1 }) }, 400, "AVF_400_VALIDATION"],
    [
      "a 1 MB body",
      {
        rawBody: JSON.stringify({ ...searchBody(), pad: "x".repeat(1024 * 1024) }),
        headers: { "content-type": "application/json" },
      },
      413,
      "AVF_413_PAYLOAD_TOO_LARGE",
    ],
    [
      "a body that is not JSON",
      { rawBody: "origin=LHR", headers: { "content-type": "application/x-www-form-urlencoded" } },
      415,
      "AVF_415_UNSUPPORTED_MEDIA_TYPE",
    ],
    ["no API key", { body: searchBody(), key: null }, 401, "AVF_401_UNAUTHORIZED"],
    ["an unknown API key", { body: searchBody(), key: "not-a-key" }, 401, "AVF_401_UNAUTHORIZED"],
  ];

  test.each(cases)("%s", async (_name, options, status, code) => {
    const before = await api.sim<SimStats>("/__sim/stats");
    const response = await api.call("/public/offers/search", options);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: { code, correlation_id: expect.any(String), retryable: false } });
    const after = await api.sim<SimStats>("/__sim/stats");
    expect(after.calls.search).toBe(before.calls.search);
  });

  test("validation issues name the offending fields", async () => {
    const response = await api.call("/public/offers/search", {
      body: { origin: "LH", destination: "JFK", departure_date: isoDay(-1), passengers: { adults: 0 } },
    });
    const issues = (response.body.error as { details: { issues: { path: string }[] } }).details.issues;
    expect(issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(["origin", "passengers.adults"]));
  });

  test("unknown routes and methods answer the envelope", async () => {
    const missing = await api.call("/public/nothing-here");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "AVF_404_NOT_FOUND" } });
    const wrongMethod = await api.call("/public/offers/search", { method: "GET" });
    expect(wrongMethod.status).toBe(405);
  });
});

describe("DRCT failures: retried when worth it, then stable AVF errors", () => {
  // [name, fault, expected status, AVF code or undefined for success, DRCT search calls]
  const failures: [string, Record<string, unknown>, number, string | undefined, number][] = [
    ["one 429: retried after Retry-After", { operation: "search", mode: "http_429", count: 1 }, 200, undefined, 2],
    ["429 on every try", { operation: "search", mode: "http_429", count: 2 }, 429, "AVF_429_RATE_LIMITED", 2],
    ["one 500: retried", { operation: "search", mode: "http_500", count: 1 }, 200, undefined, 2],
    ["500 on every try", { operation: "search", mode: "http_500", count: 2 }, 502, "AVF_502_SUPPLIER_ERROR", 2],
    ["401: never retried", { operation: "search", mode: "http_401", count: 2 }, 502, "AVF_502_SUPPLIER_ERROR", 1],
    ["no answer on every try", { operation: "search", mode: "drop", count: 2 }, 504, "AVF_504_SUPPLIER_TIMEOUT", 2],
  ];

  test.each(failures)("%s", async (name, fault, status, code, calls) => {
    await sleep(1_150);
    await api.sim("/__sim/reset");
    await api.sim("/__sim/faults", fault);
    const destination = ["MAD", "BCN", "LIS", "OPO", "FCO", "ATH"][failures.findIndex(([other]) => other === name)];
    const response = await api.call("/public/offers/search", {
      key: api.runtime.apiKeys["agency-faults"],
      body: searchBody({ destination }),
    });
    expect(response.status).toBe(status);
    if (code !== undefined) expect(response.body).toMatchObject({ error: { code, retryable: true } });
    if (status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(response.body)).not.toContain("drct-local-token");
    const stats = await api.sim<SimStats>("/__sim/stats");
    expect(stats.calls.search).toBe(calls);
    expect(stats.rate_limit_violations).toBe(0);
  });
});

describe("GET /public/usage", () => {
  test("counts the tenant's answered searches (refused and failed ones are not billed), and only the tenant's", async () => {
    // Agencies of this test's own, so the counts do not depend on what other tests searched.
    const [one, two] = ["local-usage1-key", "local-usage2-key"];
    for (const destination of ["ORY", "NCE"]) {
      await sleep(1_150);
      expect((await api.search(one, searchBody({ origin: "BRU", destination }))).status).toBe(200);
    }
    const refused = await api.call("/public/offers/search", { key: one, body: searchBody({ origin: "brU" }) });
    expect(refused.status).toBe(400);
    await sleep(1_150);
    expect((await api.search(two, searchBody({ origin: "BRU", destination: "LYS" }))).status).toBe(200);

    const a = await api.call<{ totals: { searches: number }; days: { date: string }[] }>("/public/usage", { key: one });
    const b = await api.call<{ totals: { searches: number } }>("/public/usage", { key: two });
    expect(a.status).toBe(200);
    expect(a.body.totals.searches).toBe(2);
    expect(b.body.totals.searches).toBe(1);
    expect(
      a.body.days.reduce((sum, day) => sum + (day as unknown as { counts: { searches: number } }).counts.searches, 0),
    ).toBe(2);
    const invalid = await api.call("/public/usage?from=2026-13-01", { key: one });
    expect(invalid.status).toBe(400);
  });
});

describe("health and OpenAPI", () => {
  test("GET /health answers ok without a key", async () => {
    const response = await api.call("/health", { key: null });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "ok" });
  });

  test("GET /openapi.json documents every route from the same schemas", async () => {
    const response = await api.call<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    }>("/openapi.json", { key: null });
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe("3.1.0");
    // The request schema is the zod one: its IATA pattern is in the document, under the body's schema.
    const search = response.body.paths["/public/offers/search"]?.post;
    expect(JSON.stringify(search?.requestBody)).toContain("#/components/schemas/SearchRequestInput");
    expect(JSON.stringify(response.body)).toContain("^[A-Z]{3}$");
    expect(response.body.paths["/public/usage"]?.get).toBeDefined();
  });
});
