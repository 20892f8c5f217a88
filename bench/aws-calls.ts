/**
 * Per request: the AWS calls the handling function made and their sequential waves (what a
 * request waits on in Lambda), recorded inside the function's execution environment
 * (lib/local/lambda/outbound-calls.ts). Each request is measured warm: it runs once before.
 */
import { type OutboundCall, waveGroups } from "../lib/local/lambda/outbound-calls";
import type { LocalRuntime } from "../lib/local/runtime";
import { WAVE_BUDGETS } from "./budgets";

export interface Invocations {
  /** Every invocation since the last `clear`, in the order they returned. */
  readonly seen: { readonly fn: string; readonly calls: readonly OutboundCall[] }[];
  clear(): void;
}

export const invocationLog = (): Invocations & {
  readonly listener: (fn: string, calls: readonly OutboundCall[]) => void;
} => {
  const seen: { fn: string; calls: readonly OutboundCall[] }[] = [];
  return {
    seen,
    clear: () => {
      seen.length = 0;
    },
    listener: (fn, calls) => {
      seen.push({ fn, calls });
    },
  };
};

export interface RequestCost {
  readonly request: string;
  readonly awsCalls: number;
  readonly waves: number;
  readonly drctCalls: number;
  /** AWS calls by operation, e.g. `DynamoDB.GetItem ×2`. */
  readonly breakdown: string;
  /** The request's own steps in order, e.g. `GetItem → PutItem → DRCT → BatchWriteItem, PutItem`. */
  readonly steps: string;
}

/**
 * A request's waves are those of its own outbound calls; a wave with a DRCT call in it is
 * DRCT's (counted apart): an AWS call made beside DRCT's costs no wait of its own. Calls made
 * for bookkeeping beside the request (usage counts, the request log, a key refresh…) are
 * counted as calls but not as steps: they neither wait for the request's steps nor are waited
 * on, and counted as steps they would merge steps that depend on each other whenever one
 * happened to be in flight across them.
 */
export const costOf = (request: string, calls: readonly OutboundCall[], drctHost: string): RequestCost => {
  const isDrct = (call: OutboundCall) => call.target === `http:${drctHost}`;
  const aws = calls.filter((call) => !call.target.startsWith("http:"));
  const counts = new Map<string, number>();
  for (const call of aws) counts.set(call.target, (counts.get(call.target) ?? 0) + 1);
  const steps = waveGroups([...aws, ...calls.filter(isDrct)].filter((call) => call.bookkeeping === undefined));
  const operation = (call: OutboundCall) => (isDrct(call) ? "DRCT" : (call.target.split(".")[1] ?? call.target));
  return {
    request,
    awsCalls: aws.length,
    waves: steps.filter((wave) => !wave.some(isDrct)).length,
    steps: steps.map((wave) => wave.map(operation).join(", ")).join(" → "),
    drctCalls: calls.filter(isDrct).length,
    breakdown: [...counts].map(([target, count]) => (count === 1 ? target : `${target} ×${count}`)).join(", "),
  };
};

/** One API request as the bench sends it: `key` is its Idempotency-Key. */
export interface ApiCall {
  readonly method?: string;
  readonly path: string;
  readonly body?: unknown;
  readonly key?: string;
}

/** Sends bench requests as one agency; a 4xx or 5xx throws, naming the request. */
export const apiSender =
  (apiUrl: string, apiKey: string) =>
  async ({ method = "GET", path, body, key }: ApiCall): Promise<Record<string, unknown>> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        "x-api-key": apiKey,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(key === undefined ? {} : { "idempotency-key": key }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };

/** An order for one adult on this offer, under a fresh Idempotency-Key. */
export const bookingCall = (offerId: string): ApiCall => ({
  method: "POST",
  path: "/public/orders",
  key: `bench-${offerId}-${Date.now()}`,
  body: {
    offer_id: offerId,
    passengers: [{ type: "adult", given_name: "Wave", family_name: "Count", birth_date: "1980-01-01", gender: "male" }],
    contact: { email: "waves@example.com", phone: "+4315550100" },
  },
});

