import type { CallbackSender } from "../../use-cases/ports";
import { sendWebhook } from "./sender";
import { webhookHeaders } from "./signer";

/** Signs (Standard Webhooks, every current secret) and sends one attempt through the SSRF-safe sender. */
export const httpCallbackSender = (options: { allowPrivate: boolean; timeoutMs: number }): CallbackSender => ({
  send: (delivery, secrets, at) =>
    sendWebhook({
      url: delivery.url,
      body: delivery.body,
      headers: {
        ...webhookHeaders(secrets, delivery.webhookId, at, delivery.body),
        "x-correlation-id": delivery.correlationId,
      },
      allowPrivate: options.allowPrivate,
      timeoutMs: options.timeoutMs,
    }),
});
