import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import * as z from "zod";
import { ENV } from "../../../lib/resources";
import { config, requiredEnv } from "../../shared/config";
import type { WebhookSecretStore } from "../../use-cases/administer-tenants";
import type { WebhookSecrets } from "../../use-cases/ports";

/** `{"secrets":["whsec_new","whsec_old"]}` during a rotation, or a single `whsec_…` string. */
const SecretValue = z.union([
  z
    .string()
    .startsWith("whsec_")
    .transform((secret) => [secret]),
  z.object({ secrets: z.array(z.string().startsWith("whsec_")).min(1).max(2) }).transform((value) => value.secrets),
]);

const parse = (raw: string): string[] => {
  const trimmed = raw.trim();
  return SecretValue.parse(trimmed.startsWith("{") ? JSON.parse(trimmed) : trimmed);
};

/**
 * Each tenant's signing secrets: Secrets Manager `<WEBHOOK_SECRET_PREFIX>/<tenant>` in AWS
 * (cached 5 minutes, so a rotation is picked up within minutes), a file locally.
 */
export const webhookSecrets = (): WebhookSecrets => ({
  secretsOf: async (tenantId) => {
    // Required locally too: the local file stands in for the secret, not for the function's access to it.
    const prefix = requiredEnv(ENV.webhookSecretPrefix);
    const localDir = config().localSecretsDir;
    if (localDir !== undefined) return parse(await readFile(join(localDir, `webhook-${tenantId}.json`), "utf8"));
    const value = await getSecret(`${prefix}/${tenantId}`, { maxAge: 300 });
    if (typeof value !== "string") throw new Error(`webhook secret of ${tenantId} is not a string`);
    return parse(value);
  },
});

/**
 * Where onboarding puts a tenant's first signing secret: Secrets Manager
 * `<WEBHOOK_SECRET_PREFIX>/<tenant>` in AWS, `webhook-<tenant>.json` in the secrets directory locally.
 */
export const webhookSecretStore = (): WebhookSecretStore => ({
  create: async (tenantId, secret) => {
    const prefix = requiredEnv(ENV.webhookSecretPrefix);
    const value = JSON.stringify({ secrets: [secret] });
    const localDir = config().localSecretsDir;
    if (localDir !== undefined) {
      await writeFile(join(localDir, `webhook-${tenantId}.json`), value, { mode: 0o600 });
      return;
    }
    const client = new SecretsManagerClient({});
    const name = `${prefix}/${tenantId}`;
    try {
      await client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: value,
          Description: `Webhook signing secrets of ${tenantId}`,
        }),
      );
    } catch (error) {
      // Left by an onboarding that failed after it (the tenant row is new, so no one signs with it).
      if (!(error instanceof ResourceExistsException)) throw error;
      await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    }
  },
});
