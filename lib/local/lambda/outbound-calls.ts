/**
 * What one invocation waited on: every outbound HTTP call it made (AWS SDK calls through
 * node:http, DRCT and callbacks through fetch), seen on Node's diagnostics channels, so the
 * bench can count a request's AWS calls and sequential waves as Lambda would spend them.
 */
import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { bookkeepingNow } from "../../../functions/shared/bookkeeping-context";

export interface OutboundCall {
  /** `DynamoDB.GetItem`, `SQS.SendMessage`…, from the X-Amz-Target header; else `http:<host>`. */
  readonly target: string;
  /** Milliseconds since the invocation started. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Made for bookkeeping beside the request (functions/shared/bookkeeping.ts): which. */
  readonly bookkeeping?: string;
}

/** X-Amz-Target's service prefixes, as the bench names them. */
const SERVICES: Readonly<Record<string, string>> = {
  DynamoDB_20120810: "DynamoDB",
  AmazonSQS: "SQS",
  AWSStepFunctions: "StepFunctions",
  AWSEvents: "EventBridge",
  secretsmanager: "SecretsManager",
  TrentService: "KMS",
};

const targetOf = (amzTarget: string | undefined, host: string): string => {
  if (amzTarget === undefined) return `http:${host}`;
  const [service = "", operation = ""] = amzTarget.split(".");
  return `${SERVICES[service] ?? service}.${operation}`;
};

interface Open {
  readonly target: string;
  readonly startedAt: number;
  readonly bookkeeping?: string;
}

export const recordOutboundCalls = () => {
  let since = 0;
  let calls: OutboundCall[] | undefined;
  const open = new WeakMap<object, Open>();
  const begin = (key: object, target: string) => {
    if (calls === undefined) return;
    const bookkeeping = bookkeepingNow();
    open.set(key, {
      target,
      startedAt: performance.now() - since,
      ...(bookkeeping === undefined ? {} : { bookkeeping }),
    });
  };
  const end = (key: object) => {
    const started = open.get(key);
    if (started === undefined || calls === undefined) return;
    open.delete(key);
    calls.push({ ...started, endedAt: performance.now() - since });
  };
  subscribe("http.client.request.start", (message) => {
    const { request } = message as { request: ClientRequest };
    const amzTarget = request.getHeader("x-amz-target");
    begin(request, targetOf(typeof amzTarget === "string" ? amzTarget : undefined, String(request.host)));
  });
  subscribe("http.client.response.finish", (message) => end((message as { request: object }).request));
  subscribe("http.client.request.error", (message) => end((message as { request: object }).request));
  // fetch (undici): DRCT and partner callbacks.
  subscribe("undici:request:create", (message) => {
    const { request } = message as { request: { origin?: string } };
    begin(request, `http:${new URL(String(request.origin ?? "http://unknown")).host}`);
  });
  subscribe("undici:request:headers", (message) => end((message as { request: object }).request));
  subscribe("undici:request:error", (message) => end((message as { request: object }).request));
  return {
    start: () => {
      since = performance.now();
      calls = [];
    },
    stop: (): OutboundCall[] => {
      const done = calls ?? [];
      calls = undefined;
      return done.sort((a, b) => a.startedAt - b.startedAt);
    },
  };
};

/**
 * Sequential waves: a call that starts after every earlier call has ended begins a new wave.
 * On Lambda a request's latency is roughly its waves times a round trip, whatever their width.
 */
export const waveGroups = <C extends Pick<OutboundCall, "startedAt" | "endedAt">>(calls: readonly C[]): C[][] => {
  const groups: C[][] = [];
  let latestEnd = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.startedAt - b.startedAt)) {
    if (call.startedAt >= latestEnd || groups.length === 0) groups.push([]);
    groups.at(-1)?.push(call);
    latestEnd = Math.max(latestEnd, call.endedAt);
  }
  return groups;
};

export const wavesOf = (calls: readonly Pick<OutboundCall, "startedAt" | "endedAt">[]): number =>
  waveGroups(calls).length;
