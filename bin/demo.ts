/**
 * `npm run demo`: from nothing to a booked, ticketed order with verified partner callbacks,
 * on this machine. Starts the local gateway (in memory) and a partner's webhook receiver
 * that checks every signature with the stock `standardwebhooks` library, then drives the
 * public API as an agency would, through the typed client (client/), and prints the timeline.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { createAviaframeClient, type Order } from "../client";
import { startLocalRuntime } from "../lib/local/runtime";
import { SEED_TENANTS } from "../lib/local/seed";

const started = Date.now();
const say = (what: string, detail = "") =>
  console.log(`+${String(Date.now() - started).padStart(5)} ms  ${what}${detail ? `  ${detail}` : ""}`);

const tenant = SEED_TENANTS[0];
if (tenant === undefined) throw new Error("no seeded tenant");
const webhook = new Webhook(tenant.webhookSecret);
const verified: string[] = [];

const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    try {
      const payload = webhook.verify(body, req.headers as Record<string, string>) as {
        type: string;
        data: { order: { status: string } };
      };
      verified.push(payload.type);
      say(`partner received ${payload.type}`, `signature verified (webhook-id ${String(req.headers["webhook-id"])})`);
      res.writeHead(204).end();
    } catch (error) {
      say("partner REFUSED a callback", String(error));
      res.writeHead(400).end();
    }
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/aviaframe`;

const runtime = await startLocalRuntime({
  port: Number(process.env.PORT ?? 0),
  simPort: Number(process.env.DRCT_SIM_PORT ?? 0),
  dataDir: ":memory:",
  env: { CALLBACK_ALLOW_PRIVATE: "true", POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN" },
});
say("gateway up", runtime.apiUrl);

const avf = createAviaframeClient({ baseUrl: runtime.apiUrl, apiKey: tenant.apiKey });
const idempotencyKey = () => ({ "Idempotency-Key": randomUUID() });

try {
  const departure = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const search = await avf.POST("/public/offers/search", {
    body: { origin: "LHR", destination: "JFK", departure_date: departure, passengers: { adults: 1 } },
  });
  const offer = search.data?.offers[0];
  if (offer === undefined) throw new Error(`search answered ${search.response.status}`);
  say(
    `search: ${search.data?.offers.length} offers`,
    `first ${offer.id} at ${offer.price.total} ${offer.price.currency} (minor units)`,
  );

  const priced = await avf.PATCH("/public/offers/{offerId}/price", { params: { path: { offerId: offer.id } } });
  say(`price confirmed (${priced.response.status})`, priced.data?.priced_at ?? JSON.stringify(priced.error));

  const created = await avf.POST("/public/orders", {
    params: { header: idempotencyKey() },
    body: {
      offer_id: offer.id,
      passengers: [
        {
          type: "adult",
          given_name: "Ada",
          family_name: "Lovelace",
          birth_date: "1985-12-10",
          gender: "female",
          document: {
            type: "passport",
            number: "P1234567",
            issuing_country: "GB",
            nationality: "GB",
            expires_on: "2032-01-01",
          },
        },
      ],
      contact: { email: "ada@example.com", phone: "+442071234567" },
      callback_url: callbackUrl,
      external_ref: "demo-1",
    },
  });
  if (created.data === undefined) throw new Error(`order create answered ${JSON.stringify(created.error)}`);
  const orderId = created.data.id;
  say(
    `order ${created.response.status} ${created.data.status}`,
    `${orderId} (DRCT ${created.data.drct_order_id ?? "pending"})`,
  );

  const issued = await avf.POST("/public/orders/{orderId}/issue", {
    params: { path: { orderId }, header: idempotencyKey() },
    body: { payment: { type: "external", reference: "DEMO-INV-1" } },
  });
  say(`issue ${issued.response.status} ${issued.data?.status ?? JSON.stringify(issued.error)}`);

  let order: Order | undefined = issued.data;
  for (let round = 0; order?.status !== "ISSUED" && order?.status !== "FAILED" && round < 100; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    order = (await avf.GET("/public/orders/{orderId}", { params: { path: { orderId } } })).data;
  }
  say(`order ${order?.status}`, `tickets ${order?.tickets?.map((ticket) => ticket.number).join(", ") ?? "none"}`);

  for (let round = 0; verified.length < 2 && round < 100; round += 1)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const deliveries = await avf.GET("/public/orders/{orderId}/callbacks", { params: { path: { orderId } } });
  for (const delivery of deliveries.data?.deliveries ?? []) {
    say(`delivery log: ${delivery.event_type}`, `${delivery.status} after ${delivery.attempts.length} attempt(s)`);
  }
  if (order?.status !== "ISSUED" || verified.join(",") !== "order.booked,order.issued") process.exitCode = 1;
  say(process.exitCode === 1 ? "demo FAILED" : "demo done: booked, ticketed, partner notified");
} finally {
  await runtime.stop();
  receiver.close();
}
