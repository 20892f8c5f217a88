/**
 * DRCT's signed notifications (docs/DRCT-API.md §11): `drct-signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<raw body>">` with the notification secret we share with DRCT. A missing
 * or wrong signature, or a timestamp outside the tolerance (a replay), is refused.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod";

/** A notification older (or further in the future) than this is a replay: DRCT retries within it, re-signed each time. */
export const NOTIFICATION_TOLERANCE_S = 300;

export type SignatureVerdict = "valid" | "missing" | "malformed" | "stale" | "mismatch";

export const signDrctNotification = (secret: string, timestamp: number, body: string): string =>
  `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;

export const verifyDrctSignature = (
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds: number,
  toleranceS = NOTIFICATION_TOLERANCE_S,
): SignatureVerdict => {
  if (header === undefined || header === "") return "missing";
  const parts = new Map(
    header.split(",").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get("t"));
  const signature = parts.get("v1") ?? "";
  if (!Number.isSafeInteger(timestamp) || !/^[0-9a-f]{64}$/.test(signature)) return "malformed";
  if (Math.abs(nowSeconds - timestamp) > toleranceS) return "stale";
  const expected = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex")) ? "valid" : "mismatch";
};

/** What a verified notification says: ids only, DRCT's order is read for the rest. */
export const DrctNotification = z.object({
  id: z.string().min(1).max(100),
  type: z.literal("order.schedule_changed"),
  created_at: z.string(),
  data: z.object({ order_id: z.string().min(1).max(64), change_id: z.string().min(1).max(64) }),
});

export type DrctNotification = z.infer<typeof DrctNotification>;
