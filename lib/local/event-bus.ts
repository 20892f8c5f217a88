import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EVENT_RULES, type EventRuleDescription } from "../resources";

/** An event as EventBridge hands it to a target. */
export interface BusEvent {
  readonly id: string;
  readonly source: string;
  readonly "detail-type": string;
  readonly time: string;
  readonly detail: unknown;
  /** Rules that matched it. */
  readonly rules: string[];
}

export interface LocalEventBus {
  readonly endpoint: string;
  readonly busName: string;
  /** Every event delivered to a `log` target, oldest first. */
  readonly delivered: BusEvent[];
  close(): Promise<void>;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
}

const matches = (rule: EventRuleDescription, entry: PutEventsEntry) =>
  entry.Source === rule.source && rule.detailTypes.includes(entry.DetailType ?? "");

/**
 * The EventBridge stand-in: PutEvents over the real AWS JSON protocol, routed by the same
 * EVENT_RULES the CDK stack turns into rules. No EventBridge emulator exists on npm.
 */
export const startLocalEventBus = async (options: { busName: string; logFile?: string }): Promise<LocalEventBus> => {
  const delivered: BusEvent[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(body));
      };
      if (req.headers["x-amz-target"] !== "AWSEvents.PutEvents") {
        reply(400, { __type: "UnknownOperationException", message: "only PutEvents is emulated" });
        return;
      }
      let entries: PutEventsEntry[];
      try {
        entries = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { Entries?: PutEventsEntry[] }).Entries ?? [];
      } catch {
        reply(400, { __type: "SerializationException", message: "body is not JSON" });
        return;
      }
      const results = entries.map((entry) => {
        if (entry.EventBusName !== options.busName) {
          return { ErrorCode: "ResourceNotFoundException", ErrorMessage: `no bus ${entry.EventBusName}` };
        }
        let detail: unknown;
        try {
          detail = JSON.parse(entry.Detail ?? "{}");
        } catch {
          return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is not JSON" };
        }
        const event: BusEvent = {
          id: randomUUID(),
          source: entry.Source ?? "",
          "detail-type": entry.DetailType ?? "",
          time: new Date().toISOString(),
          detail,
          rules: EVENT_RULES.filter((rule) => matches(rule, entry)).map((rule) => rule.id),
        };
        if (event.rules.length > 0) {
          delivered.push(event);
          if (options.logFile !== undefined) appendFileSync(options.logFile, `${JSON.stringify(event)}\n`);
        }
        return { EventId: event.id };
      });
      reply(200, { FailedEntryCount: results.filter((result) => "ErrorCode" in result).length, Entries: results });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    busName: options.busName,
    delivered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
