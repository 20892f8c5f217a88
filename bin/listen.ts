/**
 * `npm run listen`: a local webhook receiver, like `stripe listen`. Prints the tenant's signing
 * secret, verifies every callback with the stock `standardwebhooks` library and pretty-prints
 * it. `--ping` asks the gateway to send a test ping to it right away.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";
import { SEED_TENANTS } from "../lib/local/seed";

const USAGE = `Usage: npm run listen -- [options]

Receives Aviaframe callbacks on this machine, verifies each signature (Standard Webhooks)
and prints the event. Point an order's callback_url (or POST /public/callbacks/test) at the
URL it prints; the local gateway must run with CALLBACK_ALLOW_PRIVATE=true to call loopback.

Options:
  --tenant <id>      local tenant whose secret verifies (default agency-a; agency-a|agency-b)
  --secret <whsec_>  verify with this secret instead (a deployed tenant's; or AVIAFRAME_WEBHOOK_SECRET)
  --port <n>         port on 127.0.0.1 (default 4242; 0 picks a free one)
  --ping             ask the gateway to send a signed test ping here now
  --api <url>        the gateway for --ping (default $API or http://127.0.0.1:3000)
  --api-key <key>    API key for --ping (default the local tenant's)
  --once             exit after the first verified callback (0) or refused one (1)
  -h, --help         this text`;

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        tenant: { type: "string", default: "agency-a" },
        secret: { type: "string" },
        port: { type: "string", default: "4242" },
        ping: { type: "boolean", default: false },
        api: { type: "string" },
        "api-key": { type: "string" },
        once: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
})();
const args = parsed.values;

if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const local = SEED_TENANTS.find((tenant) => tenant.item.tenant_id === args.tenant);
const secret = args.secret ?? process.env.AVIAFRAME_WEBHOOK_SECRET ?? local?.webhookSecret;
if (secret === undefined) {
  console.error(`No secret for tenant ${args.tenant}: pass --secret whsec_… (see --help).`);
  process.exit(2);
}
const webhook = new Webhook(secret);

const color = (code: number, text: string) => (process.stdout.isTTY ? `\u001b[${code}m${text}\u001b[0m` : text);
const single = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));

/** Resolves with the exit code of --once: 0 after a verified callback, 1 after a refused one. */
let settle: (code: number) => void = () => undefined;
const firstCallback = new Promise<number>((resolve) => {
  settle = resolve;
});

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const at = new Date().toISOString();
    try {
      const event = webhook.verify(body, single(req.headers)) as { type?: string };
      console.log(
        `${color(32, "✔ verified")}  ${color(1, String(event.type))}  webhook-id ${req.headers["webhook-id"]}  ${at}`,
      );
      console.log(
        JSON.stringify(event, null, 2)
          .split("\n")
          .map((line) => `    ${line}`)
          .join("\n"),
      );
      res.writeHead(204).end();
      settle(0);
    } catch (error) {
      console.log(`${color(31, "✘ refused")}   signature does not verify (${String(error)})  ${at}`);
      res.writeHead(400).end();
      settle(1);
    }
  });
});

await new Promise<void>((resolve) => server.listen(Number(args.port), "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
console.log(`Listening for Aviaframe callbacks on ${url}
  tenant          ${args.secret === undefined && process.env.AVIAFRAME_WEBHOOK_SECRET === undefined ? args.tenant : "(given secret)"}
  signing secret  ${secret}
  use it as       "callback_url": "${url}"   (local gateway with CALLBACK_ALLOW_PRIVATE=true)
`);

if (args.ping) {
  const api = args.api ?? process.env.API ?? "http://127.0.0.1:3000";
  const response = await fetch(`${api}/public/callbacks/test`, {
    method: "POST",
    headers: { "x-api-key": args["api-key"] ?? local?.apiKey ?? "", "content-type": "application/json" },
    body: JSON.stringify({ url }),
  }).catch((error: unknown) => {
    console.error(`--ping: cannot reach ${api}: ${String(error)}`);
    process.exit(1);
  });
  const answer = (await response.json()) as {
    delivery?: { status: string };
    error?: { code: string; message: string };
  };
  if (response.status !== 200) {
    console.error(`--ping: ${response.status} ${answer.error?.code}: ${answer.error?.message}`);
    process.exit(1);
  }
  console.log(`--ping: the gateway sent a ping (${answer.delivery?.status})`);
}

const stop = (code: number) => {
  server.close(() => process.exit(code));
  server.closeAllConnections();
};
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
if (args.once) stop(await firstCallback);
