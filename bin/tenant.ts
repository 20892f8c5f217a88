/**
 * `npm run tenant -- <command>`: a thin client of the operators' tenant administration
 * (/ops/api/tenants…, CONTRACT.md §6), locally with the ops key, in AWS signed with SigV4 (the
 * routes are IAM-authorized). `npm run tenant -- --help` lists the commands.
 */
import { createHash, createHmac } from "node:crypto";
import { parseArgs } from "node:util";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { parseMarkup } from "../lib/tenants";

const USAGE = `Usage: npm run tenant -- <command> [options]

Administers agencies through the operators' API (/ops/api): locally with the ops key that
npm start prints (OPS_KEY), in AWS signed with your AWS credentials (SigV4, as for cdk deploy).
Changes take effect within 5 s; nothing is redeployed.

Commands:
  create        onboard a tenant; prints its first API key (every scope) and webhook secret, once
                --id <tenant id> [--plan standard|premium] [--markup 2% | 5.00] [--name "<name>"]
                [--currency EUR] [--allow <CIDR>,<CIDR>…]
  show          the tenant's plan, markup, allowlist, status and keys (ids and scopes)   --id <tenant id>
  update        change it   --id <tenant id> [--plan …] [--markup …] [--name …]
                [--allow <CIDR>,… | --allow none] [--status active|suspended]
  add-key       a new API key (printed once)   --id <tenant id> --scopes search,book,read,admin
  revoke-key    revoke a key (rotation: add-key, switch, revoke-key)   --id <tenant id> --key-id <key id>
  auth-events   refused authentications, newest first   [--id <tenant id>] [--reason <reason>] [--limit 50]
  rotate-webhook-secret     a new webhook secret signs alongside the old one (AWS)   --stage <stage> --id <tenant id>
  finish-webhook-rotation   only the newest webhook secret signs (AWS)               --stage <stage> --id <tenant id>

Options:
  --url <API base URL>   default http://127.0.0.1:$PORT (3000); in AWS the stage's invoke URL,
                         e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod
  --ops-key <key>        the local ops key (default: OPS_KEY); without one, requests are SigV4-signed
  -h, --help             this text

Example:
  npm run tenant -- create --id agency-x --plan standard --markup 2% --allow 203.0.113.0/24,2001:db8::/32`;

/** A mistake in the command line: said plainly, with the usage, no stack trace. */
const usageError = (message: string): never => {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
};

const parsed = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        url: { type: "string" },
        "ops-key": { type: "string" },
        stage: { type: "string" },
        id: { type: "string" },
        name: { type: "string" },
        plan: { type: "string" },
        markup: { type: "string" },
        currency: { type: "string" },
        allow: { type: "string" },
        status: { type: "string" },
        scopes: { type: "string" },
        "key-id": { type: "string" },
        reason: { type: "string" },
        limit: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
})();
const { positionals, values } = parsed;

const COMMANDS = [
  "create",
  "show",
  "update",
  "add-key",
  "revoke-key",
  "auth-events",
  "rotate-webhook-secret",
  "finish-webhook-rotation",
];
if (values.help || positionals[0] === "help") {
  console.log(USAGE);
  process.exit(0);
}
const command = positionals[0] ?? "";
if (!COMMANDS.includes(command)) {
  usageError(positionals[0] === undefined ? "Which command?" : `Unknown command: ${positionals[0]}`);
}

type Option = "stage" | "id" | "key-id" | "scopes";
const required = (name: Option): string => {
  const value = values[name];
  if (typeof value !== "string" || value === "") return usageError(`--${name} is required`);
  return value;
};

