import { readSecret } from "../../adapters/secrets/secret-store";
import { sendFifo } from "../../adapters/sqs/fifo-queue";
import { DrctNotification, verifyDrctSignature } from "../../domain/drct-notification";
import { AvfError } from "../../domain/errors";
import { signedRoute } from "../../shared/http";
import { logger } from "../../shared/powertools";

/**
 * DRCT's notifications: the signature is checked on the raw body before anything is read (a
 * forged, unsigned or replayed one → 401, nothing queued); a verified one is queued, one
 * message group per DRCT order, deduplicated by DRCT's notification id, and answered at once.
 */
export const handler = signedRoute(
  {
    body: DrctNotification,
    handle: async ({ body }) => {
      await sendFifo(
        "scheduleChanges",
        { drctOrderId: body.data.order_id, changeId: body.data.change_id },
        body.data.order_id,
        body.id,
      );
      return { status: 202, body: { received: body.id } };
    },
  },
  async (rawBody, headers) => {
    const verdict = verifyDrctSignature(
      await readSecret("drctNotificationSecret"),
      headers["drct-signature"],
      rawBody,
      Math.floor(Date.now() / 1000),
    );
    if (verdict !== "valid") {
      logger.warn("DRCT notification refused", { verdict });
      throw new AvfError("AVF_401_UNAUTHORIZED", "the notification's signature is missing, wrong or too old");
    }
  },
);
