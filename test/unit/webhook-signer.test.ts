import { createHmac } from "node:crypto";
import fc from "fast-check";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, test } from "vitest";
import { signWebhook, webhookHeaders } from "../../functions/adapters/callbacks/signer";

// The seeded local secrets of CONTRACT.md §2.
const SECRET_A = "whsec_bG9jYWwtYWdlbmN5LWEtd2ViaG9vay1zZWNyZXQtMzJi";
const SECRET_B = "whsec_bG9jYWwtYWdlbmN5LWItd2ViaG9vay1zZWNyZXQtMzJi";

const body = JSON.stringify({
  type: "order.issued",
  timestamp: "2031-03-10T08:00:00.000Z",
  data: { order: { id: "ord_01", status: "ISSUED", price: { currency: "EUR", total: 12_999 } } },
});

describe("signWebhook", () => {
  test("matches the Standard Webhooks reference vector", () => {
    const signature = signWebhook(
      ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      new Date(1_614_265_330_000),
      '{"test": 2432232314}',
    );
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  test('is base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" under the decoded secret', () => {
    const at = new Date("2031-03-10T08:00:00.750Z"); // whole seconds are signed
    const key = Buffer.from(SECRET_A.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key).update(`evt_1.1930896000.${body}`).digest("base64");
    expect(signWebhook([SECRET_A], "evt_1", at, body)).toBe(`v1,${expected}`);
  });

  test("refuses to sign without a secret, or with a secret that is not whsec_", () => {
    expect(() => signWebhook([], "evt_1", new Date(), body)).toThrow(/secret/);
    expect(() => signWebhook(["c2VjcmV0"], "evt_1", new Date(), body)).toThrow(/whsec_/);
  });
});

describe("webhookHeaders verify with the stock standardwebhooks verifier", () => {
  test("headers are the Standard Webhooks ones, timestamp in seconds", () => {
    const at = new Date("2031-03-10T08:00:00.999Z");
    const headers = webhookHeaders([SECRET_A], "evt_1", at, body);
    expect(headers).toEqual({
      "webhook-id": "evt_1",
      "webhook-timestamp": "1930896000",
      "webhook-signature": expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
      "content-type": "application/json",
    });
  });

  test("a fresh webhook verifies and yields its body", () => {
    const headers = webhookHeaders([SECRET_A], "evt_fresh", new Date(), body);
    expect(new Webhook(SECRET_A).verify(body, headers)).toEqual(JSON.parse(body));
  });

  test("any body, any id verifies", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), fc.uuid(), (payload, id) => {
        const headers = webhookHeaders([SECRET_B], `evt_${id}`, new Date(), payload);
        expect(() => new Webhook(SECRET_B).verify(payload, headers, { jsonParse: false })).not.toThrow();
      }),
    );
  });

  test("a tampered body is rejected", () => {
    const headers = webhookHeaders([SECRET_A], "evt_1", new Date(), body);
    const tampered = body.replace("12999", "1");
    expect(tampered).not.toBe(body);
    expect(() => new Webhook(SECRET_A).verify(tampered, headers)).toThrow(WebhookVerificationError);
  });

  test("a tampered id or timestamp is rejected", () => {
    const now = new Date();
    const headers = webhookHeaders([SECRET_A], "evt_1", now, body);
    expect(() => new Webhook(SECRET_A).verify(body, { ...headers, "webhook-id": "evt_2" })).toThrow(
      WebhookVerificationError,
    );
    const shifted = String(Number(headers["webhook-timestamp"]) - 1);
    expect(() => new Webhook(SECRET_A).verify(body, { ...headers, "webhook-timestamp": shifted })).toThrow(
      WebhookVerificationError,
    );
  });

  test("a timestamp older than 5 minutes is rejected, a 4-minute-old one is not", () => {
    const old = webhookHeaders([SECRET_A], "evt_1", new Date(Date.now() - 6 * 60_000), body);
    expect(() => new Webhook(SECRET_A).verify(body, old)).toThrow(/too old/);
    const recent = webhookHeaders([SECRET_A], "evt_1", new Date(Date.now() - 4 * 60_000), body);
    expect(() => new Webhook(SECRET_A).verify(body, recent)).not.toThrow();
  });

  test("another tenant's secret does not verify", () => {
    const headers = webhookHeaders([SECRET_A], "evt_1", new Date(), body);
    expect(() => new Webhook(SECRET_B).verify(body, headers)).toThrow(WebhookVerificationError);
  });
});

describe("secret rotation", () => {
  test("both signatures are sent and each secret alone verifies", () => {
    const now = new Date();
    const headers = webhookHeaders([SECRET_A, SECRET_B], "evt_rot", now, body);
    const signatures = headers["webhook-signature"].split(" ");
    expect(signatures).toHaveLength(2);
    for (const signature of signatures) expect(signature).toMatch(/^v1,/);
    expect(signatures[0]).toBe(signWebhook([SECRET_A], "evt_rot", now, body));
    expect(signatures[1]).toBe(signWebhook([SECRET_B], "evt_rot", now, body));

    expect(() => new Webhook(SECRET_A).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(SECRET_B).verify(body, headers)).not.toThrow();
    const stranger = "whsec_c29tZS1vdGhlci1zZWNyZXQtZm9yLXRlc3RpbmctMzI=";
    expect(() => new Webhook(stranger).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  test("the same secret twice is signed once", () => {
    expect(signWebhook([SECRET_A, SECRET_A], "evt_1", new Date(), body).split(" ")).toHaveLength(1);
  });
});
