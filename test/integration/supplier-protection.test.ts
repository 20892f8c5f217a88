import { describe, expect, test } from "vitest";
import { testTenant } from "../../lib/local/seed";
import { API_KEYS, searchBody, sleep, useLocalRuntime } from "./harness";

interface Offer {
  id: string;
  valid_until: string;
  price: Record<string, number | string> & { total: number; tenant_markup: number; base: number };
  priced_at?: string;
}
interface SimStats {
  calls: Record<string, number>;
  max_search_rps: number;
  rate_limit_violations: number;
}

const TENANTS = Array.from({ length: 8 }, (_, index) =>
  testTenant(`burst${index}`, { plan: "premium", markup: { type: "fixed", amount: `${index + 11}.00` } }),
);

const api = useLocalRuntime({
  env: {
    DRCT_TIMEOUT_MS: "800",
    // Each function runs in its own execution environments, which start cold as Lambda's do:
    // the burst below is served over more than the default 400 ms after the leader's answer.
    COALESCE_WINDOW_MS: "2000",
    DRCT_RETRY_BASE_MS: "20",
    BREAKER_COOLDOWN_MS: "1500",
    BREAKER_FAILURE_THRESHOLD: "5",
  },
  extraTenants: [...TENANTS, testTenant("small"), testTenant("other")],
});

const keys = () => [API_KEYS.a, API_KEYS.b, ...TENANTS.map((tenant) => tenant.apiKey)];
const stats = () => api.sim<SimStats>("/__sim/stats");
const offersOf = (body: Record<string, unknown>) => body.offers as Offer[];

describe("coalescing and the offer cache", () => {
  test("100 identical concurrent searches from 10 tenants make at most 2 DRCT calls, each tenant priced its own way", async () => {
    // The account's last search slot may have just been used by the test before this one.
    await sleep(1_200);
    await api.sim("/__sim/reset");
    const body = searchBody({ origin: "FRA", destination: "NRT" });
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, index) => api.call("/public/offers/search", { key: keys()[index % 10], body })),
    );
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    expect((await stats()).calls.search).toBeLessThanOrEqual(2);
    expect((await stats()).rate_limit_violations).toBe(0);

    const markupByKey = new Map<string, Set<number>>();
    responses.forEach((response, index) => {
      const key = keys()[index % 10] ?? "";
      const first = offersOf(response.body)[0];
      expect(first).toBeDefined();
      markupByKey.set(key, (markupByKey.get(key) ?? new Set()).add(first?.price.tenant_markup ?? -1));
    });
    // Every tenant always saw its own markup, and no two tenants the same (their markups differ).
    for (const markups of markupByKey.values()) expect(markups.size).toBe(1);
    expect(new Set([...markupByKey.values()].map((markups) => [...markups][0])).size).toBe(10);
    expect(responses.some((response) => response.headers.get("x-coalesced") === "true")).toBe(true);
  });

  test("a tenant's repeated search is a cache hit with its age, and costs DRCT nothing", async () => {
    await sleep(1_200);
    const body = searchBody({ origin: "FRA", destination: "HND" });
    const first = await api.call("/public/offers/search", { body });
    expect(first.headers.get("x-cache")).toBe("MISS");
    const before = (await stats()).calls.search;
    await sleep(1_100);
    const second = await api.call("/public/offers/search", { body });
    expect(second.status).toBe(200);
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(Number(second.headers.get("age"))).toBeGreaterThanOrEqual(1);
    expect(offersOf(second.body)).toEqual(offersOf(first.body));
    expect((await stats()).calls.search).toBe(before);
  });
});

describe("budgets", () => {
  test("every tenant response carries ratelimit headers for the tenant's DRCT search budget", async () => {
    const response = await api.call("/public/usage", { key: api.runtime.apiKeys["agency-other"] });
    expect(response.headers.get("ratelimit-limit")).toBe("12");
    expect(Number(response.headers.get("ratelimit-remaining"))).toBe(3);
    expect(response.headers.get("ratelimit-reset")).toMatch(/^\d+$/);
  });

  test("a tenant past its plan's search budget gets 429 while others still search", async () => {
    const key = api.runtime.apiKeys["agency-small"] ?? "";
    const statuses: number[] = [];
    for (const destination of ["DXB", "DOH", "AUH", "BAH"]) {
      await sleep(1_150);
      const response = await api.call("/public/offers/search", { key, body: searchBody({ destination }) });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.body).toMatchObject({ error: { code: "AVF_429_RATE_LIMITED" } });
        expect(response.headers.get("ratelimit-remaining")).toBe("0");
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    await sleep(1_150);
    const other = await api.call("/public/offers/search", {
      key: API_KEYS.b,
      body: searchBody({ destination: "KWI" }),
    });
    expect(other.status).toBe(200);
  });
});