export const measureRequestCosts = async (
  runtime: LocalRuntime,
  invocations: Invocations,
  apiKey: string,
  departureDate: string,
): Promise<RequestCost[]> => {
  const drctHost = new URL(runtime.simulatorUrl ?? "http://none").host;
  const send = apiSender(runtime.apiUrl, apiKey);
  /** The route function's calls for one request (tasks and consumers it set off are not waited on). */
  const measure = async (request: string, call: ApiCall) => {
    invocations.clear();
    const answer = await send(call);
    const route = invocations.seen.find((seen) => seen.fn.startsWith("Route-"));
    return { answer, cost: costOf(request, route?.calls ?? [], drctHost) };
  };
  const search = (destination: string) => ({
    method: "POST",
    path: "/public/offers/search",
    body: { origin: "VIE", destination, departure_date: departureDate, passengers: { adults: 1 } },
  });
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1_100)); // DRCT's 1 search/s
  const firstOffer = (answer: Record<string, unknown>) => (answer.offers as { id: string }[])[0]?.id ?? "";

  // Warm every function first, then measure each request's second run.
  const warm = firstOffer(await send(search("CDG")));
  await send({ method: "PATCH", path: `/public/offers/${warm}/price` });
  const warmOrder = await send(bookingCall(warm));
  await send({ path: `/public/orders/${String(warmOrder.id)}` });
  await send({ path: "/public/orders?limit=5" });
  await send({ path: "/public/usage" });
  await send({
    method: "POST",
    path: `/public/orders/${String(warmOrder.id)}/issue`,
    key: `bench-issue-warm-${Date.now()}`,
    body: { payment: { type: "external", reference: "BENCH-WARM" } },
  });
  await pause();

  const costs: RequestCost[] = [];
  const miss = await measure("search, cache miss", search("AMS"));
  costs.push(miss.cost);
  costs.push((await measure("search, cache hit", search("AMS"))).cost);
  const offerId = firstOffer(miss.answer);
  costs.push((await measure("price", { method: "PATCH", path: `/public/offers/${offerId}/price` })).cost);
  const created = await measure("order create", bookingCall(offerId));
  costs.push(created.cost);
  const orderId = String(created.answer.id);
  costs.push((await measure("order get", { path: `/public/orders/${orderId}` })).cost);
  costs.push((await measure("order list", { path: "/public/orders?limit=5" })).cost);
  costs.push((await measure("usage", { path: "/public/usage" })).cost);
  costs.push(
    (
      await measure("order issue", {
        method: "POST",
        path: `/public/orders/${orderId}/issue`,
        key: `bench-issue-${Date.now()}`,
        body: { payment: { type: "external", reference: "BENCH" } },
      })
    ).cost,
  );
  return costs;
};

/** The table the README shows, and the requests over their wave budget. */
export const costTable = (costs: readonly RequestCost[]): { table: string; overBudget: string[] } => {
  const lines = [
    "| request | AWS calls | sequential waves | budget | DRCT calls | calls |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  const overBudget: string[] = [];
  for (const cost of costs) {
    const budget = WAVE_BUDGETS[cost.request];
    if (budget !== undefined && cost.waves > budget) overBudget.push(`${cost.request} (${cost.waves} > ${budget})`);
    lines.push(
      `| ${cost.request} | ${cost.awsCalls} | ${cost.waves} | ${budget ?? "–"} | ${cost.drctCalls} | ${cost.breakdown} |`,
    );
  }
  const stepLines = costs.map((cost) => `- ${cost.request}: ${cost.steps}`);
  return {
    table: [...lines, "", "The steps (bookkeeping beside them left out):", ...stepLines].join("\n"),
    overBudget,
  };
};
