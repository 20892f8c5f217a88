import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventBridgeEvent } from "aws-lambda";
import { EVENT_RULES, type EventFunctionKey, type EventRuleDescription } from "../resources";

const INVOKE_ATTEMPTS = 3;

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
  /** Resolves when no function target is being invoked. */
  idle(): Promise<void>;
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
export const startLocalEventBus = async (options: {
  busName: string;
  logFile?: string;
  /** Invokes a rule's function target with the event as EventBridge shapes it. */
  invoke?: (target: EventFunctionKey, event: EventBridgeEvent<string, unknown>) => Promise<void>;
  onError?: (error: unknown) => void;
  /** Where an event goes that its function target failed on every try (the rule target's DLQ in AWS). */
  onUndelivered?: (event: EventBridgeEvent<string, unknown>, error: unknown) => Promise<void>;
}): Promise<LocalEventBus> => {
  const delivered: BusEvent[] = [];
  const invocations = new Set<Promise<void>>();
  /** EventBridge invokes a Lambda target asynchronously and retries failures; so does this. */
  const invokeWithRetries = (target: EventFunctionKey, event: EventBridgeEvent<string, unknown>) => {
    const run = (async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await options.invoke?.(target, event);
          return;
        } catch (error) {
          if (attempt >= INVOKE_ATTEMPTS) {
            if (options.onUndelivered === undefined) options.onError?.(error);
            else await options.onUndelivered(event, error).catch(options.onError);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        }
      }
    })();
    invocations.add(run);
    void run.finally(() => invocations.delete(run));
  };
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
        const matched = EVENT_RULES.filter((rule) => matches(rule, entry));
        if (matched.some((rule) => rule.target === "log")) {
          delivered.push(event);
          if (options.logFile !== undefined) appendFileSync(options.logFile, `${JSON.stringify(event)}\n`);
        }
        for (const rule of matched) {
          if (rule.target === "log") continue;
          invokeWithRetries(rule.target.function, {
            version: "0",
            id: event.id,
            "detail-type": event["detail-type"],
            source: event.source,
            account: "000000000000",
            time: event.time,
            region: "local",
            resources: [],
            detail,
          });
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
    idle: async () => {
      while (invocations.size > 0) await Promise.allSettled([...invocations]);
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...invocations]);
    },
  };
};
