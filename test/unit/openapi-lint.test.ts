import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, test } from "vitest";
import { buildOpenApiDocument } from "../../functions/api/openapi";
import { ORDER_EVENT_TYPES } from "../../functions/api/webhooks";
import { ROUTES } from "../../lib/resources";

interface LintProblem {
  ruleId: string;
  severity: string;
  message: string;
  location: { pointer: string }[];
}

const document = buildOpenApiDocument();
const dir = mkdtempSync(join(tmpdir(), "aviaframe-openapi-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Redocly's stock `recommended` ruleset, through its CLI, with no telemetry and no update check. */
const redoclyLint = async (): Promise<{ totals: { errors: number; warnings: number }; problems: LintProblem[] }> => {
  const file = join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(document));
  const cli = join(dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")), "bin/cli.js");
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cli, "lint", "--extends", "recommended", "--format", "json", file],
    { env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" }, timeout: 30_000 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  return JSON.parse(stdout);
};

type Operation = {
  tags?: string[];
  summary?: string;
  description?: string;
  requestBody?: { content: Record<string, { examples?: object }> };
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { examples?: object }> }>;
};

const operations = (): [string, Operation][] =>
  ROUTES.filter((route) => route.auth !== "operator").map((route) => [
    route.operationId,
    (document.paths[route.path] as Record<string, Operation>)[route.method.toLowerCase()] as Operation,
  ]);

describe("/openapi.json teaches", () => {
  test("Redocly's recommended ruleset finds 0 errors and 0 warnings", async () => {
    const result = await redoclyLint();
    const problems = result.problems.map(
      (problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`,
    );
    expect(problems).toEqual([]);
    expect(result.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  test("names its servers and tags every operation with a summary and a description", () => {
    expect(document.servers.length).toBeGreaterThan(0);
    for (const [id, operation] of operations()) {
      expect(operation.tags?.length, id).toBe(1);
      expect(operation.summary, id).toBeTruthy();
      expect(operation.description?.length ?? 0, id).toBeGreaterThan(40);
    }
  });

  test("every request and every JSON success response has an example", () => {
    for (const [id, operation] of operations()) {
      const request = operation.requestBody?.content["application/json"];
      if (operation.requestBody !== undefined)
        expect(Object.keys(request?.examples ?? {}).length, id).toBeGreaterThan(0);
      // The document itself needs no example of itself.
      if (id === "openapi") continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        const json = response.content?.["application/json"];
        if (json !== undefined) expect(Object.keys(json.examples ?? {}).length, `${id} ${status}`).toBeGreaterThan(0);
      }
    }
  });

  test("declares the headers the gateway sends", () => {
    const headersOf = (id: string, status: string) =>
      Object.keys(operations().find(([operationId]) => operationId === id)?.[1].responses[status]?.headers ?? {});
    for (const [id, operation] of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(Object.keys(response.headers ?? {}), `${id} ${status}`).toEqual(
          expect.arrayContaining(["x-correlation-id", "Aviaframe-Version"]),
        );
      }
    }
    expect(headersOf("searchOffers", "200")).toEqual(
      expect.arrayContaining(["x-cache", "age", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"]),
    );
    expect(headersOf("searchOffers", "429")).toContain("Retry-After");
    expect(headersOf("createOrder", "201")).toEqual(expect.arrayContaining(["Location", "Idempotent-Replayed"]));
    expect(headersOf("createOrder", "409")).toContain("Retry-After");
  });

  test("lists every error code an operation answers, with an example of each", () => {
    const create = operations().find(([id]) => id === "createOrder")?.[1];
    const examples = (status: string) =>
      Object.keys(create?.responses[status]?.content?.["application/json"]?.examples ?? {});
    expect(examples("400")).toEqual(
      expect.arrayContaining(["AVF_400_VALIDATION", "AVF_400_IDEMPOTENCY_KEY_REQUIRED", "AVF_400_UNSUPPORTED_VERSION"]),
    );
    expect(examples("409")).toEqual(
      expect.arrayContaining(["AVF_409_PRICE_CHANGED", "AVF_409_IDEMPOTENCY_MISMATCH", "AVF_409_REQUEST_IN_PROGRESS"]),
    );
    for (const status of ["401", "404", "413", "415", "429", "500", "502", "503", "504"]) {
      expect(create?.responses[status], status).toBeDefined();
    }
  });

  test("describes every callback event under webhooks", () => {
    expect(Object.keys(document.webhooks).sort()).toEqual([...ORDER_EVENT_TYPES, "ping"].sort());
  });
});
