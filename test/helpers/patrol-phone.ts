import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { TestBrowser } from './browser.ts';
import { SCREENS_DIR } from './browser.ts';
import { sharedDir } from './paths.ts';

/** A real camera JPEG the officer "takes" through the file input. */
export const PHONE_PHOTO = join(sharedDir, 'plates', 'hyperlpr-test_img.jpg');

/** Counts what the page asked of the speaker and the vibration motor (the hooks a phone would act on). */
export const PHONE_HOOKS = `
  window.__chimes = 0; window.__vibrations = [];
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () { window.__chimes++; return play.call(this).catch(() => {}); };
  navigator.vibrate = (p) => { window.__vibrations.push(p); return true; };
`;

/** How often the page chimed and vibrated so far (counted by PHONE_HOOKS). */
export async function phoneHooks(page: Page): Promise<{ chimes: number; vibrations: number }> {
  return {
    chimes: await page.evaluate<number>('window.__chimes'),
    vibrations: await page.evaluate<number>('window.__vibrations.length'),
  };
}

/** An officer's phone: a 390×844 context with geolocation granted at `where` and the hooks, logged in on /patrol. */
export async function openPhone(
  browser: TestBrowser,
  url: string,
  login: { user: string; password: string; lang: string },
  where: { longitude: number; latitude: number; accuracy: number },
): Promise<{ context: BrowserContext; page: Page }> {
  const { context, page } = await browser.page({ lang: login.lang, width: 390, height: 844 });
  await context.grantPermissions(['geolocation'], { origin: url });
  await context.setGeolocation(where);
  await context.addInitScript(PHONE_HOOKS);
  await page.goto(`${url}/login`);
  await page.fill('#user', login.user);
  await page.fill('#password', login.password);
  await page.click('#login-submit');
  await page.waitForURL(`${url}/patrol`);
  await page.waitForSelector('header.bar');
  return { context, page };
}

/** From the open task on scene: outcome, a real camera JPEG through the file input, a note, done. */
export async function handleWithPhoto(page: Page, note: string): Promise<void> {
  await page.click('#outcome-corrected');
  await page.setInputFiles('#photo-input', PHONE_PHOTO);
  await page.waitForSelector('#photo-count[data-count="1"]');
  // Typed last: the tap on "done" that ends the typing counts.
  await page.fill('#note', note);
  await page.click('#act-handle');
}

/** What the officer sees: the phone's screen (the bottom bar is fixed, so a full-page picture would misplace it). */
export async function phoneShot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENS_DIR, `${name}.png`) });
}
