import * as EventBridge from "@aws-sdk/client-eventbridge";
import { EVENTS } from "../../../lib/resources";
import type { EventSink, OrderEvent } from "../../use-cases/ports";
import { eventBridgePublisher } from "./event-publisher";

/** EventBridge takes at most 10 entries per PutEvents. */
const BATCH = 10;

/** Order functions publish on every transition: their client is loaded with the function. */
const publishEvents = eventBridgePublisher(async () => EventBridge);

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
