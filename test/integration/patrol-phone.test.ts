import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCenterConfig } from '../../agent/src/center/config.ts';
import type { Order, Unit } from '../../agent/src/center/patrol/schema.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { alertSchema } from '../../agent/src/contract/alert.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { type CenterSession, signIn } from '../helpers/center-session.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { handleWithPhoto, openPhone, phoneShot as shot } from '../helpers/patrol-phone.ts';
import { freePort } from '../helpers/ports.ts';
import { until } from '../helpers/until.ts';

/**
 * The officer's phone page against a real center (mosquitto, SQLite) in headless Chromium at 390×844 with its
 * geolocation emulated: log in, go on duty, a dispatched order arrives live (chime and vibration), accept, arrive
 * within the fence, handled with a real JPEG through the file input, online and through a dead zone.
 */
const SPOT = { lon: 121.4738, lat: 31.2305 };
/** 250 m south of the spot: outside the 50 m fence. */
const AWAY = { longitude: SPOT.lon, latitude: SPOT.lat - 250 / 111_195, accuracy: 8 };
/** The n-th alert's spot: 150 m apart, so that no alert joins another's open order (mergeMeters). */
const spotOf = (n: number) => ({ lon: SPOT.lon + (n * 150) / 95_000, lat: SPOT.lat });
/** 10 m east of a spot: inside the fence. */
const atSpot = (s: { lon: number; lat: number }) => ({ longitude: s.lon + 10 / 95_000, latitude: s.lat, accuracy: 8 });
const site = 'phone-box';
const STREET_VENDING = {
  id: 'street_vending',
  name: '占道经营',
  nameEn: 'Street vending (occupying the road)',
  standard: 'GB/T 47678.5-2026',
  code: '09006',
  catalogueVersion: 'test',
};

