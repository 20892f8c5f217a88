import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test, vi } from "vitest";
import { DESTINATION_REFUSED, sendWebhook } from "../../functions/adapters/callbacks/sender";
import type { CallbackLookup } from "../../functions/adapters/callbacks/url-policy";

interface Partner {
  readonly port: number;
  readonly url: string;
  /** Requests the partner saw, with the body it received. */
  readonly requests: { method: string; path: string; headers: IncomingMessage["headers"]; body: string }[];
  /** TCP connections it accepted (a refused destination must leave this at 0). */
  connections: number;
  close: () => Promise<void>;
}

const started: Partner[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((partner) => partner.close()));
});

/** A partner endpoint on 127.0.0.1 whose handler runs once the request body is in. */
const partner = async (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Partner> => {
  const server = createServer();
  const self: Partner = {
    port: 0,
    url: "",
    requests: [],
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on("connection", () => {
    self.connections += 1;
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      self.requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const ready: Partner = Object.assign(self, { port, url: `http://127.0.0.1:${port}/hooks` });
  started.push(ready);
  return ready;
};

const answer =
  (status: number, headers: Record<string, string> = {}, body = "") =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, headers);
    res.end(body);
  };

const BODY = JSON.stringify({ type: "order.booked", timestamp: "2031-03-10T08:00:00Z", data: { order: { id: "o1" } } });
const HEADERS = {
  "webhook-id": "evt_1",
  "webhook-timestamp": "1930896000",
  "webhook-signature": "v1,c2lnbmF0dXJl",
  "content-type": "application/json",
};

const local = (url: string) => ({ url, body: BODY, headers: HEADERS, allowPrivate: true });

describe("classification of the partner's answer", () => {
  test("200 → delivered, with the body and headers as sent", async () => {
    const p = await partner(answer(200, {}, "ok"));
    const result = await sendWebhook(local(p.url));
    expect(result).toEqual({ outcome: "delivered", status: 200, latencyMs: expect.any(Number) });
    expect(p.requests).toHaveLength(1);
    expect(p.requests[0]).toMatchObject({
      method: "POST",
      path: "/hooks",
      body: BODY,
      headers: { "webhook-id": "evt_1", "content-type": "application/json", "content-length": String(BODY.length) },
    });
  });

  test.each([
    [201, "delivered"],
    [204, "delivered"],
    [400, "blocked"],
    [401, "blocked"],
    [404, "blocked"],
    [410, "blocked"],
    [422, "blocked"],
    [408, "retry"],
    [500, "retry"],
    [502, "retry"],
    [503, "retry"],
    [504, "retry"],
  ] as const)("%i → %s", async (status, outcome) => {
    const p = await partner(answer(status));
    const result = await sendWebhook(local(p.url));
    expect(result.outcome).toBe(outcome);
    expect(result.status).toBe(status);
    expect(result.retryAfterSeconds).toBeUndefined();
  });

  test("429 with Retry-After: 7 → retry after 7 s", async () => {
    const p = await partner(answer(429, { "retry-after": "7" }));
    const result = await sendWebhook(local(p.url));
    expect(result).toMatchObject({ outcome: "retry", status: 429, retryAfterSeconds: 7 });
  });

  test("503 with an HTTP-date Retry-After → retry after the seconds until then", async () => {
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000).toUTCString();
    const p = await partner(answer(503, { "retry-after": at }));
    const result = await sendWebhook(local(p.url));
    expect(result.outcome).toBe("retry");
    expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(result.retryAfterSeconds).toBeLessThanOrEqual(31);
  });

  test("302 → blocked, and the Location is not fetched", async () => {
    const p = await partner((req, res) => {
      if (req.url === "/elsewhere") return answer(200)(req, res);
      answer(302, { location: "/elsewhere" })(req, res);
    });
    const result = await sendWebhook(local(p.url));
    expect(result).toMatchObject({ outcome: "blocked", status: 302, error: "redirects are not followed" });
    expect(p.requests.map((r) => r.path)).toEqual(["/hooks"]);
  });
});

describe("time and size limits", () => {
  test("a partner that never answers → retry, within the timeout", async () => {
    const p = await partner(() => {}); // reads the request, never answers
    const result = await sendWebhook({ ...local(p.url), timeoutMs: 300 });
    expect(result.outcome).toBe("retry");
    expect(result.error).toMatch(/300 ms/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(250);
    expect(result.latencyMs).toBeLessThan(1_500);
  });

  test("a huge body is read up to the cap, then the connection is dropped", async () => {
    let written = 0;
    let dropped = false;
    const p = await partner((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(16 * 1024, "x");
      const pump = (): void => {
        // An endless body: stop only when the client goes away.
        while (!res.destroyed && written < 512 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
      };
      res.on("drain", pump);
      res.on("close", () => {
        dropped = true;
      });
      pump();
    });
    const result = await sendWebhook({ ...local(p.url), maxResponseBytes: 1_024, timeoutMs: 5_000 });
    expect(result).toMatchObject({ outcome: "delivered", status: 200 });
    expect(result.latencyMs).toBeLessThan(2_000); // far from the 5 s timeout: the cap ended it
    await vi.waitFor(() => expect(dropped).toBe(true));
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  test("a body that stalls after the status line does not turn a 200 into a retry", async () => {
    const p = await partner((_req, res) => {
      res.writeHead(200);
      res.write("partial"); // and never ends
    });
    const result = await sendWebhook({ ...local(p.url), timeoutMs: 300 });
    expect(result).toMatchObject({ outcome: "delivered", status: 200 });
  });
});

describe("network failures", () => {
  test("connection refused → retry", async () => {
    const p = await partner(answer(200));
    const url = p.url;
    await p.close();
    const result = await sendWebhook(local(url));
    expect(result.outcome).toBe("retry");
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  test("connection reset → retry", async () => {
    const p = await partner((req) => req.socket.destroy());
    const result = await sendWebhook(local(p.url));
    expect(result.outcome).toBe("retry");
    expect(result.status).toBeUndefined();
  });
});

describe("destinations refused at send time", () => {
  test("with allowPrivate false the same 127.0.0.1 URL is blocked without connecting", async () => {
    const p = await partner(answer(200));
    for (const url of [p.url, `https://127.0.0.1:${p.port}/hooks`, "https://127.0.0.1/hooks"]) {
      const result = await sendWebhook({ ...local(url), allowPrivate: false });
      expect(result.outcome).toBe("blocked");
    }
    expect(p.connections).toBe(0);
    expect(p.requests).toHaveLength(0);
  });

  // A name that passed the create-time DNS check and now resolves to loopback (DNS rebinding)
  // must be refused on the address actually dialled. Offline there is no public name that
  // resolves to 127.0.0.1 and nothing listens on 443, so the resolver is injected: its answers
  // go through the same connect-time filters (our lookup filter wrapped by request-filtering-agent)
  // as the system resolver's. Without those filters, these calls would dial 127.0.0.1:443 or
  // [::1]:443 and end in ECONNREFUSED → "retry", not "blocked".
  const resolvingTo =
    (...addresses: string[]): CallbackLookup =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

  test.each([
    ["127.0.0.1"],
    ["10.0.0.5"],
    ["169.254.169.254"],
    ["::1"],
    ["::ffff:127.0.0.1"],
    ["::7f00:1"], // IPv4-compatible: ipaddr.js calls it unicast, our filter does not
    ["93.184.216.34", "127.0.0.1"],
  ])("https://partner.example.com/ resolving to %s → blocked at send time", async (...addresses) => {
    const lookup = vi.fn(resolvingTo(...addresses));
    const refused: string[] = [];
    const result = await sendWebhook({
      url: "https://partner.example.com/hooks",
      body: BODY,
      headers: HEADERS,
      allowPrivate: false,
      timeoutMs: 2_000,
      lookup,
      onRefused: (detail) => refused.push(detail),
    });
    expect(lookup).toHaveBeenCalledWith("partner.example.com");
    // The tenant sees a generic reason; the address our DNS gave goes to the operators' log only.
    expect(result).toMatchObject({ outcome: "blocked", error: DESTINATION_REFUSED });
    for (const address of addresses.filter((a) => a !== "93.184.216.34")) expect(result.error).not.toContain(address);
    expect(refused.join(" ")).toMatch(/not a public address|is not allowed/);
  });

  test("the injected resolver is really dialled: allowPrivate true + name → 127.0.0.1 reaches the partner", async () => {
    const p = await partner(answer(200));
    const lookup = vi.fn(resolvingTo("127.0.0.1"));
    const result = await sendWebhook({ ...local(`http://hooks.partner.test:${p.port}/hooks`), lookup });
    expect(result).toMatchObject({ outcome: "delivered", status: 200 });
    expect(lookup).toHaveBeenCalledWith("hooks.partner.test");
    expect(p.requests[0]?.headers.host).toBe(`hooks.partner.test:${p.port}`);
  });

  // request-filtering-agent refuses the meta address 0.0.0.0 even with allowPrivate (allowMetaIPAddress: false).
  // On Linux a connect to 0.0.0.0 lands on the loopback listener, so "no connection" proves the agent ran.
  test("0.0.0.0 is refused by request-filtering-agent even with allowPrivate", async () => {
    const p = await partner(answer(200));
    const refused: string[] = [];
    const onRefused = (detail: string) => refused.push(detail);
    const literal = await sendWebhook({ ...local(`http://0.0.0.0:${p.port}/hooks`), onRefused });
    expect(literal).toMatchObject({ outcome: "blocked", error: DESTINATION_REFUSED });

    const viaDns = await sendWebhook({
      ...local(`http://hooks.partner.test:${p.port}/hooks`),
      lookup: resolvingTo("0.0.0.0"),
      onRefused,
    });
    expect(viaDns).toMatchObject({ outcome: "blocked", error: DESTINATION_REFUSED });
    expect(refused).toHaveLength(2);
    for (const detail of refused) expect(detail).toMatch(/meta IP address/);
    expect(p.connections).toBe(0);
  });
});
