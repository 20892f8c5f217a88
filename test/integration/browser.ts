/**
 * Real-browser tests: Debian's chromium, headless, through puppeteer-core (its own browser
 * download is never used; `.ci/run` installs chromium when it is missing). A page may reach
 * nothing but the local gateway: every other request is refused and recorded, so a test can
 * assert the page works offline.
 */
import { existsSync } from "node:fs";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  return puppeteer.launch({
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
};

export interface OfflinePage {
  readonly page: Page;
  /** Requests to anywhere but loopback (refused). */
  readonly refused: string[];
  /** Uncaught errors in the page's scripts. */
  readonly failures: string[];
}

/** A new tab that may load data: URLs and loopback only. */
export const offlinePage = async (browser: Browser): Promise<OfflinePage> => {
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
  return { page, refused, failures };
};
