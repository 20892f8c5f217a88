/**
 * GET /docs in a real browser: Debian's chromium, headless, allowed to reach nothing but the
 * local gateway (every other request is refused and recorded), must render every operation
 * and every webhook of /openapi.json.
 */
import { existsSync } from "node:fs";
import puppeteer, { type Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildOpenApiDocument } from "../../../functions/api/openapi";
import type { Harness } from "../harness";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const referencePageTests = (api: Harness): void => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
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
      const page = await browser.newPage();
      const refused: string[] = [];
      const failures: string[] = [];
      await page.setRequestInterception(true);
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.protocol === "data:" || url.hostname === "127.0.0.1") void request.continue();
        else {
          refused.push(request.url());
          void request.abort();
        }
      });
      page.on("pageerror", (error) => failures.push(String(error)));
      const response = await page.goto(`${api.runtime.apiUrl}/docs`, { waitUntil: "load", timeout: 30_000 });
      expect(response?.status()).toBe(200);
      await page.waitForSelector(".opblock", { timeout: 20_000 });
      const rendered = await page.$$eval(".opblock .opblock-summary-operation-id", (elements) =>
        elements.map((element) => element.textContent?.trim() ?? ""),
      );
      const document = buildOpenApiDocument();
      const webhookIds = Object.values(document.webhooks).map((webhook) => webhook.post.operationId);
      // Every operation the document lists (operators' and DRCT's own routes are not agencies' business).
      const operationIds = Object.values(document.paths).flatMap((item) =>
        Object.values(item as Record<string, { operationId?: string }>).flatMap((operation) =>
          operation.operationId === undefined ? [] : [operation.operationId],
        ),
      );
      expect(operationIds.length).toBeGreaterThanOrEqual(20);
      expect(new Set(rendered)).toEqual(new Set([...operationIds, ...webhookIds]));
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
