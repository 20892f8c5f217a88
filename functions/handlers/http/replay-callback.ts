import { DeliveryIdPath } from "../../api/schemas";
import { replayDeps } from "../../shared/callback-queue-wiring";
import { parsePath, tenantRoute } from "../../shared/http";
import { replayCallback, toPublicDelivery } from "../../use-cases/callbacks";

export const handler = tenantRoute({
  handle: async ({ pathParameters, tenant }) => {
    const { deliveryId } = parsePath(DeliveryIdPath, pathParameters);
    const delivery = await replayCallback(replayDeps(), tenant.tenantId, deliveryId);
    return { status: 202, body: toPublicDelivery(delivery) };
  },
});
