/**
 * `npm run bench:disruptions`: the schedule watch under load, against the DRCT simulator.
 * 200 booked orders, DRCT's notifications off, the airline moves every booking; the sweep
 * (RECONCILE_INTERVAL_S=5) must find every change while searches go on, without DRCT ever
 * refusing a search; then 100 concurrent flight status reads of one flight from 5 tenants.
 */
import { randomUUID } from "node:crypto";
import { startLocalRuntime } from "../lib/local/runtime";
import { testTenant } from "../lib/local/seed";

const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const INTERVAL_S = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

const tenants = Array.from({ length: 5 }, (_, index) => testTenant(`watch${index}`, { plan: "premium" }));
const runtime = await startLocalRuntime({
  port: 0,
  simPort: 0,
  dataDir: ":memory:",
  env: { POWERTOOLS_LOG_LEVEL: "SILENT", RECONCILE_INTERVAL_S: String(INTERVAL_S), RECONCILE_AFTER_S: "1" },
  extraTenants: tenants,
});
const keys = tenants.map((tenant) => tenant.apiKey);

const call = async <T>(path: string, key: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "x-api-key": key, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
};
const sim = async <T>(path: string, body?: unknown): Promise<T> =>
  (await (
    await fetch(`${runtime.simulatorUrl}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  ).json()) as T;

interface Stats {
  calls: Record<string, number>;
  rate_limit_violations: number;
}
type Offer = { id: string; segments: { carrier: string; flight_number: string; departs_at: string }[] };

const search = async (key: string, destination: string, offset: number) => {
  for (;;) {
    const found = await call<{ offers: Offer[] }>("/public/offers/search", key, {
      origin: "VIE",
      destination,
      departure_date: day(offset),
      passengers: { adults: 1 },
    });
    if (found.status === 200) return found.body.offers;
    await sleep(500);
  }
};

try {
  // 1. 200 booked orders (DRCT's order_create budget is 5/s: this takes about a minute).
  // Offers are each tenant's own: every tenant searches a route of its own.
  const offersOf: Offer[][] = [];
  for (const [index, destination] of ["PRG", "BUD", "WAW", "ZAG", "SOF"].entries()) {
    offersOf.push(await search(keys[index] ?? "", destination, 20 + index));
    await sleep(1_100);
  }
  const offers = offersOf.flat();
  const accepted: string[] = [];
  const outcomes = new Map<string, number>();
  const queue = Array.from({ length: ORDERS }, (_, index) => index);
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
        const mine = offersOf[index % keys.length] ?? [];
        const offer = mine[Math.floor(index / keys.length) % mine.length];
        const key = keys[index % keys.length] ?? "";
        const created = await call<{ id: string; status: string }>(
          "/public/orders",
          key,
          {
            offer_id: offer?.id,
            passengers: [
              { type: "adult", given_name: "Wanda", family_name: "Watch", birth_date: "1980-05-05", gender: "female" },
            ],
            contact: { email: "w@example.com", phone: "+43100000000" },
          },
          { "idempotency-key": randomUUID() },
        );
        outcomes.set(
          `${created.status} ${created.body.status ?? "-"}`,
          (outcomes.get(`${created.status} ${created.body.status ?? "-"}`) ?? 0) + 1,
        );
        if (created.status === 429 || created.status === 503) {
          await sleep(1_000);
          queue.push(index);
        } else if (created.body.id !== undefined) accepted.push(`${key} ${created.body.id}`);
      }
    }),
  );
  // Orders answered 202 settle in the background: wait for them to be BOOKED.
  const booked: string[] = [];
  for (const entry of accepted) {
    const [key, id] = entry.split(" ");
    for (let tries = 0; tries < 60; tries += 1) {
      const order = await call<{ status: string }>(`/public/orders/${id}`, key ?? "");
      if (order.body.status === "BOOKED") booked.push(entry);
      if (order.body.status !== "PENDING" && order.body.status !== "PENDING_RECONCILE") break;
      await sleep(500);
    }
  }
  console.log(
    `booked ${booked.length}/${ORDERS} orders in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    Object.fromEntries(outcomes),
  );

  // 2. The airline moves every booking; DRCT does not tell: only the sweep can find them.
  await sim("/__sim/notifications", { enabled: false });
  const before = await sim<Stats>("/__sim/stats");
  const moved = Date.now();
  await sim("/__sim/schedule-change", { minutes: 35 });
  let searches = 0;
  let searchRefusals = 0;
  let searching = true;
  const searcher = (async () => {
    for (let round = 0; searching; round += 1) {
      const answer = await call("/public/offers/search", keys[round % keys.length] ?? "", {
        origin: "VIE",
        destination: ["LIS", "MAD", "OSL", "HEL"][round % 4],
        departure_date: day(40 + (round % 30)),
        passengers: { adults: 1 },
      });
      searches += 1;
      if (answer.status !== 200) searchRefusals += 1;
      await sleep(1_000);
    }
  })();
  const pending = new Set(booked);
  const seenAt: number[] = [];
  while (pending.size > 0 && Date.now() - moved < 10 * 60_000) {
    for (const entry of [...pending]) {
      const [key, id] = entry.split(" ");
      const order = await call<{ schedule_changes?: unknown[] }>(`/public/orders/${id}`, key ?? "");
      if ((order.body.schedule_changes?.length ?? 0) > 0) {
        pending.delete(entry);
        seenAt.push(Date.now() - moved);
      }
    }
    await sleep(500);
  }
  searching = false;
  await searcher;
  const after = await sim<Stats>("/__sim/stats");
  const sorted = [...seenAt].sort((a, b) => a - b);
  const at = (p: number) =>
    ((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN) / 1000).toFixed(1);
  console.log(`\nschedule watch, ${booked.length} orders, RECONCILE_INTERVAL_S=${INTERVAL_S}, notifications off`);
  console.log(`| measure | result |\n| --- | --- |`);
  console.log(`| changes found by the sweep | ${seenAt.length}/${booked.length} |`);
  console.log(`| time to find them: p50 / p95 / max | ${at(0.5)} s / ${at(0.95)} s / ${at(1)} s |`);
  console.log(
    `| DRCT order reads (GET /v1/orders/{id}) | ${(after.calls.order_get ?? 0) - (before.calls.order_get ?? 0)} |`,
  );
  console.log(`| searches meanwhile / refused by the gateway | ${searches} / ${searchRefusals} |`);
  console.log(`| DRCT rate-limit violations (whole run) | ${after.rate_limit_violations} |`);

  // 3. One flight, 100 concurrent status reads from 5 tenants.
  const segment = offers[0]?.segments[0];
  if (segment !== undefined) {
    const date = segment.departs_at.slice(0, 10);
    await sim("/__sim/flight-status", {
      carrier: segment.carrier,
      flight_number: segment.flight_number,
      date,
      status: "delayed",
      delay_minutes: 70,
    });
    const statusBefore = (await sim<Stats>("/__sim/stats")).calls.flight_status ?? 0;
    const t0 = performance.now();
    const reads = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        call(
          `/public/flights/status?carrier=${segment.carrier}&flight_number=${segment.flight_number}&date=${date}`,
          keys[index % 5] ?? "",
        ),
      ),
    );
    const elapsed = performance.now() - t0;
    const calls = ((await sim<Stats>("/__sim/stats")).calls.flight_status ?? 0) - statusBefore;
    console.log(
      `| 100 concurrent status reads, 5 tenants: 200s / DRCT calls / wall time | ${reads.filter((r) => r.status === 200).length} / ${calls} / ${elapsed.toFixed(0)} ms |`,
    );
  }
} finally {
  await runtime.stop();
}
