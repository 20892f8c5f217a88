import type { EventFeed, FeedEvent, FeedPage, OrderEvent } from "./ports";

/** What the feed keeps of an order event: the event's own id and the order's id and status, nothing personal. */
export const toFeedEvent = (event: OrderEvent): FeedEvent => ({
  id: event.id,
  tenantId: event.tenant_id,
  type: event.detail_type,
  occurredAt: event.occurred_at,
  orderId: event.order_id,
  orderStatus: event.order_status,
});

export const recordOrderEvent = (feed: EventFeed, event: OrderEvent): Promise<void> => feed.record(toFeedEvent(event));

export const listEvents = (
  feed: EventFeed,
  tenantId: string,
  query: { type?: string; limit: number; cursor?: string },
): Promise<FeedPage> => feed.list(tenantId, query);
