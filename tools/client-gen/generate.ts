/**
 * `npm run client:generate`: writes client/openapi.json and client/schema.ts (openapi-typescript,
 * with `defaultNonNullable: false` so fields with a default stay optional in requests) from
 * the document the gateway serves. test/unit/client.test.ts fails when they are stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from "openapi-typescript";
import { buildOpenApiDocument } from "../../functions/api/openapi";

export const CLIENT_DIR = resolve(fileURLToPath(import.meta.url), "../../../client");

export const GENERATED_FILES = ["openapi.json", "schema.ts"] as const;

export const generateClientFiles = async (): Promise<Record<(typeof GENERATED_FILES)[number], string>> => {
  const document = buildOpenApiDocument();
  const nodes = await openapiTS(structuredClone(document) as unknown as OpenAPI3, {
    defaultNonNullable: false,
    silent: true,
  });
  return {
    "openapi.json": `${JSON.stringify(document, null, 2)}\n`,
    "schema.ts": `${COMMENT_HEADER}${astToString(nodes)}`,
  };
};

/** The generated files that differ from what is checked in. */
export const staleClientFiles = async (): Promise<string[]> => {
  const generated = await generateClientFiles();
  return GENERATED_FILES.filter((file) => {
    try {
      return readFileSync(join(CLIENT_DIR, file), "utf8") !== generated[file];
    } catch {
      return true;
    }
  });
};

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const generated = await generateClientFiles();
  for (const file of GENERATED_FILES) writeFileSync(join(CLIENT_DIR, file), generated[file]);
  console.log(`wrote ${GENERATED_FILES.map((file) => `client/${file}`).join(", ")}`);
}
