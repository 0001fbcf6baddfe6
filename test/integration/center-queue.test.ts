import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Center } from '../../agent/src/center/service.ts';
import type { PresentedEvent } from '../../agent/src/center/wire.ts';
import { centerCategories } from '../../agent/src/cli/center-categories.ts';
import type { Alert } from '../../agent/src/contract/alert.ts';
import { labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import type { TestBrowser } from '../helpers/browser.ts';
import { type CenterRig, startCenterRig } from '../helpers/center-rig.ts';
import { type CenterSession, signIn, signInPage } from '../helpers/center-session.ts';
import type { Mosquitto } from '../helpers/mosquitto.ts';

/**
 * The operator's queue on a busy street, all real: mosquitto, `jifang center` on SQLite, headless Chromium, and a
 * simulated box publishing contract alerts (with their snapshots) as a box does. A loitering crowd is one grouped row;
 * a new alert reaches the tab title and the desktop-notification hook; the queue is worked by keyboard; the layout
 * fits a laptop and a phone; the archive is searched on the server by plate and by date range, page by page.
 */
/** What the page-side functions below touch, typed here: the Node program is compiled without the DOM library. */
interface El {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  getBoundingClientRect(): { right: number; width: number };
  naturalWidth: number;
}
interface Doc {
  title: string;
  activeElement: El | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  getElementById(id: string): El | null;
  querySelector(sel: string): El | null;
}
type Win = { document: Doc; shownNotifications: { title: string; body?: string; tag?: string }[]; Notification: unknown };

const site = 'queue-box';
let broker: Mosquitto;
let center: Center | undefined;
let browser: TestBrowser & { pageErrors: string[] };
let box: MqttClient;
let api: CenterSession;

/** Publishes one alert (and its snapshot) as the box would; `shape` changes the contract's fields. */
async function publish(o: { id: string; camera?: string; at?: number; shape?: (a: Alert) => Alert }): Promise<Alert> {
  const jpeg = labelledJpeg(await streetJpeg(), o.id);
  const base = makeAlert({ site, camera: o.camera ?? 'cam-1', id: o.id, seq: 0, state: 'started', jpeg, ...(o.at ? { at: o.at } : {}) });
  const alert = o.shape ? o.shape(base) : base;
  await box.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 });
  await box.publishAsync(`jifang/v1/${site}/${alert.camera}/events`, JSON.stringify(alert), { qos: 1 });
  return alert;
}

const loitering = (a: Alert): Alert => ({
  ...a,
  type: 'loitering',
  zone: 'square',
  zoneName: 'Square',
  rule: { id: 'square-loiter', type: 'loitering', description: 'A person stays in the square for 60 s.', parameters: {} },
});
const withPlate =
  (plate: string) =>
  (a: Alert): Alert => ({
    ...a,
    objects: a.objects.map((o) => ({ ...o, plate: { text: plate, colour: 'blue', rows: 1, confidence: 0.93, reads: 4 } })),
  });

