import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCenterConfig } from '../../agent/src/center/config.ts';
import type { Order, Unit } from '../../agent/src/center/patrol/schema.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { centerCategories } from '../../agent/src/cli/center-categories.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { type LonLat, wgs84ToGcj02 } from '../../agent/src/geo/gcj02.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { makeAlert } from '../helpers/box-simulator.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { incoming } from '../helpers/center-archive.ts';
import { signedInApi } from '../helpers/center-session.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { freePort } from '../helpers/ports.ts';
import { GROUND, LANDMARK, rasterTiles, writeMbtiles, writePmtiles, type XyzTile } from '../helpers/tile-files.ts';

/**
 * The dispatch map on a real offline basemap, all real: `jifang center` on SQLite serving a tiny MBTiles or PMTiles
 * file made here (PNG tiles drawn with sharp, a landmark square where the tiles put the alert's spot), mosquitto,
 * headless Chromium with MapLibre on WebGL2. The alert's marker must sit on the landmark: on WGS-84 tiles as it is,
 * on GCJ-02 tiles shifted (a few hundred metres, over a hundred pixels at this zoom). No request leaves the center.
 */
const SPOT: LonLat = [121.4745, 31.231];
const VIEW = { lon: 121.4745, lat: 31.231 };
const AREA: LonLat[] = [
  [121.472, 31.2295],
  [121.4765, 31.2295],
  [121.4765, 31.2325],
  [121.472, 31.2325],
];
const PASS = 'map-pass-1';

/** Metres between two [lon, lat] points (equirectangular; fine at these distances). */
const metres = (a: LonLat, b: LonLat) => {
  const k = (Math.PI / 180) * 6371000;
  return Math.hypot((a[0] - b[0]) * k * Math.cos((a[1] * Math.PI) / 180), (a[1] - b[1]) * k);
};

