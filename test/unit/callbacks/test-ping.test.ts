import { describe, expect, test } from "vitest";
import type { CallbackAttemptResult, CallbackSender, CallbackTarget } from "../../../functions/use-cases/ports";
import { sendTestPing, type TestCallbackDeps } from "../../../functions/use-cases/test-callback";
import { FakeSecrets, iso, OK, rejectionOf, SERVER_ERROR, secretsOf, T0 } from "./world";

const deps = (answer: CallbackAttemptResult, refusal?: string) => {
  const sent: { delivery: CallbackTarget; body: string; secrets: readonly string[]; at: Date }[] = [];
  const sender: CallbackSender = {
    send: async (delivery, body, secrets, at) => {
      sent.push({ delivery, body, secrets, at });
      return answer;
    },
  };
  const checked: string[] = [];
  const wired: TestCallbackDeps = {
    sender,
    secrets: new FakeSecrets(),
    checkCallbackUrl: async (url) => {
      checked.push(url);
      return refusal;
    },
    now: () => new Date(T0),
  };
  return { wired, sent, checked };
};

describe("sendTestPing", () => {
  test("signs a ping with the tenant's secrets, sends it once, answers the attempt", async () => {
    const { wired, sent, checked } = deps(OK);
    const delivery = await sendTestPing(wired, "agency-a", "https://hooks.example.com/a", "corr-1");
    expect(checked).toEqual(["https://hooks.example.com/a"]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.secrets).toEqual(secretsOf("agency-a"));
    expect(sent[0]?.delivery).toMatchObject({
      correlationId: "corr-1",
      webhookId: delivery.webhook_id,
    });
    expect(JSON.parse(sent[0]?.body ?? "{}")).toEqual({
      type: "ping",
      timestamp: iso(T0),
      data: { tenant_id: "agency-a", message: expect.any(String) },
    });
    expect(delivery).toEqual({
      id: expect.stringMatching(/^dlv_test_/),
      event_type: "ping",
      webhook_id: expect.stringMatching(/^msg_test_/),
      url: "https://hooks.example.com/a",
      status: "delivered",
      attempts: [{ number: 1, at: iso(T0), outcome: "delivered", status_code: 204, latency_ms: 12 }],
      created_at: iso(T0),
    });
  });

  test("an endpoint that does not take it is reported, not retried", async () => {
    const { wired, sent } = deps(SERVER_ERROR);
    const delivery = await sendTestPing(wired, "agency-a", "https://hooks.example.com/a", "corr-2");
    expect(sent).toHaveLength(1);
    expect(delivery.status).toBe("failed");
    expect(delivery.attempts).toEqual([expect.objectContaining({ outcome: "retry", status_code: 500 })]);
  });

  test("a URL the callback rules refuse is AVF_400_INVALID_CALLBACK_URL and nothing is sent", async () => {
    const { wired, sent } = deps(OK, "resolves to a private address");
    const error = await rejectionOf(sendTestPing(wired, "agency-a", "https://intranet.example/a", "corr-3"));
    expect(error.code).toBe("AVF_400_INVALID_CALLBACK_URL");
    expect(error.details).toEqual({ issues: [{ path: "url", message: "resolves to a private address" }] });
    expect(sent).toEqual([]);
  });
});
