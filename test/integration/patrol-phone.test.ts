import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order, Unit } from '../../agent/src/center/patrol/schema.ts';
import type { PlanView } from '../../agent/src/center/patrol-plan.ts';
import type { Center } from '../../agent/src/center/service.ts';
import { alertSchema } from '../../agent/src/contract/alert.ts';
import type { Incident } from '../../agent/src/risk/incident.ts';
import { makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import type { TestBrowser } from '../helpers/browser.ts';
import { type CenterRig, startCenterRig } from '../helpers/center-rig.ts';
import { type CenterSession, signIn } from '../helpers/center-session.ts';
import type { Mosquitto } from '../helpers/mosquitto.ts';
import { handleWithPhoto, openPhone, phoneShot as shot } from '../helpers/patrol-phone.ts';
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
/** Team 2's area: 3 km east of the spot, clear of team 1's. */
const EAST = { lon: SPOT.lon + 3000 / 95_000, lat: SPOT.lat };
/** A square ring of half-width `d` degrees around a point, [lon, lat]. */
const square = (c: { lon: number; lat: number }, d: number): [number, number][] => [
  [c.lon - d, c.lat - d],
  [c.lon + d, c.lat - d],
  [c.lon + d, c.lat + d],
  [c.lon - d, c.lat + d],
];
const insideSquare = (p: { lon: number; lat: number }, c: { lon: number; lat: number }, d: number) =>
  Math.abs(p.lon - c.lon) <= d && Math.abs(p.lat - c.lat) <= d;
/** Patrol slots per unit and day (the risk plan's budget). */
const DAILY_SLOTS = 3;
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

/** How wide the page's content is (a row wider than the screen scrolls sideways). */
const pageWidth = () =>
  (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth;

/** What the page has fetched so far (scripts, styles, API): paths and decoded sizes. */
const loaded = () =>
  (globalThis as unknown as { performance: { getEntriesByType(t: string): { name: string; decodedBodySize: number }[] } }).performance
    .getEntriesByType('resource')
    .map((e) => ({ path: new URL(e.name).pathname, bytes: e.decodedBodySize }));

const centreSlots = () =>
  (globalThis as unknown as { document: { getElementById(id: string): { scrollIntoView(o: object): void } } }).document
    .getElementById('slots')
    .scrollIntoView({ block: 'center' });

const scrollToEnd = () => {
  const w = globalThis as unknown as { scrollTo(x: number, y: number): void; document: { body: { scrollHeight: number } } };
  w.scrollTo(0, w.document.body.scrollHeight);
};

describe("the patrol officer's phone page (mosquitto, SQLite, Chromium at 390×844)", () => {
  let rig: CenterRig;
  let broker: Mosquitto;
  let center: Center | undefined;
  let browser: TestBrowser & { pageErrors: string[] };
  let dispatcher: CenterSession;
  let box: mqtt.MqttClient;
  let alerts = 0;

  beforeAll(async () => {
    rig = await startCenterRig({
      name: 'center-phone',
      users: { dora: ['dispatcher', 'dispatcher-pass-1'], adam: ['admin', 'admin-pass-1'], pat: ['patrol', 'patrol-pass-1'] },
      config: { risk: { dailyBudget: DAILY_SLOTS } },
    });
    ({ broker, browser, center } = rig);
    const admin = await signIn(center.url, 'adam', 'admin-pass-1');
    const ring = square(SPOT, 0.01);
    const put = await admin.json('PUT', '/api/units/team-1', {
      name: '城管一中队',
      kind: 'team',
      members: ['pat'],
      area: [ring],
      duty: [],
    });
    expect(put.status).toBeLessThan(300);
    const other = await admin.json('PUT', '/api/units/team-2', {
      name: '城管二中队',
      kind: 'team',
      members: [],
      area: [square(EAST, 0.01)],
      duty: [],
    });
    expect(other.status).toBeLessThan(300);
    await center.store.incidents.saveIncidents(seededIncidents(), Date.now());
    dispatcher = await signIn(center.url, 'dora', 'dispatcher-pass-1');
    box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `jifang-${site}-box` });
  }, 120_000);

  afterAll(async () => {
    await box?.endAsync();
    await rig?.close();
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
    // The task opens from the phone's copy; its map needs the network and says so, then draws when it returns.
    await page.click(`[data-order="${id}"]`);
    expect(await page.textContent('#phone-map')).toBe('Offline: the map shows when the network returns');

    await context.setOffline(false);
    await page.waitForSelector('#phone-map[data-ready="1"] .mappoint.spot', { timeout: 30_000 });
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
    // The rule in Chinese, not the box's English sentence.
    expect(await page.textContent('.fact.rule .value')).toBe('违法停车：机动车在区域内静止停放 15 秒以上');
    // Scrolled to the end, the task's last line is above the fixed bottom bar, not under it.
    // Measured again until both are on the page: a live update may redraw the task between the two reads.
    await expect
      .poll(async () => {
        await page.evaluate(scrollToEnd);
        const last = await page.locator('.task > :last-child').boundingBox();
        const bar = await page.locator('footer.bottom').boundingBox();
        return last && bar ? last.y + last.height - bar.y : Number.NaN;
      })
      .toBeLessThanOrEqual(0);
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

  it("shows his unit's patrol slots, when, where and why, in Chinese at 390 px; not another unit's", async () => {
    const pat = await signIn(center!.url, 'pat', 'patrol-pass-1');
    const mine = (await pat.json<PlanView>('GET', '/api/patrol/slots?days=2')).body;
    expect(mine.areas).toEqual(['team-1']);
    const ahead = mine.slots.filter((s) => s.end > Date.now());
    expect(ahead.length).toBeGreaterThan(0);
    const theirs = (await dispatcher.json<PlanView>('GET', '/api/plan?area=team-2&days=2&budget=6')).body.slots;
    expect(theirs.length).toBeGreaterThan(0);

    const { page } = await officer('zh-CN');
    await page.waitForSelector('#slots li.slot', { timeout: 30_000 });
    expect(await page.textContent('#slots h2')).toBe('巡查时段（本中队）');
    const shown = await page.$$eval('#slots li.slot', (li) =>
      li.map((l) => ({
        lat: Number(l.getAttribute('data-lat')),
        lon: Number(l.getAttribute('data-lon')),
        when: l.querySelector('.slot-when')!.textContent!,
        where: l.querySelector('.slot-where')!.textContent!,
        why: l.querySelector('.slot-why')!.textContent!,
      })),
    );
    // Today's and tomorrow's still ahead, each inside his unit's area; none of team 2's.
    expect(shown).toHaveLength(ahead.length);
    for (const s of shown) {
      expect(insideSquare(s, SPOT, 0.01)).toBe(true);
      expect(theirs.some((x) => x.centre.lat === s.lat && x.centre.lon === s.lon)).toBe(false);
      expect(s.when).toMatch(/^(今天|明天) \d\d:\d\d–\d\d:\d\d/);
      // Where from him (his fix is 250 m south of the spot) and why, in Chinese.
      expect(s.where).toMatch(/^(向北|东北方向|西北方向|向东|向西|东南方向|西南方向|向南) \d+ m$/);
      expect(s.why).toMatch(/^预计 \d+(\.\d)? 起/);
    }
    // Readable on the phone: nothing wider than the screen.
    expect(await page.evaluate(pageWidth)).toBeLessThanOrEqual(390);
    // The list opened without the map library: its scripts are small, and MapLibre's chunk and worker were not fetched.
    const before = await page.evaluate(loaded);
    const scripts = before.filter((r) => r.path.endsWith('.js'));
    expect(scripts.reduce((n, r) => n + r.bytes, 0)).toBeLessThan(150_000);
    expect(scripts.some((r) => r.path.includes('maplibre'))).toBe(false);

    // The slots on the map (MapLibre on the center's plain basemap: this city has no tiles), a tap away.
    await page.click('#slots-map');
    await page.waitForSelector(`#phone-map[data-ready="1"][data-slots="${shown.length}"]`, { timeout: 30_000 });
    await page.waitForSelector('#phone-map .mappoint.me');
    const fetched = (await page.evaluate(loaded)).filter((r) => !before.some((b) => b.path === r.path));
    expect(fetched.some((r) => r.path.startsWith('/assets/chunk-') && r.bytes > 500_000)).toBe(true);

    // A task's map: the spot and the officer, who is 250 m south of it (below it on the screen).
    const { orderId } = await dispatchOrder();
    await page.waitForSelector(`#task-${orderId}`, { timeout: 10_000 });
    await page.waitForSelector('#phone-map .mappoint.spot');
    const spotBox = await page.locator('#phone-map .mappoint.spot').boundingBox();
    const meBox = await page.locator('#phone-map .mappoint.me').boundingBox();
    expect(meBox!.y).toBeGreaterThan(spotBox!.y + 10);
    const mapBox = await page.locator('#phone-map').boundingBox();
    for (const b of [spotBox!, meBox!]) expect(b.y >= mapBox!.y && b.y + b.height <= mapBox!.y + mapBox!.height).toBe(true);
    await page.click('#back');
    await page.waitForSelector(`#tasks [data-order="${orderId}"]`);
    await page.waitForSelector('#slots li.slot');
    // The picture: the map folded away, the slots in the middle of the screen with the last tasks above them.
    await page.click('#slots-map');
    await page.waitForSelector('#phone-map', { state: 'detached' });
    await page.evaluate(centreSlots);
    await shot(page, 'patrol-phone-slots-zh');
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);

  async function fetchPhoto(orderId: string, photoId: string): Promise<Buffer> {
    const r = await fetch(`${center!.url}/api/orders/${orderId}/photos/${photoId}`, { headers: { Cookie: dispatcher.cookie } });
    expect(r.status).toBe(200);
    return Buffer.from(await r.arrayBuffer());
  }
});

/**
 * Five weeks of street-vending reports at two hot spots, every hour of the day: 300 m north of the spot (team 1's
 * area) and in team 2's area, for the risk plan to place slots in both.
 */
function seededIncidents(): Incident[] {
  const hot = [
    { lon: SPOT.lon, lat: SPOT.lat + 300 / 111_195 },
    { lon: EAST.lon, lat: EAST.lat },
  ];
  const now = Date.now();
  return Array.from({ length: 35 * 12 }, (_, i) => ({
    time: now - (i + 1) * 2 * 3_600_000,
    offsetMinutes: 480,
    ...hot[i % 2],
    category: 'street_vending',
    source: 'phone-test',
    sourceId: `inc-${i}`,
  }));
}
