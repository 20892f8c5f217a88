import type * as EventBridge from "@aws-sdk/client-eventbridge";
import { ENV } from "../../../lib/resources";
import { requiredEnv } from "../../shared/config";

export interface DomainEvent {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

type EventBridgeSdk = Pick<typeof EventBridge, "EventBridgeClient" | "PutEventsCommand">;

/**
 * Puts events on the gateway's bus with the SDK `load` gives; a partial failure is an error,
 * not a silent loss. One client per execution environment.
 */
export const eventBridgePublisher = (load: () => Promise<EventBridgeSdk>) => {
  let client: EventBridge.EventBridgeClient | undefined;
  return async (...events: DomainEvent[]): Promise<void> => {
    const { EventBridgeClient, PutEventsCommand } = await load();
    client ??= new EventBridgeClient({ maxAttempts: 3 });
    const result = await client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: requiredEnv(ENV.eventBusName),
          Source: event.source,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
        })),
      }),
    );
    if ((result.FailedEntryCount ?? 0) > 0) {
      throw new Error(`EventBridge refused ${result.FailedEntryCount} event(s): ${JSON.stringify(result.Entries)}`);
    }
  };
};

/**
 * For functions that publish only on a rare path (the supplier breaker opening or closing):
 * the EventBridge client is loaded on the first publish instead of with the function, since
 * an SDK client costs every cold start 15–30 ms to load and most never publish. (Order
 * functions publish on every transition: they load it with the function, order-event-sink.ts.)
 */
export const publishEventsRarely = eventBridgePublisher(() => import("@aws-sdk/client-eventbridge"));
