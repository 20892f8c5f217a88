/**
 * Starts the local runtime in this test process (in memory, free ports) and talks to it
 * over real HTTP, as an agency would.
 */
import { afterAll, beforeAll } from "vitest";
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from "../../lib/local/runtime";

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface CallOptions {
  readonly key?: string | null;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  readonly method?: string;
}

export const API_KEYS = { a: "local-agency-a-key", b: "local-agency-b-key" } as const;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const isoDay = (daysFromNow: number): string =>
  new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10);

export const searchBody = (overrides: Record<string, unknown> = {}) => ({
  origin: "LHR",
  destination: "JFK",
  departure_date: isoDay(30),
  passengers: { adults: 1 },
  ...overrides,
});

/** The fare rules a test needs; a rule left out may be either way. */
export interface FareNeeds {
  readonly refundable?: boolean;
  readonly changeable?: boolean;
}

export interface SearchedOffer {
  readonly id: string;
  readonly valid_until: string;
  readonly fare_rules: { readonly refundable: boolean; readonly changeable: boolean; readonly cancel_penalty?: number };
  readonly price: { readonly currency: string; readonly total: number } & Record<string, number | string>;
  readonly segments: readonly Record<string, string>[];
}

export const fareMatches = (offer: SearchedOffer, needs: FareNeeds): boolean =>
  (needs.refundable === undefined || offer.fare_rules.refundable === needs.refundable) &&
  (needs.changeable === undefined || offer.fare_rules.changeable === needs.changeable);

export interface Harness {
  runtime: LocalRuntime;
  call<T = Record<string, unknown>>(path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  sim<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T>;
  /** Searches, waiting out the account's one-per-second pacing (429) a few times. */
  search(key: string, body?: unknown): Promise<ApiResponse>;
  /**
   * Searches and answers an offer with the fare rules the test needs: tests choose offers by
   * property, never by position, so their outcome cannot depend on the day they run.
   */
  offerWith(key: string, needs: FareNeeds, body?: unknown): Promise<SearchedOffer>;
}

export const useLocalRuntime = (options: LocalRuntimeOptions = {}): Harness => {
  const harness = {} as Harness;
  beforeAll(async () => {
    harness.runtime = await startLocalRuntime({ port: 0, simPort: 0, dataDir: ":memory:", ...options });
  });
  afterAll(async () => {
    await harness.runtime?.stop();
  });
  harness.call = async <T>(path: string, options: CallOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? API_KEYS.a : options.key;
    if (key !== null) headers["x-api-key"] = key;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${harness.runtime.apiUrl}${path}`, {
      method: options.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text === "" ? {} : JSON.parse(text)) as T };
  };
  harness.sim = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${harness.runtime.simulatorUrl}${path}`, {
      method: body === undefined && path.endsWith("stats") ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as T;
  };
  harness.search = async (key: string, body: unknown = searchBody()) => {
    for (let attempt = 0; ; attempt += 1) {
      const response = await harness.call("/public/offers/search", { key, body });
      if (response.status !== 429 || attempt === 8) return response;
      await sleep(300);
    }
  };
  harness.offerWith = async (key: string, needs: FareNeeds, body: unknown = searchBody()) => {
    const response = await harness.search(key, body);
    if (response.status !== 200)
      throw new Error(`search answered ${response.status}: ${JSON.stringify(response.body)}`);
    const offer = (response.body.offers as SearchedOffer[]).find((candidate) => fareMatches(candidate, needs));
    if (offer === undefined) throw new Error(`no offer with ${JSON.stringify(needs)} for ${JSON.stringify(body)}`);
    return offer;
  };
  return harness;
};
