/**
 * Hostile requests against a running gateway (`npm run fuzz`, and a small sample in npm test):
 * for every route of lib/resources.ts, fast-check generates requests with hostile paths
 * (bad percent-encoding, traversal, unicode, huge ids), query strings and cursors (random and
 * tampered base64url JSON), headers (keys, Idempotency-Keys, versions, content types) and
 * bodies (malformed JSON, wrong types, prototype keys, deep nesting, near the size limit).
 * Every answer must be a 4xx or 2xx: a 5xx, or a stack trace in any body, is a failure.
 */
import fc from "fast-check";
import { MAX_BODY_BYTES, ROUTES, type RouteDescription } from "../resources";

export interface FuzzRequest {
  readonly method: string;
  /** Already encoded: sent as is, bad percent-encoding included. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface FuzzFailure {
  readonly route: string;
  readonly request: FuzzRequest;
  readonly status: number;
  readonly body: string;
}

export interface FuzzReport {
  /** Per route (operationId): how many answers of each status. */
  readonly counts: Record<string, Record<number, number>>;
  readonly failures: FuzzFailure[];
  readonly cases: number;
}

export interface FuzzOptions {
  readonly baseUrl: string;
  readonly apiKeys: readonly string[];
  readonly casesPerRoute: number;
  readonly seed?: number;
  readonly concurrency?: number;
  /** Only these routes (operationIds); default every route. */
  readonly routes?: readonly string[];
}

/** A stack trace line (`at fn (file.ts:1:2)`), or Node's error preamble, in an answer. */
const STACK_TRACE = /\bat [^\s()]+ \([^)]*:\d+:\d+\)|\bat [^\s]+:\d+:\d+|node_modules\/|\n\s+at\s/;

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A path segment: plausible ids, unicode, traversal and broken percent-encoding. */
const segment = (prefix: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{10,30}$/).map((tail) => `${prefix}${tail}`) },
    fc.string({ maxLength: 60 }).map(encodeURIComponent),
    fc.string({ unit: "grapheme", maxLength: 20 }).map(encodeURIComponent),
    fc.constantFrom(
      "%ZZ",
      "%",
      "%E0%A4%A",
      `${prefix}%ZZ`,
      "%C0%AE%C0%AE",
      "..",
      "%2e%2e",
      "%2F",
      "%00",
      "%FF%FE",
      `${prefix}${"x".repeat(5_000)}`,
      "null",
      "undefined",
      "__proto__",
      "constructor",
    ),
  );

/** Cursors: random text, random base64url JSON, and keys shaped almost like ours. */
const cursor: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.jsonValue({ maxDepth: 3 }).map(b64),
  fc
    .record(
      {
        pk: fc.oneof(fc.constant("TENANT#agency-a"), fc.constant("TENANT#agency-b"), fc.string()),
        sk: fc.oneof(fc.string(), fc.constant("ORDER#ord_AAAAAAAAAAAAAAAAAAAAAAAA"), fc.integer()),
        tenant_id: fc.oneof(fc.constant("agency-a"), fc.string(), fc.integer()),
        created_key: fc.oneof(fc.string(), fc.constant("2031-01-01T00:00:00.000Z#ord_AAAAAAAAAAAAAAAAAAAAAAAA")),
        extra: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    )
    .map(b64),
);

const query = (route: RouteDescription): fc.Arbitrary<string> =>
  route.method !== "GET"
    ? fc.constantFrom("", "?x=1", "?__proto__=1")
    : fc
        .record(
          {
            limit: fc.oneof(
              { weight: 3, arbitrary: fc.integer({ min: 1, max: 100 }).map(String) },
              {
                weight: 1,
                arbitrary: fc.oneof(fc.integer({ min: -5, max: 500 }).map(String), fc.string({ maxLength: 10 })),
              },
            ),
            cursor,
            status: fc.oneof(
              { weight: 3, arbitrary: fc.constantFrom("BOOKED", "ISSUED", "CANCELLED") },
              { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
            ),
            type: fc.oneof(
              { weight: 3, arbitrary: fc.constantFrom("order.booked", "order.issued") },
              { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
            ),
            date: fc.oneof(fc.constantFrom("2031-01-01", "2031-02-30"), fc.string({ maxLength: 12 })),
            from: fc.oneof(fc.constantFrom("2031-01-01", "1900-01-01"), fc.string({ maxLength: 12 })),
          },
          { requiredKeys: [] },
        )
        .map((params) => {
          const text = new URLSearchParams(params).toString();
          return text === "" ? "" : `?${text}`;
        });

/** Printable ASCII only: fetch refuses other header bytes before anything is sent. */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map(String.fromCharCode), maxLength });

/** Mostly what a client sends, sometimes not: requests must get past the first check to test the rest. */
const headers = (apiKeys: readonly string[]): fc.Arbitrary<Record<string, string>> =>
  fc
    .record({
      "x-api-key": fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...apiKeys) },
        { weight: 1, arbitrary: headerText(40) },
      ),
      "idempotency-key": fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: headerText(300) }),
      "aviaframe-version": fc.oneof(
        { weight: 6, arbitrary: fc.constant("") },
        { weight: 2, arbitrary: fc.constant("2026-11-30") },
        { weight: 1, arbitrary: headerText(12) },
      ),
      "content-type": fc.oneof(
        { weight: 8, arbitrary: fc.constant("application/json") },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            "text/plain",
            "application/x-www-form-urlencoded",
            "",
            "application/json; charset=latin1",
          ),
        },
      ),
      "x-correlation-id": fc.oneof(
        { weight: 3, arbitrary: fc.constant("") },
        { weight: 1, arbitrary: headerText(200) },
      ),
    })
    .map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== "")));

