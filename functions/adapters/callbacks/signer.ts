import { Webhook } from "standardwebhooks";

/**
 * Standard Webhooks signing (CONTRACT.md §4): `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`
 * per secret, space-separated. During a secret rotation the tenant has two secrets and both
 * signatures are sent, so the partner verifies with whichever secret it holds.
 */

const SECRET_PREFIX = "whsec_";

export type WebhookHeaders = {
  "webhook-id": string;
  /** Unix seconds, as a decimal string. */
  "webhook-timestamp": string;
  "webhook-signature": string;
  "content-type": "application/json";
};

export const signWebhook = (secrets: readonly string[], id: string, timestamp: Date, body: string): string => {
  const distinct = [...new Set(secrets)];
  if (distinct.length === 0) throw new Error("a webhook needs at least one signing secret");
  if (id === "") throw new Error("a webhook needs an id");
  if (Number.isNaN(timestamp.getTime())) throw new Error("a webhook needs a valid timestamp");
  return distinct
    .map((secret) => {
      // Without the prefix, Webhook would silently take the string as raw base64 key material.
      if (!secret.startsWith(SECRET_PREFIX)) throw new Error("webhook signing secrets start with whsec_");
      return new Webhook(secret).sign(id, timestamp, body);
    })
    .join(" ");
};

export const webhookHeaders = (
  secrets: readonly string[],
  id: string,
  timestamp: Date,
  body: string,
): WebhookHeaders => ({
  "webhook-id": id,
  "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
  "webhook-signature": signWebhook(secrets, id, timestamp, body),
  "content-type": "application/json",
});