describe('the dispatch map draws the center’s own tiles and everything on them in the tiles’ datum (Chromium)', () => {
  let dir: string;
  let broker: Mosquitto;
  let browser: TestBrowser & { pageErrors: string[] };
  let users: string;
  let gcjTiles: XyzTile[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-center-map-'));
    broker = await startMosquitto({ persistence: false, dir: mkdtempSync(join(dir, 'mq-')) });
    browser = await launchBrowser();
    users = join(dir, 'users');
    for (const [user, role] of [
      ['dora', 'dispatcher'],
      ['ada', 'admin'],
      ['pat1', 'patrol'],
    ] as const)
      await setPassword(users, user, role, PASS);
    const tiles = (landmark: LonLat) => rasterTiles({ center: SPOT, span: 0.012, zooms: [16, 17, 18], landmark });
    writeMbtiles(join(dir, 'city.mbtiles'), await tiles(SPOT));
    gcjTiles = await tiles(wgs84ToGcj02(...SPOT));
    writePmtiles(join(dir, 'city-gcj.pmtiles'), gcjTiles);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function start(map: Record<string, unknown>, name: string): Promise<Center> {
    const cfg = parseCenterConfig(
      {
        mqtt: { url: broker.url, clientId: `center-map-${name}` },
        storage: { kind: 'sqlite', path: join(dir, `${name}.db`) },
        http: { port: await freePort() },
        users,
        map: { ...map, center: VIEW, zoom: 16 },
        patrol: { units: [{ id: 'east', name: '东片中队', members: ['pat1'], area: [AREA] }] },
      },
      `${name}.yaml`,
      dir,
    );
    // With the catalogue, as `jifang center` starts it.
    const center = await startCenter(cfg, silentLogger, { categories: centerCategories() });
    await center.store.saveEvent(
      incoming(
        makeAlert({
          site: 'map-box',
          camera: 'cam-1',
          id: 'ev-map-1',
          seq: 0,
          state: 'started',
          jpeg: Buffer.from('pic'),
          lon: SPOT[0],
          lat: SPOT[1],
        }),
      ),
      [],
    );
    return center;
  }

  /** A user's API session, as the officer's phone and the dispatcher's pages use it. */
  const session = (center: Center, user: string) => signedInApi(center.url, user, PASS);

  async function loginAs(center: Center, user: string, lang: string, next: string, watch?: (page: Page) => void): Promise<Page> {
    const { page } = await browser.page({ lang, width: 1400, height: 900 });
    watch?.(page);
    await page.goto(`${center.url}/login?next=${next}`);
    await page.fill('#user', user);
    await page.fill('#password', PASS);
    await page.click('#login-submit');
    return page;
  }

  /** Logs the dispatcher in and opens the map, recording every request the page makes and every tile answer. */
  async function openMap(center: Center, lang: string) {
    const requests: string[] = [];
    const tiles: { status: number; type: string | null }[] = [];
    const page = await loginAs(center, 'dora', lang, '/map', (p) => {
      p.on('request', (r) => requests.push(r.url()));
      p.on('response', (r) => {
        if (new URL(r.url()).pathname.startsWith('/tiles/')) tiles.push({ status: r.status(), type: r.headers()['content-type'] ?? null });
      });
    });
    await page.waitForSelector('#map[data-ready="1"]', { timeout: 60_000 });
    await page.waitForSelector('.mappoint.event[data-event-id="ev-map-1"]', { timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    // MapLibre fades raster tiles in (300 ms by default).
    await page.waitForTimeout(1000);
    return { page, requests, tiles };
  }

  /**
   * The basemap's pixels (markers hidden, they would cover the landmark): where the landmark colour is (its centre),
   * and the share that is the tiles' ground colour.
   */
  async function pixels(page: Page, map = '#map') {
    await page.locator(map).scrollIntoViewIfNeeded();
    const box = (await page.locator(map).boundingBox())!;
    const hide = await page.addStyleTag({ content: '.maplibregl-marker { visibility: hidden; }' });
    const png = await page.screenshot({ clip: box });
    await hide.evaluate((el) => el.remove());
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const near = (i: number, c: { r: number; g: number; b: number }, tol: number) =>
      Math.abs(data[i] - c.r) < tol && Math.abs(data[i + 1] - c.g) < tol && Math.abs(data[i + 2] - c.b) < tol;
    let ground = 0;
    const mark: [number, number][] = [];
    for (let y = 0; y < info.height; y++)
      for (let x = 0; x < info.width; x++) {
        const i = (y * info.width + x) * info.channels;
        if (near(i, GROUND, 30)) ground++;
        if (near(i, LANDMARK, 40)) mark.push([x, y]);
      }
    const centre = mark.length ? mark.reduce((a, p) => [a[0] + p[0] / mark.length, a[1] + p[1] / mark.length], [0, 0]) : null;
    return { box, ground: ground / (info.width * info.height), landmark: centre, landmarkPixels: mark.length };
  }

  async function markerCentre(page: Page, selector: string, box: { x: number; y: number }) {
    const b = (await page.locator(`${selector} .mappoint-dot`).boundingBox())!;
    return [b.x + b.width / 2 - box.x, b.y + b.height / 2 - box.y];
  }

  const onlyLoopback = (requests: string[], center: Center) =>
    requests.filter((u) => !u.startsWith(`${center.url}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));

  it('MBTiles, WGS-84: tiles served from the file behind the session, the alert on its landmark, nothing leaves loopback', async () => {
    const center = await start({ tilesFile: 'city.mbtiles' }, 'mbtiles');
    try {
      const { page, requests, tiles } = await openMap(center, 'en-US');
      expect(tiles.filter((t) => t.status === 200 && t.type === 'image/png').length).toBeGreaterThanOrEqual(4);
      const px = await pixels(page);
      expect(px.ground).toBeGreaterThan(0.5);
      expect(px.landmarkPixels).toBeGreaterThan(20);
      const [mx, my] = await markerCentre(page, '.mappoint.event[data-event-id="ev-map-1"]', px.box);
      expect(Math.hypot(mx - px.landmark![0], my - px.landmark![1])).toBeLessThan(4);
      expect(onlyLoopback(requests, center)).toEqual([]);
      // Without a session: nothing, neither the style nor a tile.
      for (const path of ['/api/map/style.json', '/tiles/17/109843/53568'])
        expect((await fetch(`${center.url}${path}`, { headers: { Accept: 'application/json' } })).status).toBe(401);
      expect(browser.pageErrors).toEqual([]);
      await page.context().close();
    } finally {
      await center.close();
    }
  }, 180_000);

  it('PMTiles in GCJ-02 (zh): the alert shifted onto its landmark; units, open orders and areas drawn; a click shows the details', async () => {
    const center = await start({ tilesFile: 'city-gcj.pmtiles', coords: 'gcj02' }, 'pmtiles');
    try {
      const pat1 = await session(center, 'pat1');
      await pat1('POST', '/api/patrol/duty', { onDuty: true });
      await pat1('POST', '/api/patrol/position', {
        lon: SPOT[0] - 0.002,
        lat: SPOT[1] - 0.001,
        accuracyM: 6,
        at: new Date().toISOString(),
      });
      const { page, requests, tiles } = await openMap(center, 'zh-CN');
      await page.waitForSelector('.mappoint.unit[data-unit-id="east"]');
      expect(tiles.filter((t) => t.status === 200 && t.type === 'image/png').length).toBeGreaterThanOrEqual(4);
      const px = await pixels(page);
      expect(px.ground).toBeGreaterThan(0.3);
      const alert = '.mappoint.event[data-event-id="ev-map-1"]';
      const [mx, my] = await markerCentre(page, alert, px.box);
      expect(Math.hypot(mx - px.landmark![0], my - px.landmark![1])).toBeLessThan(4);
      expect(await page.locator('.mappoint.unit[data-unit-id="east"]').getAttribute('class')).toContain('status-available');
      await page.click(alert);
      await expect.poll(() => page.locator('#map-panel a.open-link').getAttribute('href')).toBe('/?event=ev-map-1&site=map-box');
      // The category's Chinese name, not the event type's identifier.
      expect(await page.locator(alert).getAttribute('title')).toMatch(/^机动车乱停放/);
      expect(await page.textContent('#map-panel .event-detail strong')).toMatch(/^机动车乱停放/);
      await page.click('.mappoint.unit[data-unit-id="east"]');
      await expect.poll(() => page.locator('#map-panel .unit-detail').textContent()).toContain('东片中队');
      // A work order opened from the alert arrives on the live feed and takes the alert's place, on the landmark too.
      const dora = await session(center, 'dora');
      const { order } = await dora<{ order: Order }>('POST', '/api/orders', { events: [{ site: 'map-box', id: 'ev-map-1' }] });
      const mark = `.mappoint.order[data-order-id="${order.id}"]`;
      await page.waitForSelector(mark);
      await page.waitForSelector(alert, { state: 'detached' });
      const [ox, oy] = await markerCentre(page, mark, px.box);
      expect(Math.hypot(ox - px.landmark![0], oy - px.landmark![1])).toBeLessThan(4);
      await page.click(mark);
      await expect.poll(() => page.locator('#map-panel a.open-link').getAttribute('href')).toBe(`/orders?order=${order.id}`);
      expect(await page.textContent(`${mark} .mappoint-label`)).toMatch(/^机动车乱停放/);
      expect(await page.textContent('#map-panel .order-detail strong')).toMatch(/^机动车乱停放/);
      await browser.screenshot(page, 'center-map-zh');
      expect(await page.locator('#map-legend').textContent()).toContain('未结工单');
      expect(onlyLoopback(requests, center)).toEqual([]);
      expect(browser.pageErrors).toEqual([]);
      await page.context().close();
    } finally {
      await center.close();
    }
  }, 180_000);

  it("the officer's phone (zh, 390×844) draws its task on the same GCJ-02 tiles, on the landmark, with the same module", async () => {
    const center = await start({ tilesFile: 'city-gcj.pmtiles', coords: 'gcj02' }, 'phone');
    try {
      const dora = await session(center, 'dora');
      const { order } = await dora<{ order: Order }>('POST', '/api/orders', { events: [{ site: 'map-box', id: 'ev-map-1' }] });
      await dora('POST', `/api/orders/${order.id}/transition`, { action: 'dispatch', unitId: 'east', clientId: randomUUID() });
      const { page } = await browser.page({ lang: 'zh-CN', width: 390, height: 844 });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${center.url}/login`);
      await page.fill('#user', 'pat1');
      await page.fill('#password', PASS);
      await page.click('#login-submit');
      // Sent before he logged in: one tap on it in his list opens it, and its map with it.
      await page.click(`[data-order="${order.id}"]`, { timeout: 30_000 });
      await page.waitForSelector(`#task-${order.id} #phone-map[data-ready="1"] .mappoint.spot`, { timeout: 60_000 });
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(1000);
      expect(requests.some((u) => new URL(u).pathname.startsWith('/tiles/'))).toBe(true);
      const px = await pixels(page, '#phone-map');
      expect(px.ground).toBeGreaterThan(0.3);
      const [mx, my] = await markerCentre(page, '#phone-map .mappoint.spot', px.box);
      expect(Math.hypot(mx - px.landmark![0], my - px.landmark![1])).toBeLessThan(4);
      expect(onlyLoopback(requests, center)).toEqual([]);
      expect(browser.pageErrors).toEqual([]);
      await page.context().close();
    } finally {
      await center.close();
    }
  }, 180_000);

  it('the area editor (zh): points clicked, dragged, deleted and closed on GCJ-02 tiles are saved in WGS-84', async () => {
    const center = await start({ tilesFile: 'city-gcj.pmtiles', coords: 'gcj02' }, 'area');
    try {
      const page = await loginAs(center, 'ada', 'zh-CN', '/units');
      await page.click('#unit-new');
      await page.fill('#unit-name', '西片中队');
      const canvas = '#unit-map .pick-map-canvas';
      await page.waitForSelector(`${canvas}[data-ready="1"]`, { timeout: 60_000 });
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(1000);
      const px = await pixels(page, canvas);
      const at = (dx: number, dy: number) => page.mouse.click(px.box.x + px.landmark![0] + dx, px.box.y + px.landmark![1] + dy);
      // A square from the landmark (the alert's spot as the tiles draw it), one point too many, then fixed.
      await at(0, 0);
      await at(80, 0);
      await at(80, 80);
      await at(40, 120);
      await at(0, 80);
      await expect.poll(() => page.locator(`${canvas} .draw-vertex`).count()).toBe(5);
      await page.locator(`${canvas} .draw-vertex[data-index="3"]`).click({ button: 'right' });
      await expect.poll(() => page.locator(`${canvas} .draw-vertex`).count()).toBe(4);
      const v = (await page.locator(`${canvas} .draw-vertex[data-index="1"]`).boundingBox())!;
      await page.mouse.move(v.x + v.width / 2, v.y + v.height / 2);
      await page.mouse.down();
      await page.mouse.move(v.x + v.width / 2 + 20, v.y + v.height / 2, { steps: 5 });
      await page.mouse.up();
      await page.locator(`${canvas} .draw-vertex.first`).click();
      expect(await page.locator('.draw-status').textContent()).toContain('已闭合');
      await browser.screenshot(page, 'center-area-editor-zh');
      await page.click('#unit-save');
      const ada = await session(center, 'ada');
      await expect
        .poll(async () => (await ada<{ units: Unit[] }>('GET', '/api/units')).units.find((u) => u.name === '西片中队')?.area[0]?.length)
        .toBe(4);
      const ring = (await ada<{ units: Unit[] }>('GET', '/api/units')).units.find((u) => u.name === '西片中队')!.area[0];
      // The first point was clicked on the landmark: back in WGS-84 it is the alert's spot, within a few pixels (~1 m each).
      expect(metres(ring[0], SPOT)).toBeLessThan(6);
      // Both were clicked 80 pixels from the first; the dragged one moved 20 pixels further (about 20 m at zoom 16).
      expect(metres(ring[1], ring[0]) - metres(ring[3], ring[0])).toBeGreaterThan(15);
      expect(browser.pageErrors).toEqual([]);
      await page.context().close();
    } finally {
      await center.close();
    }
  }, 180_000);

  it("a city's own tile server in GCJ-02: the page fetches its tiles (CORS) and shifts the alert onto its landmark", async () => {
    // The city's tile server, played on loopback: PNG tiles at /{z}/{x}/{y}.png, open to the center's pages by CORS.
    const served: string[] = [];
    const server = createServer((req, res) => {
      const m = /^\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url ?? '');
      const tile = m && gcjTiles.find((t) => t.z === Number(m[1]) && t.x === Number(m[2]) && t.y === Number(m[3]));
      served.push(req.url ?? '');
      res.writeHead(tile ? 200 : 404, { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' });
      res.end(tile ? tile.data : undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const tileServer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const center = await start({ tileUrl: `${tileServer}/{z}/{x}/{y}.png`, coords: 'gcj02', attribution: '测试城市' }, 'tileurl');
    try {
      const { page, requests } = await openMap(center, 'zh-CN');
      expect(served.filter((u) => u.endsWith('.png')).length).toBeGreaterThanOrEqual(4);
      const px = await pixels(page);
      expect(px.ground).toBeGreaterThan(0.5);
      const [mx, my] = await markerCentre(page, '.mappoint.event[data-event-id="ev-map-1"]', px.box);
      expect(Math.hypot(mx - px.landmark![0], my - px.landmark![1])).toBeLessThan(4);
      expect(
        requests.filter((u) => !u.startsWith(`${center.url}/`) && !u.startsWith(`${tileServer}/`) && !/^(data|blob):/.test(u)),
      ).toEqual([]);
      expect(browser.pageErrors).toEqual([]);
      await page.context().close();
    } finally {
      await center.close();
      await new Promise((r) => server.close(r));
    }
  }, 180_000);
});
