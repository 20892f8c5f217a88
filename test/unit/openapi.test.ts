import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, test } from "vitest";
import { buildOpenApiDocument } from "../../functions/api/openapi";
import { ROUTES, type RouteDescription } from "../../lib/resources";

describe("GET /openapi.json", () => {
  const document = buildOpenApiDocument();

  test("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  test("documents every agency and public route, with the API key scope the route needs; no operator route", () => {
    for (const route of ROUTES as readonly RouteDescription[]) {
      if (route.auth === "operator") {
        expect(document.paths[route.path], route.path).toBeUndefined();
        continue;
      }
      const operation = (document.paths[route.path] as Record<string, { security: unknown[]; operationId: string }>)[
        route.method.toLowerCase()
      ];
      expect(operation?.operationId, route.path).toBe(route.operationId);
      expect(operation?.security, route.operationId).toEqual(
        route.auth === "api-key" ? [{ apiKey: [route.scope] }] : [],
      );
    }
  });

  test("idempotent operations require the Idempotency-Key header", () => {
    const create = (
      document.paths["/public/orders"] as Record<string, { parameters: { name: string; required: boolean }[] }>
    ).post;
    expect(create?.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", required: true }));
  });
});
