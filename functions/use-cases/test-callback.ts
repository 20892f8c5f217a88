import { randomUUID } from "node:crypto";
import { type DeliveryAttempt, pingBody } from "../domain/delivery";
import { AvfError } from "../domain/errors";
import type { CallbackSender, WebhookSecrets } from "./ports";

export interface TestCallbackDeps {
  readonly sender: CallbackSender;
  readonly secrets: WebhookSecrets;
  /** The callback URL rules (CONTRACT.md §4): a reason when refused. */
  readonly checkCallbackUrl: (url: string) => Promise<string | undefined>;
  readonly now: () => Date;
}

export interface TestDelivery {
  readonly id: string;
  readonly event_type: "ping";
  readonly webhook_id: string;
  readonly url: string;
  readonly status: "delivered" | "failed";
  readonly attempts: readonly DeliveryAttempt[];
  readonly created_at: string;
}

/**
 * Sends one signed `ping` to `url` now, through the same URL rules, signer and SSRF-safe
 * sender as order callbacks, and answers the attempt. One attempt, no retries: the caller is
 * watching. Nothing is stored; the delivery id and webhook-id are new each time.
 */
export const sendTestPing = async (
  deps: TestCallbackDeps,
  tenantId: string,
  url: string,
  correlationId: string,
): Promise<TestDelivery> => {
  const refusal = await deps.checkCallbackUrl(url);
  if (refusal !== undefined) {
    throw new AvfError("AVF_400_INVALID_CALLBACK_URL", `url is refused: ${refusal}`, {
      details: { issues: [{ path: "url", message: refusal }] },
    });
  }
  const at = deps.now();
  const suffix = randomUUID().replaceAll("-", "").slice(0, 24);
  const delivery = { id: `dlv_test_${suffix}`, webhookId: `msg_test_${suffix}`, url, correlationId };
  const result = await deps.sender.send(
    delivery,
    pingBody(tenantId, at.toISOString()),
    await deps.secrets.secretsOf(tenantId),
    at,
  );
  return {
    id: delivery.id,
    event_type: "ping",
    webhook_id: delivery.webhookId,
    url,
    status: result.outcome === "delivered" ? "delivered" : "failed",
    attempts: [
      {
        number: 1,
        at: at.toISOString(),
        outcome: result.outcome,
        ...(result.status === undefined ? {} : { status_code: result.status }),
        ...(result.error === undefined ? {} : { error: result.error }),
        latency_ms: Math.round(result.latencyMs),
      },
    ],
    created_at: at.toISOString(),
  };
};
