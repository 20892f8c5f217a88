import { ListOrdersQuery } from "../../api/schemas";
import { toPublicOrder } from "../../domain/order-view";
import { parseQuery, tenantRoute } from "../../shared/http";
import { orderRepository } from "../../shared/order-store-wiring";

export const handler = tenantRoute({
  handle: async ({ query, tenant }) => {
    const { status, limit, cursor } = parseQuery(ListOrdersQuery, query);
    const page = await orderRepository().list(tenant.tenantId, { status, limit, cursor });
    return { status: 200, body: { orders: page.orders.map(toPublicOrder), next_cursor: page.nextCursor ?? null } };
  },
});