async function archived(n: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await center!.store.counts()).events >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the center archived ${(await center!.store.counts()).events} events, expected ${n}`);
}

/** The desktop notification API is replaced by a fake that records what the page asks it to show (headless has none). */
const FAKE_NOTIFICATION = () => {
  const shown: { title: string; body?: string; tag?: string }[] = [];
  (globalThis as unknown as Win).shownNotifications = shown;
  class FakeNotification {
    static permission = 'granted';
    static requestPermission = async () => 'granted';
    onclick: (() => void) | null = null;
    constructor(title: string, o?: { body?: string; tag?: string }) {
      shown.push({ title, body: o?.body, tag: o?.tag });
    }
    close() {}
  }
  (globalThis as unknown as Win).Notification = FakeNotification;
};

async function login(o: { width?: number; height?: number; lang?: string } = {}): Promise<Page> {
  const { page } = await browser.page(o);
  await page.addInitScript(FAKE_NOTIFICATION);
  await signInPage(page, center!.url, 'olga', 'operator-pass-1');
  await page.waitForSelector('#live.on', { timeout: 30_000 });
  await page.waitForSelector('main[aria-busy="false"]');
  return page;
}

let rig: CenterRig;

beforeAll(async () => {
  rig = await startCenterRig({
    name: 'center-queue',
    users: { olga: ['operator', 'operator-pass-1'] },
    // The catalogue, as `jifang center` passes it: the pages name event types as the user reads them.
    options: { categories: centerCategories() },
  });
  ({ broker, browser, center } = rig);
  box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `jifang-${site}-box` });
  api = await signIn(center.url, 'olga', 'operator-pass-1');
}, 120_000);

afterAll(async () => {
  await box?.endAsync();
  await rig?.close();
});

describe('the operator queue copes with a busy street (mosquitto, SQLite, Chromium, a simulated box)', () => {
  it('a loitering crowd is one grouped row with its count; a new alert reaches the tab title and the fake Notification', async () => {
    const page = await login();
    const title = await page.title();
    await publish({ id: 'parked-1', camera: 'cam-2' });
    await page.waitForSelector('#queue tr[data-event-id="parked-1"]');
    for (let i = 1; i <= 9; i++) await publish({ id: `crowd-${i}`, shape: loitering });
    await archived(10);

    await page.waitForSelector('#queue tr.group[data-count="9"]', { timeout: 15_000 });
    expect(await page.locator('#queue tbody tr').count()).toBe(2);
    expect(await page.textContent('#queue tr.group')).toContain('9 alerts');
    expect(await page.title()).toBe(`(10) ${title}`);
    const shown = await page.evaluate(() => (globalThis as unknown as Win).shownNotifications);
    expect(shown.length).toBe(10);
    expect(shown.filter((n) => n.title === 'New alert: Loitering').length).toBe(9);
    // The crowd's notices share one tag: the desktop shows one, replaced, not nine stacked.
    expect(new Set(shown.filter((n) => n.title === 'New alert: Loitering').map((n) => n.tag)).size).toBe(1);

    await page.click('#queue tr.group button.group-count');
    await page.waitForSelector('#queue tr.member');
    expect(await page.locator('#queue tr.member').count()).toBe(8);
    await browser.screenshot(page, 'center-queue-grouped');

    // Opening one reads it: the title counts one fewer.
    await page.click('#queue tr[data-event-id="parked-1"]');
    await page.waitForFunction((t) => (globalThis as unknown as Win).document.title === `(9) ${t}`, title);

    // The tone can be muted, and stays muted in this browser after a reload.
    expect(await page.textContent('#alert-mute')).toBe('Sound: on');
    await page.click('#alert-mute');
    await page.waitForSelector('#alert-mute[aria-pressed="true"]');
    await page.reload();
    await page.waitForSelector('#alert-mute[aria-pressed="true"]');
    expect(await page.textContent('#alert-mute')).toBe('Sound: off');
    await page.close();
  }, 120_000);

  it('the queue opens an alert by keyboard: ↓ to the next row, Enter opens it, → expands a group', async () => {
    const page = await login();
    await page.waitForSelector('#queue tr.group');
    await page.focus('#queue tbody tr:first-child');
    const second = await page.getAttribute('#queue tbody tr:nth-child(2)', 'data-event-id');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (id) => (globalThis as unknown as Win).document.querySelector('#detail p.muted')?.textContent?.startsWith(`${id} ·`),
      second,
    );
    expect(new URL(page.url()).searchParams.get('event')).toBe(second);
    // The focus stays on the opened row across the redraw, so the operator goes on with the keyboard.
    expect(await page.evaluate(() => (globalThis as unknown as Win).document.activeElement?.dataset.eventId)).toBe(second);

    await page.focus('#queue tr.group');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#queue tr.member');
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('#queue tr.member', { state: 'detached' });
    await page.close();
  }, 120_000);

  for (const [name, size] of [
    ['a 1366×768 laptop', { width: 1366, height: 768 }],
    ['a 1366×768 laptop at 200 % zoom', { width: 683, height: 384 }],
    ['a 390×844 phone', { width: 390, height: 844 }],
  ] as const) {
    it(`no horizontal scroll on ${name}, an alert open with its picture, in Chinese`, async () => {
      const page = await login({ ...size, lang: 'zh-CN' });
      await page.waitForSelector('#queue tr.group');
      await page.click('#queue tr.group');
      await page.waitForSelector('#detail .pictures img.snapshot');
      const widths = await page.evaluate(() => {
        const d = (globalThis as unknown as Win).document;
        return {
          scroll: d.documentElement.scrollWidth,
          client: d.documentElement.clientWidth,
          queue: d.getElementById('queue')!.getBoundingClientRect().right,
        };
      });
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      expect(widths.queue).toBeLessThanOrEqual(widths.client);
      // The types in the standard's Chinese words, no box identifier.
      expect(await page.textContent('#queue tr.group .type')).toContain('人员徘徊');
      expect(await page.textContent('#queue')).not.toMatch(/loitering|illegal_parking/);
      await browser.screenshot(page, `center-queue-${size.width}x${size.height}-zh`);
      await page.close();
    }, 120_000);
  }

  it('opens the snapshot large, the objects listed beside it, and closes it with Escape', async () => {
    const page = await login();
    await page.click('#queue tr[data-event-id="parked-1"]');
    await page.click('#detail button.enlarge');
    await page.waitForSelector('#snapshot-large[open] img');
    const size = await page.evaluate(() => {
      const img = (globalThis as unknown as Win).document.querySelector('#snapshot-large img')!;
      return { shown: img.getBoundingClientRect().width, natural: img.naturalWidth };
    });
    expect(size.shown).toBe(size.natural);
    expect(await page.textContent('#snapshot-objects')).toContain('car 81% #3');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#snapshot-large', { state: 'detached' });
    await page.close();
  }, 120_000);
});

describe('the archive is searched on the server (plate, address, id, date range, paging)', () => {
  const day = Date.parse('2026-03-02T08:00:00Z');
  const ids = Array.from({ length: 30 }, (_, i) => `arch-${String(i).padStart(2, '0')}`);
  /** Started at 08:00 + i hours − 15 s (the simulated event's start is 15 s before `at`). */
  const at = (i: number) => day + i * 3_600_000;

  beforeAll(async () => {
    const before = (await center!.store.counts()).events;
    for (const [i, id] of ids.entries())
      await publish({
        id,
        at: at(i),
        // One camera named as its box's installer named it: what an operator searches by.
        shape:
          i % 4 === 0
            ? withPlate(`沪B7${String(i).padStart(4, '0')}`)
            : i === 5
              ? (a) => ({ ...a, cameraName: '南京西路东口' })
              : undefined,
      });
    await archived(before + ids.length);
  }, 120_000);

  type Page_ = { events: PresentedEvent[]; total: number; page: number; pageSize: number };
  const search = (q: string) => api.json<Page_ & { error?: string }>('GET', `/api/events/search?${q}`);

  it('by plate: exactly the events whose plate holds the text', async () => {
    const got = await search(`plate=${encodeURIComponent('沪b7')}`);
    expect(got.status).toBe(200);
    expect(got.body.total).toBe(8);
    expect(got.body.events.map((e) => e.id).sort()).toEqual(ids.filter((_, i) => i % 4 === 0));
    expect(got.body.events.every((e) => e.plate?.startsWith('沪B7'))).toBe(true);
  });

  it('by date range, page after page: each seeded row once, newest first, and no other', async () => {
    const since = new Date(at(10) - 60_000).toISOString();
    const until = new Date(at(21) - 60_000).toISOString();
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const got = await search(`since=${since}&until=${until}&pageSize=4&page=${page}`);
      expect(got.status).toBe(200);
      expect(got.body.total).toBe(11);
      seen.push(...got.body.events.map((e) => e.id));
    }
    expect(seen).toEqual(ids.slice(10, 21).reverse());
    const past = await search(`since=${since}&until=${until}&pageSize=4&page=4`);
    expect(past.body.events).toEqual([]);
  });

  it('a bad query is refused with 400 naming the field', async () => {
    for (const [q, field] of [
      ['pageSize=0', 'pageSize'],
      ['since=yesterday', 'since'],
      ['plat=x', 'plat'],
      [`since=${new Date(day).toISOString()}&until=${new Date(day - 1).toISOString()}`, 'until'],
    ]) {
      const got = await search(q);
      expect(got.status, q).toBe(400);
      expect(JSON.stringify(got.body), q).toContain(field);
    }
  });

  it('the search form finds by id, camera name and address on the server and pages through the result', async () => {
    const page = await login();
    await page.fill('#search-q', 'arch-1');
    await page.click('#search-go');
    await page.waitForSelector('#search-results');
    expect(await page.textContent('#search-count')).toContain('10 found, page 1 of 1');
    const shown = await page.locator('#search-results tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-id')));
    expect(shown.sort()).toEqual(ids.filter((id) => id.startsWith('arch-1')));

    // By the camera's name: the one event its box named so, the name shown in its row.
    await page.fill('#search-q', '南京西路');
    await page.click('#search-go');
    await page.waitForFunction(() =>
      (globalThis as unknown as Win).document.getElementById('search-count')?.textContent?.includes('1 found'),
    );
    expect(await page.locator('#search-results tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-id')))).toEqual([
      'arch-05',
    ]);
    expect(await page.textContent('#search-results tr[data-event-id="arch-05"] .seen-at')).toBe('南京西路东口 / Kerb');

    await page.fill('#search-q', 'Demo Street');
    await page.click('#search-go');
    await page.waitForFunction(() =>
      (globalThis as unknown as Win).document.getElementById('search-count')?.textContent?.includes('page 1 of 2'),
    );
    await page.click('#search-next');
    await page.waitForFunction(() =>
      (globalThis as unknown as Win).document.getElementById('search-count')?.textContent?.includes('page 2 of 2'),
    );
    await page.click('#search-results tbody tr:first-child');
    await page.waitForSelector('#detail h2');
    await page.click('#search-close');
    await page.waitForSelector('#queue');
    expect(browser.pageErrors).toEqual([]);
    await page.close();
  }, 120_000);
});
