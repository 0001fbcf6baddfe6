import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { projectRoot } from './paths.ts';

/** Debian's Chromium (scripts/setup.sh --test installs it); nothing is downloaded. */
export const CHROMIUM = process.env.JIFANG_CHROMIUM ?? '/usr/bin/chromium';

/** Where page screenshots go: var/screenshots of the repository (ignored), or JIFANG_SCREENSHOTS. */
export const SCREENS_DIR = process.env.JIFANG_SCREENSHOTS ?? join(projectRoot, 'var', 'screenshots');

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (own cookies) and page; `lang` sets Accept-Language, `timezone` the computer's clock (IANA). */
  page(opts?: {
    lang?: string;
    timezone?: string;
    width?: number;
    height?: number;
    ignoreHTTPSErrors?: boolean;
  }): Promise<{ context: BrowserContext; page: Page }>;
  /** Saves a full-page PNG as SCREENS_DIR/NAME.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** Headless Chromium driven by playwright-core; page errors and failed console messages are collected. */
export async function launchBrowser(): Promise<TestBrowser & { pageErrors: string[] }> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: run "bash scripts/setup.sh --test" (apt-get install chromium)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const pageErrors: string[] = [];
  return {
    browser,
    pageErrors,
    page: async (o = {}) => {
      const context = await browser.newContext({
        locale: o.lang ?? 'en-US',
        extraHTTPHeaders: { 'Accept-Language': o.lang ?? 'en-US' },
        viewport: { width: o.width ?? 1280, height: o.height ?? 900 },
        ignoreHTTPSErrors: o.ignoreHTTPSErrors ?? false,
        ...(o.timezone ? { timezoneId: o.timezone } : {}),
      });
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(err.message));
      return { context, page };
    },
    screenshot: async (page, name) => {
      mkdirSync(SCREENS_DIR, { recursive: true });
      const file = join(SCREENS_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: () => browser.close(),
  };
}
