import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ENV } from "../../../lib/resources";
import { requiredEnv } from "../../shared/config";

let client: EventBridgeClient | undefined;

export interface DomainEvent {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

/** Puts events on the gateway's bus; a partial failure is an error, not a silent loss. */
export const publishEvents = async (...events: DomainEvent[]): Promise<void> => {
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
