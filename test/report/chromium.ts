/**
 * Debian's Chromium driven by playwright-core, for the report and playground tests: a fresh
 * profile, no network features, and pages whose every request that is not file:, data: or blob:
 * (or an allowed origin) is recorded and aborted, with console errors and page errors recorded.
 * Tests skip when the browser is absent (.ci/run installs it; SIRTSIM_CHROMIUM picks another).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.SIRTSIM_CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

export interface PageLog {
  errors: string[];
  requests: string[];
}

export function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(profileDir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1400, height: 1000 },
  });
}

/** A page that records console errors and aborts (and records) every request outside `allowed`. */
export async function recordedPage(context: BrowserContext, allowed: RegExp = /^(file|data|blob):/): Promise<{ page: Page; log: PageLog }> {
  const page = await context.newPage();
  const log: PageLog = { errors: [], requests: [] };
  page.on("console", (m) => { if (m.type() === "error") log.errors.push(m.text()); });
  page.on("pageerror", (e) => log.errors.push(String(e)));
  page.on("request", (r) => { if (!allowed.test(r.url())) log.requests.push(r.url()); });
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (allowed.test(url)) return route.continue();
    log.requests.push(url);
    return route.abort();
  });
  return { page, log };
}
