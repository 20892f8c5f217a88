/**
 * Data-subject requests over HTTP: export returns the order's personal data unmasked; erase
 * makes it unreachable everywhere (reads, export, search, later callbacks); search by email
 * finds the tenant's orders and never another tenant's.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, expect, test } from "vitest";
import { LOCAL_PREFIX } from "../../lib/local/runtime";
import { physicalName, TABLES } from "../../lib/resources";
import { API_KEYS, isoDay, searchBody, sleep, useLocalRuntime } from "./harness";

const received: string[] = [];
let receiver: Server;
let receiverUrl = "";

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
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const api = useLocalRuntime({ env: { CALLBACK_ALLOW_PRIVATE: "true" } });

const EMAIL = "Data.Subject@Example.org";
const passenger = {
  type: "adult",
  given_name: "Ingrid",
  family_name: "Subjectson",
  birth_date: "1977-07-07",
  gender: "female",
  document: {
    type: "passport",
    number: "DS7654321",
    issuing_country: "SE",
    nationality: "SE",
    expires_on: isoDay(800),
  },
};

interface Order {
  id: string;
  status: string;
  passengers: { given_name: string }[];
  personal_data_erased?: boolean;
}

const book = async (key: string, offerId: string, email: string, callback: boolean) => {
  const created = await api.call<Order>("/public/orders", {
    key,
    body: {
      offer_id: offerId,
      passengers: [passenger],
      contact: { email, phone: "+46701234567" },
      ...(callback ? { callback_url: receiverUrl } : {}),
    },
    headers: { "idempotency-key": randomUUID() },
  });
  expect(created.status).toBe(201);
  return created.body;
};

const search = async (key: string, email: string) => {
  const answer = await api.call<{ order_ids: string[] }>("/public/personal-data/search", { key, body: { email } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.order_ids;
};

test("export, search and erase; after the erase no read, export, search or callback carries personal data", async () => {
  const offerOf = async (key: string) => {
    const found = await api.search(key, searchBody({ origin: "ARN", destination: "CPH" }));
    const offers = found.body.offers as { id: string; fare_rules: { refundable: boolean } }[];
    return (offers.find((offer) => offer.fare_rules.refundable) ?? offers[0])?.id ?? "";
  };
  const [offerA, offerB] = [await offerOf(API_KEYS.a), await offerOf(API_KEYS.b)];
  const first = await book(API_KEYS.a, offerA, EMAIL, true);
  const second = await book(API_KEYS.a, offerA, EMAIL.toLowerCase(), false);
  const other = await book(API_KEYS.a, offerA, "someone.else@example.org", false);
  const theirs = await book(API_KEYS.b, offerB, EMAIL, false);

  // Search: the tenant's orders with this (normalized) email, never another tenant's.
  expect((await search(API_KEYS.a, EMAIL.toUpperCase())).sort()).toEqual([first.id, second.id].sort());
  expect(await search(API_KEYS.b, EMAIL)).toEqual([theirs.id]);
  expect(await search(API_KEYS.a, "nobody@example.org")).toEqual([]);
  expect(await search(API_KEYS.a, "someone.else@example.org")).toEqual([other.id]);

  // Export: everything, unmasked, to the owner only.
  const exported = await api.call<{
    passengers: { given_name: string; document: { number: string } }[];
    contact: { email: string } | null;
    personal_data_erased: boolean;
  }>(`/public/orders/${first.id}/personal-data`);
  expect(exported.status).toBe(200);
  expect(exported.body.passengers[0]?.document.number).toBe("DS7654321");
  expect(exported.body.contact?.email).toBe(EMAIL);
  expect(exported.body.personal_data_erased).toBe(false);
  expect((await api.call(`/public/orders/${first.id}/personal-data`, { key: API_KEYS.b })).status).toBe(404);
  expect(
    (await api.call(`/public/orders/${first.id}/personal-data`, { key: API_KEYS.b, method: "DELETE" })).status,
  ).toBe(404);

  // Erase: gone from reads, export and search; the order keeps its ids, status and history.
  const erase = await api.call(`/public/orders/${first.id}/personal-data`, { method: "DELETE" });
  expect(erase.status).toBe(204);
  const read = await api.call<Order>(`/public/orders/${first.id}`);
  expect(read.body).toMatchObject({ id: first.id, status: "BOOKED", passengers: [], personal_data_erased: true });
  const after = await api.call<{ passengers: unknown[]; contact: unknown; personal_data_erased: boolean }>(
    `/public/orders/${first.id}/personal-data`,
  );
  expect(after.body).toEqual({ order_id: first.id, passengers: [], contact: null, personal_data_erased: true });
  expect(await search(API_KEYS.a, EMAIL)).toEqual([second.id]);
  expect((await api.call(`/public/orders/${first.id}/personal-data`, { method: "DELETE" })).status).toBe(204);

  // A later callback is built from the erased order: nothing personal in it.
  const cancelled = await api.call<Order>(`/public/orders/${first.id}/cancel`, {
    body: {},
    headers: { "idempotency-key": randomUUID() },
  });
  expect(cancelled.body.status).toBe("CANCELLED");
  const deadline = Date.now() + 15_000;
  while (!received.some((body) => body.includes("order.cancelled")) && Date.now() < deadline) await sleep(100);
  const callback = received.find((body) => body.includes("order.cancelled") && body.includes(first.id));
  expect(callback).toBeDefined();
  for (const personal of ["Ingrid", "Subjectson", "1977-07-07", "DS7654321", "654321", EMAIL]) {
    expect(callback).not.toContain(personal);
  }
  expect(callback).toContain('"personal_data_erased":true');
}, 90_000);

test("retention: the scheduled job erases an order's personal data PII_RETENTION_DAYS after its last flight", async () => {
  const found = await api.search(API_KEYS.a, searchBody({ origin: "ARN", destination: "OSL" }));
  const offerId = (found.body.offers as { id: string }[])[0]?.id ?? "";
  const landed = await book(API_KEYS.a, offerId, "retired.traveller@example.org", false);
  const kept = await book(API_KEYS.a, offerId, "future.traveller@example.org", false);
  // The first order's flight landed long ago (more than the default 90 days).
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  await documents.send(
    new UpdateCommand({
      TableName: physicalName(LOCAL_PREFIX, TABLES.orders.id),
      Key: { pk: "TENANT#agency-a", sk: `ORDER#${landed.id}` },
      UpdateExpression: "SET last_flight_at = :long_ago",
      ExpressionAttributeValues: { ":long_ago": "2020-01-01T00:00:00.000Z" },
    }),
  );
  documents.destroy();

  // What the retention schedule does (every few hours; a timer locally).
  await api.runtime.functions.get("Task-eraseExpiredPersonalData").invoke({});
  const erasedOrder = await api.call<Order>(`/public/orders/${landed.id}`);
  expect(erasedOrder.body).toMatchObject({ passengers: [], personal_data_erased: true });
  expect(await search(API_KEYS.a, "retired.traveller@example.org")).toEqual([]);
  const keptOrder = await api.call<Order>(`/public/orders/${kept.id}`);
  expect(keptOrder.body.passengers[0]?.given_name).toBe("Ingrid");
  expect(keptOrder.body.personal_data_erased).toBeUndefined();
}, 60_000);
