import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";
import { useAgent } from "request-filtering-agent";
import { type CallbackLookup, checkCallbackUrl, isPublicAddress } from "./url-policy";

/**
 * One HTTP attempt of a partner callback (CONTRACT.md §4). Never throws; every way it can end is
 * an outcome: `delivered` (2xx), `retry` (408, 429, 5xx, network failures, timeout) or `blocked`
 * (other 4xx, any 3xx — redirects are never followed — and destinations the URL policy refuses).
 *
 * The address check happens on the address actually dialled, so a name that passed the DNS check
 * on order create and now resolves to 127.0.0.1 (DNS rebinding) is still refused:
 * - request-filtering-agent refuses non-unicast addresses (IP literals and every lookup result,
 *   including the happy-eyeballs `all: true` lookups) and always the meta addresses 0.0.0.0 / ::;
 * - underneath it, our own lookup filter judges every resolved address with `isPublicAddress`,
 *   which also refuses what ipaddr.js calls unicast but is not public (IPv4-compatible ::a.b.c.d,
 *   unallocated IPv6 outside 2000::/3).
 */
export interface DeliveryAttemptResult {
  outcome: "delivered" | "retry" | "blocked";
  status?: number;
  error?: string;
  latencyMs: number;
  retryAfterSeconds?: number;
}

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  allowPrivate: boolean;
  /** One deadline for DNS, connect, TLS, response headers and body. Default 10 s. */
  timeoutMs?: number;
  /** How much of the response body is read before the socket is destroyed. Default 64 KiB. */
  maxResponseBytes?: number;
  /** DNS resolution, for tests; default node:dns lookup. Its answers pass the same filters. */
  lookup?: CallbackLookup;
  /** Told why a destination was refused (the resolved address): for operators' logs, not the tenant. */
  onRefused?: (detail: string) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = "Aviaframe-Webhooks/1.0";
const ADDRESS_REFUSED = "ERR_CALLBACK_ADDRESS_REFUSED";

type Verdict = Omit<DeliveryAttemptResult, "latencyMs">;

/** Delta-seconds or an HTTP-date; junk is ignored. */
const retryAfterSecondsOf = (header: string | undefined, nowMs: number): number | undefined => {
  const value = header?.trim() ?? "";
  if (/^\d{1,9}$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (value === "" || Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
};

const classifyStatus = (status: number, headers: IncomingHttpHeaders): Verdict => {
  if (status >= 200 && status < 300) return { outcome: "delivered", status };
  if (status >= 300 && status < 400) return { outcome: "blocked", status, error: "redirects are not followed" };
  if (status === 429 || status === 503) {
    const retryAfterSeconds = retryAfterSecondsOf(headers["retry-after"], Date.now());
    const verdict: Verdict = { outcome: "retry", status, error: `partner answered ${status}` };
    return retryAfterSeconds === undefined ? verdict : { ...verdict, retryAfterSeconds };
  }
  if (status === 408 || (status >= 500 && status < 600)) {
    return { outcome: "retry", status, error: `partner answered ${status}` };
  }
  if (status >= 400 && status < 500) return { outcome: "blocked", status, error: `partner answered ${status}` };
  return { outcome: "retry", status, error: `partner answered an unexpected status ${status}` };
};

const errorCode = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
};

/** request-filtering-agent raises plain Errors: "DNS lookup <ip>(…) is not allowed. Because, It is …". */
const isAgentRefusal = (error: Error): boolean => /^DNS lookup .* is not allowed\. Because/s.test(error.message);

/** What a tenant sees of a refused destination: never the addresses our DNS resolved (those go to the logs). */
export const DESTINATION_REFUSED = "destination refused: the host does not resolve only to public addresses";

const classifyError = (error: Error, onRefused?: (detail: string) => void): Verdict => {
  if (errorCode(error) === ADDRESS_REFUSED || isAgentRefusal(error)) {
    onRefused?.(error.message);
    return { outcome: "blocked", error: DESTINATION_REFUSED };
  }
  const code = errorCode(error);
  return { outcome: "retry", error: code === undefined ? error.message : `${code}: ${error.message}` };
};

const refusal = (address: string, hostname: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${hostname} resolves to ${address}, which is not a public address`), {
    code: ADDRESS_REFUSED,
  });

/** A node-style lookup from an injected promise one (tests), honouring `family` and `all`. */
const fromPromiseLookup =
  (lookup: CallbackLookup): LookupFunction =>
  (hostname, options, callback) => {
    lookup(hostname).then(
      (found) => {
        const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
        const addresses: LookupAddress[] = found.filter((a) => !family || a.family === family);
        const first = addresses[0];
        if (first === undefined) {
          callback(Object.assign(new Error(`${hostname} does not resolve`), { code: "ENOTFOUND" }), "");
        } else if (options.all) {
          callback(null, addresses);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ""),
    );
  };

const systemLookup: LookupFunction = dnsLookup;

/** Every resolved address must be public; with allowPrivate the agent's own rules remain. */
const publicOnly =
  (lookup: LookupFunction): LookupFunction =>
  (hostname, options: LookupOptions, callback) => {
    lookup(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const found = typeof address === "string" ? [address] : address.map((a) => a.address);
      const bad = found.find((candidate) => !isPublicAddress(candidate));
      if (bad !== undefined) return callback(refusal(bad, hostname), "");
      callback(null, address, family);
    });
  };

export const sendWebhook = async (request: WebhookRequest): Promise<DeliveryAttemptResult> => {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);

  const checked = checkCallbackUrl(request.url, { allowPrivate: request.allowPrivate });
  if (!checked.ok) return { outcome: "blocked", error: checked.reason, latencyMs: elapsed() };
  const url = checked.url;

  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const baseLookup = request.lookup === undefined ? systemLookup : fromPromiseLookup(request.lookup);
  const lookup = request.allowPrivate ? baseLookup : publicOnly(baseLookup);
  // A fresh agent per attempt: no pooled socket outlives the attempt or skips the address check.
  const agent = useAgent(url.href, {
    allowPrivateIPAddress: request.allowPrivate,
    allowMetaIPAddress: false,
    keepAlive: false,
  });
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {
    "user-agent": USER_AGENT,
    ...request.headers,
    "content-length": String(Buffer.byteLength(request.body)),
  };

  return new Promise<DeliveryAttemptResult>((resolve) => {
    let settled = false;
    let answered: Verdict | undefined; // set once the status line is in
    let response: IncomingMessage | undefined;
    let outgoing: ReturnType<typeof httpRequest> | undefined;

    const finish = (verdict: Verdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      response?.destroy();
      outgoing?.destroy();
      agent.destroy();
      resolve({ ...verdict, latencyMs: elapsed() });
    };

    const timer = setTimeout(() => {
      // After the status line a slow body does not undo the partner's answer.
      finish(answered ?? { outcome: "retry", error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);

    try {
      outgoing = send(url, { method: "POST", agent, headers, lookup }, (res) => {
        response = res;
        answered = classifyStatus(res.statusCode ?? 0, res.headers);
        const verdict = answered;
        let received = 0;
        res.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received >= maxResponseBytes) finish(verdict); // enough: drop the rest with the socket
        });
        res.on("end", () => finish(verdict));
        res.on("error", () => finish(verdict));
        res.on("close", () => finish(verdict));
      });
    } catch (error) {
      finish({ outcome: "blocked", error: `request could not be built: ${(error as Error).message}` });
      return;
    }
    outgoing.on("error", (error) => finish(answered ?? classifyError(error, request.onRefused)));
    outgoing.end(request.body);
  });
};
