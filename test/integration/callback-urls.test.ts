/**
 * Hostile callback URLs are refused when the order is created, before anything is booked
 * (CONTRACT.md §4). The send-time check on the dialled address is covered by
 * test/unit/webhook-sender.test.ts.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, expect, test } from "vitest";
import { API_KEYS, searchBody, useLocalRuntime } from "./harness";

const api = useLocalRuntime();

const HOSTILE = [
  "http://partner.example.com/hook",
  "https://partner.example.com:8443/hook",
  "https://user:pass@partner.example.com/hook",
  "https://127.0.0.1/hook",
  "https://127.1/hook",
  "https://2130706433/hook",
  "https://0x7f000001/hook",
  "https://0177.0.0.1/hook",
  "https://[::1]/hook",
  "https://[::ffff:127.0.0.1]/hook",
  "https://[0:0:0:0:0:ffff:7f00:1]/hook",
  "https://10.0.0.5/hook",
  "https://172.16.3.4/hook",
  "https://192.168.1.10/hook",
  "https://100.64.1.1/hook",
  "https://169.254.169.254/latest/meta-data/",
  "https://2852039166/latest/meta-data/",
  "https://0.0.0.0/hook",
  "https://[fd00::1]/hook",
  "https://[fe80::1]/hook",
  "https://localhost/hook",
  "https://foo.localhost/hook",
  "https://metadata.google.internal/computeMetadata/v1/",
  "https://intranet/hook",
  "ftp://partner.example.com/hook",
  "javascript:alert(1)",
  `https://partner.example.com/${"a".repeat(2100)}`,
  "https://does-not-resolve.invalid/hook",
];

let offerId = "";
beforeAll(async () => {
  const search = await api.search(API_KEYS.a, searchBody({ origin: "OSL", destination: "BGO" }));
  offerId = (search.body.offers as { id: string }[])[0]?.id ?? "";
});

test(`all ${HOSTILE.length} hostile callback URLs are refused at order create, and nothing is booked`, async () => {
  expect(HOSTILE.length).toBeGreaterThanOrEqual(25);
  for (const callbackUrl of HOSTILE) {
    const response = await api.call("/public/orders", {
      body: {
        offer_id: offerId,
        passengers: [
          { type: "adult", given_name: "Hugo", family_name: "Hostile", birth_date: "1970-01-01", gender: "male" },
        ],
        contact: { email: "h@example.com", phone: "+4791234567" },
        callback_url: callbackUrl,
      },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(response.status, callbackUrl).toBe(400);
    expect((response.body.error as { code: string }).code, callbackUrl).toMatch(
      /^AVF_400_(INVALID_CALLBACK_URL|VALIDATION)$/,
    );
  }
  const orders = await api.call<{ orders: unknown[] }>("/public/orders");
  expect(orders.body.orders).toEqual([]);
  const stats = await api.sim<{ calls: { order_create: number } }>("/__sim/stats");
  expect(stats.calls.order_create).toBe(0);
});
