import { EVENTS } from "../../../lib/resources";
import type { EventSink, OrderEvent } from "../../use-cases/ports";
import { publishEvents } from "./event-publisher";

/** EventBridge takes at most 10 entries per PutEvents. */
const BATCH = 10;

/** Order events onto the bus, in the order they happened. */
export const eventBridgeOrderSink = (): EventSink => ({
  publish: async (events: readonly OrderEvent[]): Promise<void> => {
    for (let start = 0; start < events.length; start += BATCH) {
      await publishEvents(
        ...events.slice(start, start + BATCH).map((event) => ({
          source: EVENTS.orders.source,
          detailType: event.detail_type,
          detail: { ...event },
        })),
      );
    }
  },
});
