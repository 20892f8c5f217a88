import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import * as z from "zod";
import { ENV } from "../../../lib/resources";
import { config, requiredEnv } from "../../shared/config";
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