const SHAPES: Record<string, fc.Arbitrary<unknown>> = {
  searchOffers: fc.record(
    {
      origin: fc.oneof(fc.constantFrom("LHR", "XXN", "lhr"), fc.string({ maxLength: 5 })),
      destination: fc.oneof(fc.constantFrom("JFK", "XXP"), fc.string({ maxLength: 5 })),
      departure_date: fc.oneof(fc.constantFrom("2020-01-01", "2031-02-30", "9999-12-31"), fc.string({ maxLength: 12 })),
      passengers: fc.oneof(
        fc.record({ adults: fc.integer({ min: -2, max: 12 }), infants: fc.integer({ min: -1, max: 12 }) }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      currency: fc.oneof(fc.constantFrom("EUR", "XXX", "eur"), fc.string({ maxLength: 4 })),
    },
    { requiredKeys: [] },
  ),
  createOrder: fc.record(
    {
      offer_id: fc.oneof(fc.string({ maxLength: 40 }), fc.integer()),
      passengers: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 12 }),
      contact: fc.jsonValue({ maxDepth: 2 }),
      callback_url: fc.oneof(
        fc.constantFrom("http://127.0.0.1/", "https://169.254.169.254/", "https://[::1]/", "javascript:alert(1)"),
        fc.webUrl(),
        fc.string({ maxLength: 40 }),
      ),
      external_ref: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
    },
    { requiredKeys: [] },
  ),
  testCallback: fc.record({ url: fc.oneof(fc.webUrl(), fc.string({ maxLength: 60 })) }, { requiredKeys: [] }),
  issueOrder: fc.record({ payment: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] }),
};

const body = (route: RouteDescription): fc.Arbitrary<string | undefined> => {
  const shaped = SHAPES[route.operationId] ?? fc.jsonValue({ maxDepth: 3 });
  return fc.oneof(
    { weight: 4, arbitrary: shaped.map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "",
        "{",
        "null",
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"x":1}}}',
        `${"[".repeat(5_000)}${"]".repeat(5_000)}`,
        JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES - 20) }),
        JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES + 10) }),
        "\u0000\uFFFF",
      ),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
};

const PREFIX: Record<string, string> = { orderId: "ord_", deliveryId: "dlv_", offerId: "off_" };

/** Requests for one route: its own method and path, everything else hostile. */
export const requestsFor = (route: RouteDescription, apiKeys: readonly string[]): fc.Arbitrary<FuzzRequest> => {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? "");
  return fc
    .record({
      values: fc.tuple(...params.map((name) => segment(PREFIX[name] ?? ""))),
      query: query(route),
      headers: headers(apiKeys),
      body: route.method === "GET" ? fc.constant(undefined) : body(route),
    })
    .map(({ values, query: search, headers: sent, body: payload }) => {
      let path = route.path;
      params.forEach((name, index) => {
        path = path.replace(`{${name}}`, values[index] ?? "");
      });
      return {
        method: route.method,
        path: `${path}${search}`,
        headers: sent,
        ...(payload === undefined ? {} : { body: payload }),
      };
    });
};

const send = async (baseUrl: string, request: FuzzRequest): Promise<{ status: number; body: string }> => {
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: await response.text() };
};

/** Runs `casesPerRoute` generated requests against every route; never throws for a bad answer. */
export const fuzzGateway = async (options: FuzzOptions): Promise<FuzzReport> => {
  const counts: Record<string, Record<number, number>> = {};
  const failures: FuzzFailure[] = [];
  const routes = ROUTES.filter((route) => options.routes === undefined || options.routes.includes(route.operationId));
  let cases = 0;
  // One route after another (starting every function at once swamps a small machine), `concurrency` requests at a time.
  const fuzzRoute = async (route: RouteDescription, index: number) => {
    const requests = fc.sample(requestsFor(route, options.apiKeys), {
      numRuns: options.casesPerRoute,
      seed: (options.seed ?? 42) + index,
    });
    const tally: Record<number, number> = {};
    counts[route.operationId] = tally;
    let next = 0;
    const worker = async () => {
      for (let request = requests[next++]; request !== undefined; request = requests[next++]) {
        let answer: { status: number; body: string };
        try {
          answer = await send(options.baseUrl, request);
        } catch (error) {
          answer = { status: 599, body: `no answer: ${(error as Error).message}` };
        }
        tally[answer.status] = (tally[answer.status] ?? 0) + 1;
        cases += 1;
        if (answer.status >= 500 || STACK_TRACE.test(answer.body)) {
          failures.push({ route: route.operationId, request, status: answer.status, body: answer.body.slice(0, 500) });
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  };
  for (const [index, route] of routes.entries()) await fuzzRoute(route, index);
  return { counts, failures, cases };
};

/** The report as a table: one line per route, counts by status. */
export const formatReport = (report: FuzzReport): string => {
  const lines = Object.entries(report.counts).map(([route, tally]) => {
    const total = Object.values(tally).reduce((sum, count) => sum + count, 0);
    const byStatus = Object.entries(tally)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, count]) => `${status}×${count}`)
      .join("  ");
    return `  ${route.padEnd(22)} ${String(total).padStart(6)}   ${byStatus}`;
  });
  return [`${report.cases} requests, ${report.failures.length} failures (5xx or stack trace)`, ...lines].join("\n");
};
