/**
 * A client's retry of the order create that was in flight when the gateway died (kill -9):
 * the dead request's in-progress record lapses with that request's own deadline, so the retry
 * gets its answer seconds after the gateway is back, not after a Lambda timeout, and it is the
 * same one order.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { API_KEYS, isoDay, searchBody, sleep } from "./harness";
import { freePort, startGateway } from "./processes";

const dataDir = mkdtempSync(join(tmpdir(), "aviaframe-retry-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const passenger = {
  type: "adult",
  given_name: "Karl",
  family_name: "Crash",
  birth_date: "1975-07-08",
  gender: "male",
  document: { type: "passport", number: "K7654321", issuing_country: "AT", nationality: "AT", expires_on: isoDay(900) },
};

test("the retry of a create in flight at kill -9 is answered within 12 s of the gateway being back, with the one order", async () => {
  const [port, simPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    DRCT_SIM_PORT: String(simPort),
    DATA_DIR: dataDir,
    POWERTOOLS_LOG_LEVEL: "WARN",
  };
  const headers = { "x-api-key": API_KEYS.a, "content-type": "application/json" };
  const first = await startGateway(env);
  const search = await fetch(`${url}/public/offers/search`, {
    method: "POST",
    headers,
    body: JSON.stringify(searchBody({ origin: "GRZ", destination: "INN" })),
  });
  const offerId = ((await search.json()) as { offers: { id: string }[] }).offers[0]?.id ?? "";
  // The create re-confirms the price with DRCT first: DRCT is slow, so the request is in flight.
  await fetch(`http://127.0.0.1:${simPort}/__sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ operation: "price", mode: "latency", latency_ms: 8_000, count: 1 }),
  });
  const key = randomUUID();
  const create = () =>
    fetch(`${url}/public/orders`, {
      method: "POST",
      headers: { ...headers, "idempotency-key": key },
      body: JSON.stringify({
        offer_id: offerId,
        passengers: [passenger],
        contact: { email: "karl@example.com", phone: "+43123456" },
      }),
    });
  const inFlight = create().catch(() => undefined);
  await sleep(1_500);
  await Promise.all([inFlight, first.stop("SIGKILL")]);

  const second = await startGateway(env);
  try {
    const backAt = Date.now();
    let answer = await create();
    while (answer.status === 409 && Date.now() - backAt < 40_000) {
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("AVF_409_REQUEST_IN_PROGRESS");
      await sleep(500);
      answer = await create();
    }
    const waited = Date.now() - backAt;
    expect([201, 202]).toContain(answer.status);
    expect(waited).toBeLessThanOrEqual(12_000);
    const order = (await answer.json()) as { id: string };
    const list = (await (await fetch(`${url}/public/orders`, { headers })).json()) as { orders: { id: string }[] };
    expect(list.orders.map((listed) => listed.id)).toEqual([order.id]);
  } finally {
    await second.stop("SIGTERM");
  }
}, 90_000);