describe("repricing: PATCH /public/offers/{offerId}/price", () => {
  const searchFresh = async (destination: string) => {
    await sleep(1_150);
    const response = await api.call("/public/offers/search", { body: searchBody({ origin: "MUC", destination }) });
    expect(response.status).toBe(200);
    return offersOf(response.body)[0] as Offer;
  };
  const price = (offerId: string, key: string = API_KEYS.a) =>
    api.call<Record<string, unknown>>(`/public/offers/${offerId}/price`, { key, method: "PATCH" });

  test("an unchanged price is confirmed with priced_at", async () => {
    const offer = await searchFresh("LAX");
    const response = await price(offer.id);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: offer.id, price: offer.price });
    expect(Date.parse(String(response.body.priced_at))).toBeGreaterThan(Date.now() - 10_000);
  });

  test("a moved price answers 409 with every component's old and new value, then confirms at the new price", async () => {
    const offer = await searchFresh("SFO");
    await api.sim("/__sim/reprice", { delta_minor: 1_500 });
    const moved = await price(offer.id);
    expect(moved.status).toBe(409);
    const details = (moved.body.error as { code: string; details: Record<string, unknown> }).details;
    expect((moved.body.error as { code: string }).code).toBe("AVF_409_PRICE_CHANGED");
    expect(details.old_total).toBe(offer.price.total);
    expect(details.new_total).toBeGreaterThan(offer.price.total);
    const changes = details.changes as Record<string, { old: number; new: number }>;
    expect(changes.base).toEqual({ old: offer.price.base, new: offer.price.base + 1_500 });
    expect(changes.total?.new).toBe(details.new_total);
    expect(changes.taxes).toBeUndefined();
    // agency-a's markup is 2% of the supplier total, so it moved too.
    expect(changes.tenant_markup?.new).toBeGreaterThan(changes.tenant_markup?.old ?? 0);

    const accepted = await price(offer.id);
    expect(accepted.status).toBe(200);
    expect((accepted.body.price as { total: number }).total).toBe(details.new_total);
  });

  test("on the simulator's price-moves-once route the first PATCH is 409 and the second confirms, on any day", async () => {
    const offer = await searchFresh("XXP");
    const moved = await price(offer.id);
    expect(moved.status).toBe(409);
    expect(moved.body).toMatchObject({ error: { code: "AVF_409_PRICE_CHANGED" } });
    const confirmed = await price(offer.id);
    expect(confirmed.status).toBe(200);
    expect((confirmed.body.price as { base: number }).base).toBe(offer.price.base + 1_000);
  });

  test("a route with no flights answers an empty list, not an error", async () => {
    await sleep(1_150);
    const response = await api.call("/public/offers/search", {
      body: searchBody({ origin: "MUC", destination: "XXN" }),
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ offers: [] });
  });

  test("expired, unknown and other tenants' offers are 404", async () => {
    const offer = await searchFresh("SEA");
    expect((await price(offer.id, API_KEYS.b)).status).toBe(404);
    expect((await price("off_unknownunknownunknown12")).status).toBe(404);
    expect((await price("not-an-offer-id")).status).toBe(400);
    await api.sim("/__sim/expire");
    const expired = await price(offer.id);
    expect(expired.status).toBe(404);
    expect(expired.body).toMatchObject({ error: { code: "AVF_404_OFFER_NOT_FOUND" } });
  });
});

describe("circuit breaker", () => {
  test("sustained 5xx opens it: callers get 503 fast without a DRCT call, and it recovers once faults stop", async () => {
    await sleep(1_200);
    await api.sim("/__sim/reset");
    await api.sim("/__sim/faults", { operation: "search", mode: "http_500", count: 10 });
    const search = (destination: string) =>
      api.call("/public/offers/search", {
        key: api.runtime.apiKeys["agency-burst0"],
        body: searchBody({ destination }),
      });

    let opened = false;
    for (const destination of ["YUL", "YVR", "YYZ", "YOW"]) {
      const response = await search(destination);
      expect([502, 503]).toContain(response.status);
      if (response.status === 503) {
        opened = true;
        break;
      }
      await sleep(1_150);
    }
    expect(opened).toBe(true);

    const callsWhileOpen = (await stats()).calls.search;
    const started = performance.now();
    const refused = await search("YYC");
    expect(performance.now() - started).toBeLessThan(300);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: "AVF_503_SUPPLIER_UNAVAILABLE", retryable: true } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await stats()).calls.search).toBe(callsWhileOpen);
    const health = await api.call<{ status: string; supplier: { breaker: string } }>("/health", { key: null });
    expect(health.body.supplier.breaker).toBe("open");
    expect(health.body.status).toBe("degraded");

    await api.sim("/__sim/reset");
    await sleep(1_600);
    const probe = await search("YEG");
    expect(probe.status).toBe(200);
    const recovered = await api.call<{ status: string; supplier: { breaker: string } }>("/health", { key: null });
    expect(recovered.body).toMatchObject({ status: "ok", supplier: { breaker: "closed" } });
    const events = api.runtime.events.map((event) => event["detail-type"]);
    expect(events).toEqual(["supplier.degraded", "supplier.recovered"]);
  });
});

describe("the simulator's inventory controls", () => {
  test("after /__sim/reset or /__sim/expire, the same search asks DRCT again and its offers can be priced", async () => {
    await sleep(1_200);
    const body = searchBody({ origin: "CPH", destination: "ARN" });
    const key = api.runtime.apiKeys["agency-burst1"];
    const before = await api.call("/public/offers/search", { key, body });
    expect(before.status).toBe(200);
    await api.sim("/__sim/expire");
    await sleep(1_200);
    const afterExpire = await api.call("/public/offers/search", { key, body });
    expect(afterExpire.headers.get("x-cache")).toBe("MISS");
    const fresh = offersOf(afterExpire.body)[0] as Offer;
    expect((await api.call(`/public/offers/${fresh.id}/price`, { key, method: "PATCH" })).status).toBe(200);

    await api.sim("/__sim/reset");
    await sleep(1_200);
    const afterReset = await api.call("/public/offers/search", { key, body });
    expect(afterReset.status).toBe(200);
    expect(afterReset.headers.get("x-cache")).toBe("MISS");
    const again = offersOf(afterReset.body)[0] as Offer;
    expect((await api.call(`/public/offers/${again.id}/price`, { key, method: "PATCH" })).status).toBe(200);
  });
});
