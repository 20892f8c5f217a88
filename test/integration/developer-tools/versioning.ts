import { describe, expect, test } from "vitest";
import { API_VERSIONS, CURRENT_API_VERSION } from "../../../functions/api/versions";
import type { Harness } from "../harness";

export const versioningTests = (api: Harness): void => {
  describe("Aviaframe-Version", () => {
    test("a request without the header is answered in the current version", async () => {
      const response = await api.call("/public/usage");
      expect(response.status).toBe(200);
      expect(response.headers.get("aviaframe-version")).toBe(CURRENT_API_VERSION);
    });

    test("a known version is echoed, on public routes and on errors too", async () => {
      const version = API_VERSIONS[0];
      const usage = await api.call("/public/usage", { headers: { "Aviaframe-Version": version } });
      expect(usage.headers.get("aviaframe-version")).toBe(version);
      const health = await api.call("/health", { key: null, headers: { "aviaframe-version": version } });
      expect(health.headers.get("aviaframe-version")).toBe(version);
      const invalid = await api.call("/public/offers/search", { body: {}, headers: { "aviaframe-version": version } });
      expect(invalid.status).toBe(400);
      expect(invalid.headers.get("aviaframe-version")).toBe(version);
    });

    test("an unknown version is refused with the error envelope, before any work", async () => {
      for (const asked of ["2020-01-01", "latest", "2026-13-45"]) {
        const response = await api.call<{ error: Record<string, unknown> }>("/public/usage", {
          headers: { "aviaframe-version": asked },
        });
        expect(response.status, asked).toBe(400);
        expect(response.body.error).toMatchObject({
          code: "AVF_400_UNSUPPORTED_VERSION",
          retryable: false,
          details: { supported: [...API_VERSIONS] },
        });
        expect(response.headers.get("aviaframe-version")).toBe(CURRENT_API_VERSION);
      }
    });

    test("the gateway's own refusals carry the version as well", async () => {
      const unauthorized = await api.call("/public/usage", { key: null });
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.headers.get("aviaframe-version")).toBe(CURRENT_API_VERSION);
      const missing = await api.call("/no/such/route");
      expect(missing.status).toBe(404);
      expect(missing.headers.get("aviaframe-version")).toBe(CURRENT_API_VERSION);
    });
  });
};
