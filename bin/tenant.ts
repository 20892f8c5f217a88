/**
 * `npm run tenant -- <command>`: onboards an agency in a deployed stage (AWS credentials
 * from the environment, as for `cdk deploy`). `npm run tenant -- --help` lists the commands.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { putTenant } from "../functions/adapters/dynamodb/tenant-directory";
import { isTenantId } from "../functions/domain/tenant";
import { physicalName, TABLES } from "../lib/resources";
import { parseMarkup } from "../lib/tenants";

const USAGE = `Usage: npm run tenant -- <command> [options]

Onboards an agency in a deployed stage (AWS credentials from the environment, as for cdk deploy).
The API key itself comes from the CDK app (-c tenants=[…]); this writes the Tenants row the
handlers resolve it to, and the tenant's webhook signing secrets (Secrets Manager).

Commands:
  put                       write the tenant; prints its first webhook secret once
      --stage <stage> --id <tenant id> --name "<name>" --api-key-id <API Gateway key id>
      [--plan standard|premium] [--markup 2% | 5.00] [--currency EUR]
  rotate-webhook-secret     a new secret signs alongside the old one    --stage <stage> --id <tenant id>
  finish-webhook-rotation   only the newest secret signs                --stage <stage> --id <tenant id>

Options:
  -h, --help                this text

Example:
  npm run tenant -- put --stage prod --id agency-x --name "Agency X" --plan standard \\
    --markup 2% --currency EUR --api-key-id abc123`;

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
        stage: { type: "string" },
        id: { type: "string" },
        name: { type: "string" },
        plan: { type: "string", default: "standard" },
        markup: { type: "string", default: "0%" },
        currency: { type: "string", default: "EUR" },
        "api-key-id": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
})();
const { positionals, values } = parsed;

const COMMANDS = ["put", "rotate-webhook-secret", "finish-webhook-rotation"];
if (values.help || positionals[0] === "help") {
  console.log(USAGE);
  process.exit(0);
}
if (!COMMANDS.includes(positionals[0] ?? "")) {
  usageError(positionals[0] === undefined ? "Which command?" : `Unknown command: ${positionals[0]}`);
}

const required = (name: "stage" | "id" | "name" | "plan" | "markup" | "currency" | "api-key-id"): string => {
  const value = values[name];
  if (typeof value !== "string" || value === "") return usageError(`--${name} is required`);
  return value;
};

const stage = required("stage");
const tenantId = required("id");
if (!isTenantId(tenantId)) usageError("--id must be 1–40 lowercase letters, digits or hyphens (e.g. agency-x)");
const prefix = `aviaframe-${stage}`;
const secretName = `${prefix}/webhook/${tenantId}`;
const secrets = new SecretsManagerClient({});

const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

const currentSecrets = async (): Promise<string[]> => {
  try {
    const current = await secrets.send(new GetSecretValueCommand({ SecretId: secretName }));
    const parsed = JSON.parse(current.SecretString ?? "{}") as { secrets?: string[] };
    return parsed.secrets ?? [];
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return [];
    throw error;
  }
};

const writeSecrets = async (list: string[], create: boolean) => {
  const SecretString = JSON.stringify({ secrets: list });
  if (create) await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString }));
  else await secrets.send(new PutSecretValueCommand({ SecretId: secretName, SecretString }));
};

try {
  switch (positionals[0]) {
    case "put": {
      process.env[TABLES.tenants.env] = physicalName(prefix, TABLES.tenants.id);
      await putTenant({
        tenant_id: tenantId,
        name: required("name"),
        plan: required("plan") === "premium" ? "premium" : "standard",
        markup: parseMarkup(required("markup")),
        default_currency: required("currency"),
        status: "active",
        api_key_id: required("api-key-id"),
      });
      const existing = await currentSecrets();
      if (existing.length === 0) {
        const secret = newWebhookSecret();
        await writeSecrets([secret], true);
        console.log(`tenant ${tenantId} written; its webhook signing secret (shown once): ${secret}`);
      } else {
        console.log(`tenant ${tenantId} written; its webhook secret is unchanged`);
      }
      break;
    }
    case "rotate-webhook-secret": {
      const existing = await currentSecrets();
      const secret = newWebhookSecret();
      await writeSecrets([secret, ...existing.slice(0, 1)], existing.length === 0);
      console.log(`new webhook signing secret (shown once), signing alongside the old one: ${secret}`);
      break;
    }
    case "finish-webhook-rotation": {
      const [newest] = await currentSecrets();
      if (newest === undefined) throw new Error(`${secretName} has no secret`);
      await writeSecrets([newest], false);
      console.log("only the newest webhook secret signs now");
      break;
    }
  }
} catch (error) {
  // AWS refusals (no credentials, no such stage) are the operator's to fix: the message is enough.
  console.error(`tenant ${positionals[0]} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
