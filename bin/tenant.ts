/**
 * `npm run tenant -- <command>`: onboards an agency in a deployed stage (AWS credentials
 * from the environment, as for `cdk deploy`).
 *
 *   put      --stage prod --id agency-x --name "Agency X" --plan standard|premium
 *            --markup 2% | 5.00 [--currency EUR] --api-key-id <API Gateway key id>
 *   rotate-webhook-secret --stage prod --id agency-x           new secret signs alongside the old
 *   finish-webhook-rotation --stage prod --id agency-x         only the newest secret signs
 *
 * The API key itself comes from the CDK app (`-c tenants=[…]`); this writes the Tenants row
 * the handlers resolve it to, and the tenant's webhook signing secrets.
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
import { physicalName, TABLES } from "../lib/resources";
import { parseMarkup } from "../lib/tenants";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    stage: { type: "string" },
    id: { type: "string" },
    name: { type: "string" },
    plan: { type: "string", default: "standard" },
    markup: { type: "string", default: "0%" },
    currency: { type: "string", default: "EUR" },
    "api-key-id": { type: "string" },
  },
});

const required = (name: keyof typeof values): string => {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new Error(`--${name} is required`);
  return value;
};

const stage = required("stage");
const tenantId = required("id");
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
  default:
    throw new Error("commands: put | rotate-webhook-secret | finish-webhook-rotation (see bin/tenant.ts)");
}
