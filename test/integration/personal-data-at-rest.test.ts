/**
 * The security review's byte scan (CONTRACT.md §3 "Passenger data"): `npm start` as a user
 * runs it, on a DATA_DIR of its own, logging at DEBUG; a full flow with a passport and a
 * contact (search, price, book, replay, issue, cancel, callbacks, replay of a callback,
 * reads); then every byte of every file under DATA_DIR and every byte the process printed
 * is searched for the planted personal values. None may be there, while a planted
 * non-personal control value (external_ref) is, so the scan is known to see stored data.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { API_KEYS, fareMatches, isoDay, type SearchedOffer, searchBody, sleep } from "./harness";
import { freePort, type Gateway, startGateway } from "./processes";

const PLANTED = {
  given_name: "Zebulonia",
  family_name: "Quillfeatherby",
  birth_date: "1971-03-17",
  document_number: "XK9284715",
  email: "zq.private-person@example.org",
  phone: "+447700900123",
  second_given_name: "Thaddeusz",
  second_birth_date: "2018-11-04",
  second_document_number: "NR5518207",
} as const;
const CONTROL = `ctrl-extref-${randomUUID().slice(0, 8)}`;

const dataDir = mkdtempSync(join(tmpdir(), "aviaframe-scan-"));
const received: string[] = [];
let receiver: Server;
let receiverUrl = "";
let gateway: Gateway | undefined;
let api = "";

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const [port, simPort] = [await freePort(), await freePort()];
  gateway = await startGateway({
    ...process.env,
    PORT: String(port),
    DRCT_SIM_PORT: String(simPort),
    DATA_DIR: dataDir,
    // The most a developer would see: debug lines too must come out masked.
    POWERTOOLS_LOG_LEVEL: "DEBUG",
    CALLBACK_ALLOW_PRIVATE: "true",
    CALLBACK_RETRY_SCHEDULE_S: "0,1,2",
  });
  api = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  await gateway?.stop("SIGKILL");
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

const call = async <T = Record<string, unknown>>(
  path: string,
  options: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> => {
  const response = await fetch(`${api}${path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers: {
      "x-api-key": options.key ?? API_KEYS.a,
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === "" ? {} : JSON.parse(text)) as T };
};

const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(200);
  }
};

/** Every file under `dir`, with its bytes. */
const filesUnder = (dir: string): { path: string; bytes: Buffer; mode: number }[] =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((relative) => join(dir, relative))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, bytes: readFileSync(path), mode: statSync(path).mode & 0o777 }));

/** Where `needle` occurs (any letter case) in `haystack`'s bytes. */
const occurs = (haystack: Buffer, needle: string): boolean =>
  haystack.toString("latin1").toLowerCase().includes(needle.toLowerCase());