/** The page's service worker controls it (asked by page.evaluate: the page's CSP forbids the eval a string predicate needs). */
const swControls = () =>
  (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator.serviceWorker.controller !== null;

describe("the patrol officer's phone page (mosquitto, SQLite, Chromium at 390×844)", () => {
  let dir: string;
  let broker: Mosquitto;
  let center: Center | undefined;
  let browser: TestBrowser & { pageErrors: string[] };
  let dispatcher: CenterSession;
  let box: mqtt.MqttClient;
  let alerts = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-patrol-phone-'));
    broker = await startMosquitto({ persistence: false, dir: mkdtempSync(join(dir, 'mq-')) });
    browser = await launchBrowser();
    const users = join(dir, 'users');
    await setPassword(users, 'dora', 'dispatcher', 'dispatcher-pass-1');
    await setPassword(users, 'adam', 'admin', 'admin-pass-1');
    await setPassword(users, 'pat', 'patrol', 'patrol-pass-1');
    const cfg = parseCenterConfig(
      {
        mqtt: { url: broker.url, clientId: 'center-phone' },
        storage: { kind: 'sqlite', path: join(dir, 'center.db') },
        http: { port: await freePort() },
        users,
      },
      'center-phone.yaml',
      dir,
    );
    center = await startCenter(cfg, silentLogger);
    const admin = await signIn(center.url, 'adam', 'admin-pass-1');
    const ring: [number, number][] = [
      [SPOT.lon - 0.01, SPOT.lat - 0.01],
      [SPOT.lon + 0.01, SPOT.lat - 0.01],
      [SPOT.lon + 0.01, SPOT.lat + 0.01],
      [SPOT.lon - 0.01, SPOT.lat + 0.01],
    ];
    const put = await admin.json('PUT', '/api/units/team-1', {
      name: '城管一中队',
      kind: 'team',
      members: ['pat'],
      area: [ring],
      duty: [],
    });
    expect(put.status).toBeLessThan(300);
    const other = await admin.json('PUT', '/api/units/team-2', { name: '城管二中队', kind: 'team', members: [], area: [], duty: [] });
    expect(other.status).toBeLessThan(300);
    dispatcher = await signIn(center.url, 'dora', 'dispatcher-pass-1');
    box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `jifang-${site}-box` });
  }, 120_000);

  afterAll(async () => {
    await box?.endAsync();
    await center?.close();
    await browser?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A box's alert at the spot (with its snapshot), made an order by the dispatcher and sent to the officer's unit. */
  async function dispatchOrder(): Promise<{ orderId: string; spot: { lon: number; lat: number } }> {
    const id = `ev-phone-${++alerts}`;
    const spot = spotOf(alerts);
    const jpeg = await streetJpeg();
    const alert = alertSchema.parse({
      ...makeAlert({ site, camera: 'cam-1', id, seq: 0, state: 'started', jpeg, type: 'street_vending', ...spot }),
      category: STREET_VENDING,
    });
    await box.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 });
    await box.publishAsync(`jifang/v1/${site}/cam-1/events`, JSON.stringify(alert), { qos: 1 });
    await until(async () => (await dispatcher.json('GET', `/api/events/${id}?site=${site}`)).status === 200);
    const opened = await dispatcher.json<{ order: Order }>('POST', '/api/orders', { events: [{ site, id }] });
    expect(opened.status).toBeLessThan(300);
    const orderId = opened.body.order.id;
    const sent = await dispatcher.json('POST', `/api/orders/${orderId}/transition`, {
      action: 'dispatch',
      unitId: 'team-1',
      clientId: randomUUID(),
    });
    expect(sent.status).toBe(200);
    return { orderId, spot };
  }

  const order = async (id: string) => (await dispatcher.json<Order>('GET', `/api/orders/${id}`)).body;

  const officer = (lang: string) => openPhone(browser, center!.url, { user: 'pat', password: 'patrol-pass-1', lang }, AWAY);

  it('log in, on duty, a task arrives live with chime and vibration, accept, arrived in the fence, handled with a photo, done', async () => {
    const { page } = await officer('en-US');
    await page.waitForSelector('#live.on', { timeout: 20_000 });
    await page.waitForSelector('body[data-duty="off"]');
    await page.click('#duty');
    await page.waitForSelector('body[data-duty="on"]');
    const units = await dispatcher.json<{ units: Unit[] }>('GET', '/api/units');
    expect(units.body.units.find((u) => u.id === 'team-1')?.status).toBe('available');
    // On duty, the phone reports where it is (at once, then every patrol.phone.positionIntervalSeconds).
    await until(async () => {
      const u = (await dispatcher.json<{ units: Unit[] }>('GET', '/api/units')).body.units.find((x) => x.id === 'team-1');
      return u?.position !== undefined && Math.abs(u.position.lat - AWAY.latitude) < 1e-6 && u.position.accuracyM === 8;
    });

    const { orderId: id, spot } = await dispatchOrder();
    // It opens by itself: the first tap is "accept".
    await page.waitForSelector(`#task-${id}[data-state="dispatched"]`, { timeout: 10_000 });
    expect(await page.evaluate<number>('window.__chimes')).toBeGreaterThanOrEqual(1);
    expect(await page.evaluate<number>('window.__vibrations.length')).toBeGreaterThanOrEqual(1);
    await page.waitForSelector('#evidence');
    expect(await page.textContent('.fact.category .value')).toBe('Street vending (occupying the road) · 09006');
    expect(await page.textContent('.fact.rule .value')).toContain('kerb zone');
    expect(await page.getAttribute('#nav-amap', 'href')).toContain('coordinate=gaode');
    await shot(page, 'patrol-phone-task-en');

    await page.click('#act-accept');
    await page.waitForSelector('#act-arrive.muted');
    await until(async () => (await order(id)).state === 'accepted');
    await page.context().setGeolocation(atSpot(spot));
    await page.waitForSelector('#act-arrive.suggested', { timeout: 10_000 });
    await page.click('#act-arrive');
    await page.waitForSelector(`#task-${id}[data-state="on_scene"]`);
    await handleWithPhoto(page, 'stall moved off the pavement');
    await until(async () => (await order(id)).state === 'handled');
    await page.waitForSelector('#outbox', { state: 'detached' });

    const done = await order(id);
    expect(done.outcome).toBe('corrected');
    expect(done.transitions!.find((t) => t.action === 'handle')?.note).toBe('stall moved off the pavement');
    expect(done.photos).toHaveLength(1);
    expect(done.transitions!.filter((t) => t.by === 'pat').map((t) => t.action)).toEqual(['accept', 'arrive', 'handle']);
    const arrive = done.transitions!.find((t) => t.action === 'arrive')!;
    expect(arrive.where!.lat).toBeCloseTo(atSpot(spot).latitude, 5);
    const photo = await fetchPhoto(id, done.photos[0]);
    const meta = await sharp(photo).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1600);
    await shot(page, 'patrol-phone-handled-en');
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);

  it('handled with a photo in a dead zone (offline): kept across a reload, sent once and in order when the network returns', async () => {
    const { context, page } = await officer('en-US');
    await page.waitForSelector('#live.on', { timeout: 20_000 });
    // The service worker has the shell before the signal goes.
    await until(() => page.evaluate(swControls), 20_000);
    const { orderId: id, spot } = await dispatchOrder();
    await page.waitForSelector(`#task-${id}[data-state="dispatched"]`, { timeout: 10_000 });
    await context.setGeolocation(atSpot(spot));
    await page.click('#act-accept');
    await page.waitForSelector('#act-arrive.suggested', { timeout: 10_000 });
    await page.click('#act-arrive');
    await until(async () => (await order(id)).state === 'on_scene');

    await context.setOffline(true);
    await page.waitForSelector(`#task-${id}[data-state="on_scene"]`);
    await handleWithPhoto(page, 'stall moved off the pavement');
    await page.waitForSelector('#outbox[data-count="2"]');
    await page.waitForSelector('#live.off');
    await shot(page, 'patrol-phone-offline-en');

    await page.reload();
    await page.waitForSelector('#outbox[data-count="2"]', { timeout: 15_000 });
    expect(await page.$$eval('#outbox li', (li) => li.map((l) => l.getAttribute('data-kind')))).toEqual(['photo', 'transition']);
    expect((await order(id)).state).toBe('on_scene');

    await context.setOffline(false);
    await page.waitForSelector('#outbox', { state: 'detached', timeout: 60_000 });
    const done = await order(id);
    expect(done.state).toBe('handled');
    expect(done.photos).toHaveLength(1);
    expect(done.transitions!.filter((t) => t.action === 'handle')).toHaveLength(1);
    expect(done.transitions!.map((t) => t.action).slice(-3)).toEqual(['accept', 'arrive', 'handle']);
  }, 180_000);

  it('an action the center refuses after the dead zone (the order was sent to another unit meanwhile) is shown, not retried', async () => {
    const { context, page } = await officer('en-US');
    await page.waitForSelector('#live.on', { timeout: 20_000 });
    const { orderId: id } = await dispatchOrder();
    await page.waitForSelector(`#task-${id}[data-state="dispatched"]`, { timeout: 10_000 });
    await context.setOffline(true);
    await page.click('#act-accept');
    await page.waitForSelector('#outbox[data-count="1"]');
    const moved = await dispatcher.json('POST', `/api/orders/${id}/transition`, {
      action: 'dispatch',
      unitId: 'team-2',
      clientId: randomUUID(),
    });
    expect(moved.status).toBe(200);

    await context.setOffline(false);
    await page.waitForSelector('#outbox li.refused', { timeout: 60_000 });
    expect(await page.textContent('#outbox li.refused')).toContain('refused by the center');
    // Gone from his list: it is another unit's now.
    await page.waitForSelector(`#task-${id}`, { state: 'detached' });
    expect(await page.$(`[data-order="${id}"]`)).toBeNull();
    const o = await order(id);
    expect(o).toMatchObject({ state: 'dispatched', unit: 'team-2' });
    expect(o.transitions!.some((t) => t.by === 'pat')).toBe(false);
    await page.click('#outbox .dismiss');
    await page.waitForSelector('#outbox', { state: 'detached' });
  }, 120_000);

  it('is installable: manifest and icons without a session, and its service worker opens the page offline', async () => {
    const res = await fetch(`${center!.url}/assets/patrol.webmanifest`);
    expect(res.status).toBe(200);
    const manifest = (await res.json()) as { start_url: string; scope: string; display: string; icons: { src: string; sizes: string }[] };
    expect(manifest).toMatchObject({ start_url: '/patrol', scope: '/patrol', display: 'standalone' });
    for (const icon of manifest.icons) {
      const png = Buffer.from(await (await fetch(`${center!.url}${icon.src}`)).arrayBuffer());
      const meta = await sharp(png).metadata();
      expect(`${meta.width}x${meta.height}`).toBe(icon.sizes);
    }
    const { context, page } = await officer('en-US');
    // The chime is a sound the phone's browser decodes (two tones, about half a second).
    const seconds = await page.evaluate<number>(
      "fetch('/assets/patrol-chime.wav').then((r) => r.arrayBuffer()).then((b) => new AudioContext().decodeAudioData(b)).then((a) => a.duration)",
    );
    expect(seconds).toBeGreaterThan(0.4);
    expect(seconds).toBeLessThan(1);
    await until(() => page.evaluate(swControls), 20_000);
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('header.bar #live.off', { timeout: 15_000 });
    expect(await page.textContent('#live')).toContain('offline');
    await shot(page, 'patrol-phone-offline-shell-en');
    await context.setOffline(false);
  }, 120_000);

  it('speaks Chinese: the task, the outcomes and the bottom actions', async () => {
    // Off duty since the tests before (the officer's own session from a script, as another phone of his would).
    const pat = await signIn(center!.url, 'pat', 'patrol-pass-1');
    expect((await pat.json('POST', '/api/patrol/duty', { onDuty: false })).status).toBe(200);
    const { page } = await officer('zh-CN');
    await page.waitForSelector('body[data-duty="off"]', { timeout: 20_000 });
    expect(await page.textContent('#duty-state')).toBe('未在岗');
    await page.click('#duty');
    await page.waitForSelector('body[data-duty="on"]');
    expect(await page.textContent('#duty-state')).toBe('在岗');
    const { orderId: id } = await dispatchOrder();
    await page.waitForSelector(`#task-${id}`, { timeout: 10_000 });
    await page.waitForSelector('#evidence');
    expect(await page.textContent('#act-accept')).toBe('接单');
    expect(await page.textContent('#task-state')).toBe('待接单');
    expect(await page.textContent('.fact.category .value')).toBe('占道经营 · 09006');
    expect(await page.textContent('#nav-amap')).toBe('高德地图');
    expect(await page.textContent('#nav-baidu')).toBe('百度地图');
    await page.click('#act-accept');
    await page.click('#act-arrive');
    await page.waitForSelector('#outcome-corrected');
    expect(await page.textContent('#outcome-corrected')).toBe('当场整改');
    expect(await page.textContent('#outcome-referred')).toBe('移交他部门');
    expect(await page.textContent('#act-handle')).toBe('处置完成');
    await shot(page, 'patrol-phone-task-zh');

    // Another task while this one is open: chimed, and one tap away.
    const chimes = await page.evaluate<number>('window.__chimes');
    const { orderId: next } = await dispatchOrder();
    await page.waitForSelector('#new-task', { timeout: 10_000 });
    expect(await page.textContent('#new-task')).toBe('新任务');
    expect(await page.evaluate<number>('window.__chimes')).toBe(chimes + 1);
    await page.click('#new-task');
    await page.waitForSelector(`#task-${next}[data-state="dispatched"]`);
  }, 120_000);

  async function fetchPhoto(orderId: string, photoId: string): Promise<Buffer> {
    const r = await fetch(`${center!.url}/api/orders/${orderId}/photos/${photoId}`, { headers: { Cookie: dispatcher.cookie } });
    expect(r.status).toBe(200);
    return Buffer.from(await r.arrayBuffer());
  }
});
