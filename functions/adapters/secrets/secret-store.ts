import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { SECRETS, type SecretKey } from "../../../lib/resources";
import { config, secretName } from "../../shared/config";

/** Long enough to spare Secrets Manager, short enough that a rotated token is picked up within minutes. */
const MAX_AGE_SECONDS = 300;

const localCache = new Map<SecretKey, { value: string; until: number }>();

/**
 * A secret's value. In AWS from Secrets Manager (Powertools caches it); locally from
 * `<LOCAL_SECRETS_DIR>/<secret id>`, since no Secrets Manager emulator exists on npm.
 */
export const readSecret = async (key: SecretKey): Promise<string> => {
  // Required locally too: the local file stands in for the secret, not for the function's access to it.
  const name = secretName(key);
  const localDir = config().localSecretsDir;
  if (localDir !== undefined) return readLocalSecret(localDir, key);
  const value = await getSecret(name, { maxAge: MAX_AGE_SECONDS });
  if (typeof value !== "string" || value === "") throw new Error(`secret ${SECRETS[key].id} is empty`);
  return value;
};

const readLocalSecret = async (dir: string, key: SecretKey): Promise<string> => {
  const cached = localCache.get(key);
  if (cached !== undefined && cached.until > Date.now()) return cached.value;
  const value = (await readFile(join(dir, SECRETS[key].id), "utf8")).trim();
  if (value === "") throw new Error(`secret ${SECRETS[key].id} is empty`);
  localCache.set(key, { value, until: Date.now() + 5_000 });
  return value;
};
