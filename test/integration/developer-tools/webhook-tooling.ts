import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SEED_TENANTS } from "../../../lib/local/seed";
import { API_KEYS, type Harness, isoDay, searchBody, sleep } from "../harness";

export const webhookToolingTests = (api: Harness): void => {
  const FEED_KEY = "local-feed-key";

  interface Received {
    readonly headers: IncomingHttpHeaders;
    readonly body: string;
  }
  const received: Received[] = [];
  let answer = 204;
  let receiver: Server;
  let receiverUrl: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  interface TestDelivery {
    delivery: { status: string; webhook_id: string; attempts: { outcome: string; status_code?: number }[] };
  }

  describe("POST /public/callbacks/test", () => {
    test("sends a ping signed with the tenant's secret now, and answers the attempt", async () => {
      answer = 204;
      const response = await api.call<TestDelivery>("/public/callbacks/test", { body: { url: receiverUrl } });
      expect(response.status).toBe(200);
      expect(response.body.delivery).toMatchObject({ status: "delivered", event_type: "ping", url: receiverUrl });
      expect(response.body.delivery.attempts).toEqual([
        expect.objectContaining({ outcome: "delivered", status_code: 204 }),
      ]);
      const ping = received.at(-1);
      expect(ping?.headers["webhook-id"]).toBe(response.body.delivery.webhook_id);
      const secret = SEED_TENANTS[0]?.webhookSecret ?? "";
      const payload = new Webhook(secret).verify(ping?.body ?? "", ping?.headers as Record<string, string>);
      expect(payload).toMatchObject({ type: "ping", data: { tenant_id: "agency-a" } });
    });

    test("reports an endpoint that refuses it, and refuses URLs a callback could not use", async () => {
      answer = 500;
      const failed = await api.call<TestDelivery>("/public/callbacks/test", { body: { url: receiverUrl } });
      expect(failed.status).toBe(200);
      expect(failed.body.delivery.status).toBe("failed");
      expect(failed.body.delivery.attempts[0]).toMatchObject({ outcome: "retry", status_code: 500 });
      for (const url of ["ftp://127.0.0.1/hooks", "not a url"]) {
        const refused = await api.call<{ error: { code: string } }>("/public/callbacks/test", { body: { url } });
        expect(refused.status, url).toBe(400);
        expect(refused.body.error.code).toBe("AVF_400_INVALID_CALLBACK_URL");
      }
    });
  });

  describe("npm run listen", () => {
    test("prints the tenant's secret, and with --ping shows the gateway's ping verified", async () => {
      const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
        const child = execFile(
          process.execPath,
          ["--import", "tsx", "bin/listen.ts", "--ping", "--once", "--port", "0", "--api", api.runtime.apiUrl],
          { timeout: 20_000 },
          (_error, out) => resolve({ stdout: out, code: child.exitCode }),
        );
      });
      expect(stdout).toContain(SEED_TENANTS[0]?.webhookSecret);
      expect(stdout).toMatch(/✔ verified\s+ping\s+webhook-id msg_test_/);
      expect(stdout).toContain('"tenant_id": "agency-a"');
      expect(code).toBe(0);
    });
  });

  interface EventList {
    events: { id: string; type: string; occurred_at: string; order_id: string; order_status: string }[];
    next_cursor: string | null;
  }

  describe("GET /public/events", () => {
    test("lists the tenant's order events newest first, pages with a cursor, never personal data", async () => {
      const offer = await api.offerWith(
        FEED_KEY,
        { refundable: true },
        searchBody({ destination: "MAD", departure_date: isoDay(21) }),
      );
      const created = await api.call<{ id: string; status: string }>("/public/orders", {
        key: FEED_KEY,
        headers: { "idempotency-key": randomUUID() },
        body: {
          offer_id: offer.id,
          passengers: [
            { type: "adult", given_name: "Mary", family_name: "Jackson", birth_date: "1981-04-09", gender: "female" },
          ],
          contact: { email: "mary@example.com", phone: "+12025550199" },
        },
      });
      expect(created.body.status).toBe("BOOKED");
      const cancelled = await api.call(`/public/orders/${created.body.id}/cancel`, {
        key: FEED_KEY,
        headers: { "idempotency-key": randomUUID() },
        body: {},
      });
      expect(cancelled.status).toBe(200);

      let list = await api.call<EventList>("/public/events", { key: FEED_KEY });
      for (let round = 0; list.body.events.length < 2 && round < 50; round += 1) {
        await sleep(100);
        list = await api.call<EventList>("/public/events", { key: FEED_KEY });
      }
      expect(list.status).toBe(200);
      const ofOrder = list.body.events.filter((event) => event.order_id === created.body.id);
      expect(ofOrder.map((event) => [event.type, event.order_status])).toEqual([
        ["order.cancelled", "CANCELLED"],
        ["order.booked", "BOOKED"],
      ]);
      expect(JSON.stringify(list.body)).not.toMatch(/Mary|Jackson|1981-04-09|mary@example|\+12025550199/);

      const booked = await api.call<EventList>("/public/events?type=order.booked", { key: FEED_KEY });
      expect(booked.body.events.map((event) => event.type)).toEqual(["order.booked"]);

      const first = await api.call<EventList>("/public/events?limit=1", { key: FEED_KEY });
      expect(first.body.events).toEqual([list.body.events[0]]);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const second = await api.call<EventList>(`/public/events?limit=1&cursor=${first.body.next_cursor}`, {
        key: FEED_KEY,
      });
      expect(second.body.events).toEqual([list.body.events[1]]);

      // Nothing of it for another tenant, and its cursor means nothing there.
      const other = await api.call<EventList>("/public/events", { key: API_KEYS.b });
      expect(other.body.events.filter((event) => event.order_id === created.body.id)).toEqual([]);
      const stolen = await api.call(`/public/events?cursor=${first.body.next_cursor}`, { key: API_KEYS.b });
      expect(stolen.status).toBe(400);
    });

    test("refuses forged cursors and unknown types with the validation envelope", async () => {
      const forged = Buffer.from(JSON.stringify({ pk: "TENANT#agency-feed", sk: 1 })).toString("base64url");
      for (const query of ["cursor=bm90LWEtY3Vyc29y", `cursor=${forged}`, "type=order.exploded", "limit=0"]) {
        const response = await api.call<{ error: { code: string } }>(`/public/events?${query}`, { key: FEED_KEY });
        expect(response.status, query).toBe(400);
        expect(response.body.error.code, query).toBe("AVF_400_VALIDATION");
      }
    });
  });
};
