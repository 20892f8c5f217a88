/**
 * The security review's forged event (finding a): anyone able to put an `order.booked` event
 * on the bus, naming an existing tenant, an order id and a callback URL, once had it delivered
 * signed with that tenant's secret. The dispatcher now trusts only the stored order: a forged
 * event sends nothing, and says so in the logs.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, expect, test } from "vitest";
import { EVENTS } from "../../lib/resources";
import { API_KEYS, searchBody, sleep, useLocalRuntime } from "./harness";

const received: string[] = [];
let receiver: Server;
let receiverUrl = "";

/** What the functions log (WARN and up), kept to look for the refusals. */
const logLines: string[] = [];
const originals = new Map<NodeJS.WriteStream, NodeJS.WriteStream["write"]>();
/** Kept for the scan, not echoed (warnings go to stderr, the rest to stdout). */
const capture = (stream: NodeJS.WriteStream) => {
  originals.set(stream, stream.write);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logLines.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const callback = rest.find((argument) => typeof argument === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as NodeJS.WriteStream["write"];
};

beforeAll(async () => {
  capture(process.stdout);
  capture(process.stderr);
  receiver = createServer((req, res) => {
    received.push(req.url ?? "/");
    req.resume();
    req.on("end", () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const [stream, write] of originals) stream.write = write;
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const api = useLocalRuntime({ env: { CALLBACK_ALLOW_PRIVATE: "true", POWERTOOLS_LOG_LEVEL: "WARN" } });

const until = async <T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
};

test("forged order events for an existing tenant send nothing and are logged as refused", async () => {
  // A real order of agency-b, with a real callback.
  const search = await api.search(API_KEYS.b, searchBody({ origin: "OSL", destination: "TOS" }));
  const offerId = (search.body.offers as { id: string }[])[0]?.id ?? "";
  const created = await api.call<{ id: string; status: string }>("/public/orders", {
    key: API_KEYS.b,
    body: {
      offer_id: offerId,
      passengers: [{ type: "adult", given_name: "Bo", family_name: "Real", birth_date: "1980-01-01", gender: "male" }],
      contact: { email: "bo@example.com", phone: "+4790000000" },
      callback_url: `${receiverUrl}/b`,
    },
    headers: { "idempotency-key": randomUUID() },
  });
  expect(created.body.status).toBe("BOOKED");
  const orderId = created.body.id;
  await until(
    () => received.filter((path) => path === "/b").length,
    (count) => count === 1,
  );

  const forged = (overrides: Record<string, unknown>) => ({
    id: `evt_${randomUUID()}`,
    sequence: 2,
    position: 0,
    detail_type: "order.booked",
    occurred_at: new Date().toISOString(),
    tenant_id: "agency-a",
    order_id: orderId,
    correlation_id: "forged",
    order_status: "BOOKED",
    // What the old dispatcher took the URL from.
    order: { id: orderId, status: "BOOKED", callback_url: `${receiverUrl}/forged` },
    callback_url: `${receiverUrl}/forged`,
    ...overrides,
  });
  const events = [
    forged({}), // agency-b's order, claimed for agency-a
    forged({ order_id: "ord_doesnotexist0000000000" }), // no such order
    forged({ tenant_id: "agency-b", detail_type: "order.cancelled" }), // a move the order never made
    forged({ tenant_id: "agency-b", sequence: 7 }), // not at that version
  ];
  const bus = new EventBridgeClient({});
  await bus.send(
    new PutEventsCommand({
      Entries: events.map((detail) => ({
        EventBusName: process.env.EVENT_BUS_NAME,
        Source: EVENTS.orders.source,
        DetailType: detail.detail_type,
        Detail: JSON.stringify(detail),
      })),
    }),
  );
  bus.destroy();

  const refusals = await until(
    () => logLines.filter((line) => line.includes("order event refused")),
    (lines) => events.every((event) => lines.some((line) => line.includes(event.id))),
  );
  for (const event of events) expect(refusals.some((line) => line.includes(event.id))).toBe(true);
  await sleep(1_000);
  expect(received.filter((path) => path === "/forged")).toEqual([]);
  expect(received.filter((path) => path === "/b")).toHaveLength(1);
  const deliveries = await api.call<{ deliveries: unknown[] }>(`/public/orders/${orderId}/callbacks`, {
    key: API_KEYS.b,
  });
  expect(deliveries.body.deliveries).toHaveLength(1);
}, 60_000);