const markupOption = () => {
  if (values.markup === undefined) return undefined;
  try {
    return parseMarkup(values.markup);
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
};

const allowOption = () =>
  values.allow === undefined
    ? undefined
    : values.allow === "none"
      ? []
      : values.allow
          .split(",")
          .map((entry) => entry.trim())
          .filter(Boolean);

/** node:crypto as the SHA-256 the SigV4 signer takes. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const baseUrl = new URL(values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`);
const opsKey = values["ops-key"] ?? process.env.OPS_KEY;

/** One call of /ops/api: the ops key when there is one, else SigV4 for API Gateway's IAM authorization. */
const opsApi = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
  const url = new URL(`${baseUrl.pathname.replace(/\/$/, "")}/ops/api${path}`, baseUrl);
  const text = body === undefined ? undefined : JSON.stringify(body);
  let headers: Record<string, string> = {
    host: url.host,
    accept: "application/json",
    ...(text === undefined ? {} : { "content-type": "application/json" }),
  };
  if (opsKey !== undefined && opsKey !== "") headers["x-ops-key"] = opsKey;
  else {
    const region = /execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1] ?? process.env.AWS_REGION;
    if (region === undefined) return usageError("no ops key (--ops-key, OPS_KEY) and no AWS region to sign for");
    const signer = new SignatureV4({ service: "execute-api", region, credentials: defaultProvider(), sha256: Sha256 });
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === "" ? undefined : Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: text,
    });
    headers = signed.headers;
  }
  const { host: _host, ...sent } = headers;
  const response = await fetch(url, { method, headers: sent, body: text });
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const error = answer.error as { code?: string; message?: string; details?: unknown } | undefined;
    const details = error?.details === undefined ? "" : `\n${JSON.stringify(error.details, null, 2)}`;
    throw new Error(`${response.status} ${error?.code ?? ""} ${error?.message ?? JSON.stringify(answer)}${details}`);
  }
  return answer;
};

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

/** Webhook secret rotation still talks to Secrets Manager directly (no /ops/api route for it yet). */
const webhookRotation = async (finish: boolean) => {
  const secretName = `aviaframe-${required("stage")}/webhook/${required("id")}`;
  const secrets = new SecretsManagerClient({});
  let existing: string[] = [];
  try {
    const current = await secrets.send(new GetSecretValueCommand({ SecretId: secretName }));
    existing = (JSON.parse(current.SecretString ?? "{}") as { secrets?: string[] }).secrets ?? [];
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  if (finish) {
    const [newest] = existing;
    if (newest === undefined) throw new Error(`${secretName} has no secret`);
    await secrets.send(
      new PutSecretValueCommand({ SecretId: secretName, SecretString: JSON.stringify({ secrets: [newest] }) }),
    );
    console.log("only the newest webhook secret signs now");
    return;
  }
  const { randomBytes } = await import("node:crypto");
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  const SecretString = JSON.stringify({ secrets: [secret, ...existing.slice(0, 1)] });
  if (existing.length === 0) await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString }));
  else await secrets.send(new PutSecretValueCommand({ SecretId: secretName, SecretString }));
  console.log(`new webhook signing secret (shown once), signing alongside the old one: ${secret}`);
};

try {
  switch (command) {
    case "create": {
      const created = await opsApi("POST", "/tenants", {
        tenant_id: required("id"),
        plan: values.plan ?? "standard",
        markup: markupOption() ?? { type: "percent", basis_points: 0 },
        ...(values.name === undefined ? {} : { name: values.name }),
        ...(values.currency === undefined ? {} : { default_currency: values.currency }),
        ...(values.allow === undefined ? {} : { ip_allowlist: allowOption() }),
      });
      print(created);
      console.error("The API key and the webhook secret are shown this once: hand them to the agency now.");
      break;
    }
    case "show":
      print(await opsApi("GET", `/tenants/${encodeURIComponent(required("id"))}`));
      break;
    case "update":
      print(
        await opsApi("PATCH", `/tenants/${encodeURIComponent(required("id"))}`, {
          plan: values.plan,
          markup: markupOption(),
          name: values.name,
          ip_allowlist: allowOption(),
          status: values.status,
        }),
      );
      break;
    case "add-key":
      print(
        await opsApi("POST", `/tenants/${encodeURIComponent(required("id"))}/keys`, {
          scopes: required("scopes")
            .split(",")
            .map((scope) => scope.trim()),
        }),
      );
      break;
    case "revoke-key":
      print(
        await opsApi(
          "DELETE",
          `/tenants/${encodeURIComponent(required("id"))}/keys/${encodeURIComponent(required("key-id"))}`,
        ),
      );
      break;
    case "auth-events": {
      const query = new URLSearchParams();
      if (values.id !== undefined) query.set("tenant_id", values.id);
      if (values.reason !== undefined) query.set("reason", values.reason);
      query.set("limit", values.limit ?? "50");
      print(await opsApi("GET", `/auth-events?${query}`));
      break;
    }
    case "rotate-webhook-secret":
      await webhookRotation(false);
      break;
    case "finish-webhook-rotation":
      await webhookRotation(true);
      break;
  }
} catch (error) {
  // Refusals (a bad ops key, no AWS credentials, a 4xx) are the operator's to fix: the message is enough.
  console.error(`tenant ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
