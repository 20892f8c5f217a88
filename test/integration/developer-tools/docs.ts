/**
 * GET /docs in a real browser: Debian's chromium, headless, allowed to reach nothing but the
 * local gateway (every other request is refused and recorded), must render every operation
 * and every webhook of /openapi.json.
 */
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildOpenApiDocument } from "../../../functions/api/openapi";
import { ROUTES, type RouteDescription } from "../../../lib/resources";
import { launchChromium, offlinePage } from "../browser";
import type { Harness } from "../harness";

export const referencePageTests = (api: Harness): void => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  describe("GET /docs", () => {
    test("is a web page anyone may read, that may talk to nothing but the gateway", async () => {
      const response = await fetch(`${api.runtime.apiUrl}/docs`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.headers.get("content-security-policy")).toContain("connect-src 'self'");
      const html = await response.text();
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']?https?:/);
    });

    test("renders every operation and every webhook in headless Chromium, offline", async () => {
      const { page, refused, failures } = await offlinePage(browser);
      const response = await page.goto(`${api.runtime.apiUrl}/docs`, { waitUntil: "load", timeout: 30_000 });
      expect(response?.status()).toBe(200);
      await page.waitForSelector(".opblock", { timeout: 20_000 });
      const rendered = await page.$$eval(".opblock .opblock-summary-operation-id", (elements) =>
        elements.map((element) => element.textContent?.trim() ?? ""),
      );
      const document = buildOpenApiDocument();
      const webhookIds = Object.values(document.webhooks).map((webhook) => webhook.post.operationId);
      // Operators' routes (/ops/api) are not in the agencies' document.
      const documented = (ROUTES as readonly RouteDescription[]).filter((route) => route.auth !== "operator");
      expect(new Set(rendered)).toEqual(new Set([...documented.map((route) => route.operationId), ...webhookIds]));
      const title = await page.$eval(".info .title", (element) => element.textContent ?? "");
      expect(title).toContain(document.info.title);
      // "Try it out" goes first to the gateway that served the page.
      const servers = await page.$$eval(".servers select option", (options) =>
        options.map((option) => option.getAttribute("value")),
      );
      expect(servers[0]).toBe(api.runtime.apiUrl);
      expect(refused).toEqual([]);
      expect(failures).toEqual([]);
      await page.close();
    });
  });
};