test("after a full flow no planted personal value is in DATA_DIR or the runtime's output; the control value is", async () => {
  const criteria = searchBody({ origin: "OSL", destination: "ATH", passengers: { adults: 1, children: 1 } });
  const search = await until(
    () => call<{ offers: SearchedOffer[] }>("/public/offers/search", { body: criteria }),
    (answer) => answer.status !== 429,
  );
  expect(search.status).toBe(200);
  const offer = search.body.offers.find((candidate) => fareMatches(candidate, { refundable: true }));
  if (offer === undefined) throw new Error("no refundable offer");
  expect((await call(`/public/offers/${offer.id}/price`, { method: "PATCH" })).status).toBe(200);

  const createKey = randomUUID();
  const orderBody = {
    offer_id: offer.id,
    passengers: [
      {
        type: "adult",
        given_name: PLANTED.given_name,
        family_name: PLANTED.family_name,
        birth_date: PLANTED.birth_date,
        gender: "female",
        document: {
          type: "passport",
          number: PLANTED.document_number,
          issuing_country: "NO",
          nationality: "NO",
          expires_on: isoDay(1_200),
        },
      },
      {
        type: "child",
        given_name: PLANTED.second_given_name,
        family_name: PLANTED.family_name,
        birth_date: PLANTED.second_birth_date,
        gender: "male",
        document: {
          type: "passport",
          number: PLANTED.second_document_number,
          issuing_country: "NO",
          nationality: "NO",
          expires_on: isoDay(1_200),
        },
      },
    ],
    contact: { email: PLANTED.email, phone: PLANTED.phone },
    callback_url: receiverUrl,
    external_ref: CONTROL,
  };
  const created = await call<{ id: string; status: string }>("/public/orders", {
    body: orderBody,
    headers: { "idempotency-key": createKey },
  });
  expect(created.status).toBe(201);
  const orderId = created.body.id;
  // A replay is answered from the stored order: the idempotency record keeps only its id.
  const replayed = await call<{ id: string; passengers: { given_name: string }[] }>("/public/orders", {
    body: orderBody,
    headers: { "idempotency-key": createKey },
  });
  expect(replayed.body.id).toBe(orderId);
  expect(replayed.body.passengers[0]?.given_name).toBe(PLANTED.given_name);

  const issueKey = randomUUID();
  const issueBody = { payment: { type: "external", reference: "INV-scan" } };
  expect(
    (await call(`/public/orders/${orderId}/issue`, { body: issueBody, headers: { "idempotency-key": issueKey } }))
      .status,
  ).toBe(202);
  expect(
    (await call(`/public/orders/${orderId}/issue`, { body: issueBody, headers: { "idempotency-key": issueKey } }))
      .status,
  ).toBe(202);
  const issued = await until(
    () => call<{ status: string }>(`/public/orders/${orderId}`),
    (answer) => answer.body.status === "ISSUED",
  );
  expect(issued.body.status).toBe("ISSUED");
  const cancelled = await call<{ status: string }>(`/public/orders/${orderId}/cancel`, {
    body: {},
    headers: { "idempotency-key": randomUUID() },
  });
  expect(cancelled.body.status).toBe("CANCELLED");

  const callbacks = await until(
    async () => received.filter((body) => body.includes(orderId)),
    (bodies) => bodies.length >= 3,
  );
  expect(callbacks.map((body) => (JSON.parse(body) as { type: string }).type)).toEqual([
    "order.booked",
    "order.issued",
    "order.cancelled",
  ]);
  // The partner gets the order's names from the stored order; documents masked, no contact.
  expect(callbacks[0]).toContain(PLANTED.given_name);
  expect(callbacks[0]).not.toContain(PLANTED.document_number);
  expect(callbacks[0]).not.toContain(PLANTED.email);

  const deliveries = await call<{ deliveries: { id: string; status: string }[] }>(
    `/public/orders/${orderId}/callbacks`,
  );
  const first = deliveries.body.deliveries[0];
  if (first === undefined) throw new Error("no delivery listed");
  expect((await call(`/public/callbacks/${first.id}/replay`, { method: "POST" })).status).toBe(202);
  await until(
    async () => received.filter((body) => body.includes(orderId)).length,
    (count) => count >= 4,
  );
  expect((await call("/public/orders?limit=5")).status).toBe(200);
  expect((await call("/public/events?limit=10")).status).toBe(200);

  expect(await gateway?.stop("SIGTERM")).toBe(0);
  const output = Buffer.from(gateway?.output() ?? "", "utf8");
  const files = filesUnder(dataDir);
  expect(files.length).toBeGreaterThan(5);

  const found: string[] = [];
  for (const [name, value] of Object.entries(PLANTED)) {
    for (const file of files) if (occurs(file.bytes, value)) found.push(`${name} in ${file.path}`);
    if (occurs(output, value)) found.push(`${name} in the runtime's output`);
  }
  expect(found).toEqual([]);
  // The scan sees stored data: the non-personal control value is stored in clear.
  expect(files.some((file) => occurs(file.bytes, CONTROL))).toBe(true);

  // Private to its user: the directory 0700, every file 0600.
  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  expect(files.filter((file) => file.mode !== 0o600).map((file) => `${file.path} ${file.mode.toString(8)}`)).toEqual(
    [],
  );
}, 120_000);
