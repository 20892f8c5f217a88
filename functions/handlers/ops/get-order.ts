import * as z from "zod";
import { operatorRoute, parsePath, parseQuery } from "../../shared/http";
import { opsDeliveries, orderTimelineReads } from "../../shared/ops-wiring";
import { orderWorkflows } from "../../shared/ops-workflow-wiring";
import { orderTimeline } from "../../use-cases/ops";

const Path = z.object({ orderId: z.string().min(1).max(80) });
const Query = z.object({ tenant_id: z.string().min(1).max(64).optional() });

export const handler = operatorRoute({
  handle: async ({ pathParameters, query }) => {
    const { orderId } = parsePath(Path, pathParameters);
    const { tenant_id } = parseQuery(Query, query);
    const timeline = await orderTimeline(
      { orders: orderTimelineReads(), deliveries: opsDeliveries(), workflows: orderWorkflows() },
      orderId,
      tenant_id,
      Date.now(),
    );
    return { status: 200, body: timeline };
  },
});
