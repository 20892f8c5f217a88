import type { CallbackSender, CallbackTarget } from "../../use-cases/ports";
import { sendWebhook } from "./sender";
import { webhookHeaders } from "./signer";

/** Signs (Standard Webhooks, every current secret) and sends one attempt through the SSRF-safe sender. */
export const httpCallbackSender = (options: {
  allowPrivate: boolean;
  timeoutMs: number;
  onRefused?: (detail: string, target: CallbackTarget) => void;
}): CallbackSender => ({
  send: (target, body, secrets, at) =>
    sendWebhook({
      url: target.url,
      body,
      headers: {
        ...webhookHeaders(secrets, target.webhookId, at, body),
        "x-correlation-id": target.correlationId,
      },
      allowPrivate: options.allowPrivate,
      timeoutMs: options.timeoutMs,
      onRefused: (detail) => options.onRefused?.(detail, target),
    }),
});
