import { EventListQuery } from "../../api/feed-schemas";
import { eventFeed } from "../../shared/event-feed-wiring";
import { parseQuery, tenantRoute } from "../../shared/http";
import { listEvents } from "../../use-cases/event-feed";

export const handler = tenantRoute({
  handle: async ({ query, tenant }) => {
    const page = await listEvents(eventFeed(), tenant.tenantId, parseQuery(EventListQuery, query));
    return {
      status: 200,
      body: {
        events: page.events.map((event) => ({
          id: event.id,
          type: event.type,
          occurred_at: event.occurredAt,
          order_id: event.orderId,
          order_status: event.orderStatus,
        })),
        next_cursor: page.nextCursor ?? null,
      },
    };
  },
});
