import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCenterConfig } from '../../agent/src/center/config.ts';
import type { Order } from '../../agent/src/center/patrol/schema.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { centerCategories } from '../../agent/src/cli/center-categories.ts';
import type { Alert } from '../../agent/src/contract/alert.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { type AgentProcess, runAgent } from '../helpers/agent-process.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { type CenterSession, signIn } from '../helpers/center-session.ts';
import { type MjpegCamera, startMjpegCamera } from '../helpers/mjpeg-camera.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { defaultManifest, projectRoot, sample } from '../helpers/paths.ts';
import { handleWithPhoto, openPhone, phoneHooks, phoneShot } from '../helpers/patrol-phone.ts';
import { freePort } from '../helpers/ports.ts';
import { until } from '../helpers/until.ts';

/**
 * The patrol loop end to end, all real: the agent (the real model) on the demo's street camera, mosquitto,
 * `jifang center` with its patrol wing, and headless Chromium with two contexts in one test: the dispatcher at a
 * desk (1440×900) and the officer's phone (390×844, geolocation emulated). The camera is a live MJPEG stream of the
 * demo's street picture; the parked taxi is painted out of it once the officer has reported the order handled (the
 * demo's own clip never loses its taxi), and the box's own `cleared` does the 核查.
 */
const PASS = 'patrol-e2e-pass-1';
/** The demo's camera and site (configs/demo.yaml): its calibration puts the taxi on the map. */
const demo = parse(readFileSync(join(projectRoot, 'configs', 'demo.yaml'), 'utf8')) as {
  site: Record<string, unknown>;
  cameras: {
    id: string;
    name: string;
    location: unknown;
    address: string;
    calibration: unknown;
    zones: { id: string; polygon: unknown }[];
  }[];
};
const camera = demo.cameras[0];
const kerb = camera.zones.find((z) => z.id === 'kerb')!;
const site = String(demo.site.id);
/** The demo street, about 300 × 200 m: the east team's area (网格). */
const STREET_AREA: [number, number][] = [
  [121.4725, 31.2295],
  [121.4755, 31.2295],
  [121.4755, 31.2315],
  [121.4725, 31.2315],
];
/** Where the other two officers stand: about 0.4 km and 1.2 km north of the street, outside its area. */
const NEAR = { lon: 121.474, lat: 31.2342 };
const FAR = { lon: 121.474, lat: 31.2413 };
/** The officer of the east team starts 250 m south of the street: outside the 50 m fence. */
const AWAY = { longitude: 121.474, latitude: 31.2282, accuracy: 8 };
const json = (p: Buffer) => JSON.parse(p.toString()) as Alert;

describe('the patrol loop with the real agent on the demo camera, mosquitto, the center and Chromium (dispatcher and officer)', () => {
  let dir: string;
  let broker: Mosquitto;
  let cam: MjpegCamera;
  let sub: Subscriber;
  let agent: AgentProcess | undefined;
  let center: Center | undefined;
  let browser: TestBrowser & { pageErrors: string[] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-patrol-e2e-'));
    // The demo's picture, and the same with the taxi's place on the kerb painted over (the taxi has driven off).
    const street = sharp(sample('street.png')).extract({ left: 0, top: 0, width: 1440, height: 730 });
    const taxiGone = street
      .clone()
      .composite([{ input: { create: { width: 360, height: 210, channels: 3, background: '#808080' } }, left: 100, top: 440 }]);
    cam = await startMjpegCamera(
      { taxi: await street.clone().jpeg({ quality: 90 }).toBuffer(), gone: await taxiGone.jpeg({ quality: 90 }).toBuffer() },
      'taxi',
      4,
    );
    broker = await startMosquitto({ persistence: false, dir: mkdtempSync(join(dir, 'mq-')) });
    sub = await subscribe(broker.url, `jifang/v1/${site}/+/events`);
    browser = await launchBrowser();
    const users = join(dir, 'users');
    for (const [user, role] of [
      ['dora', 'dispatcher'],
      ['pat', 'patrol'],
      ['pat2', 'patrol'],
      ['pat3', 'patrol'],
    ] as const)
      await setPassword(users, user, role, PASS);
    const cfg = parseCenterConfig(
      {
        mqtt: { url: broker.url, clientId: 'center-patrol-e2e', commandTimeoutSeconds: 30 },
        storage: { kind: 'sqlite', path: join(dir, 'center.db') },
        http: { port: await freePort() },
        users,
        patrol: {
          units: [
            { id: 'east', name: '东片中队', members: ['pat'], area: [STREET_AREA] },
            { id: 'north', name: '北片机动组', kind: 'officer', members: ['pat2'] },
            { id: 'depot', name: '停车场值守', kind: 'officer', members: ['pat3'] },
          ],
          checkSeconds: 1,
        },
      },
      'center-patrol-e2e.yaml',
      dir,
    );
    center = await startCenter(cfg, silentLogger, { categories: centerCategories() });
    // The two other officers are on duty, one nearer than the other, as their phones would report.
    for (const [user, p] of [
      ['pat2', NEAR],
      ['pat3', FAR],
    ] as const) {
      const s = await signIn(center.url, user, PASS);
      expect((await s.json('POST', '/api/patrol/duty', { onDuty: true })).status).toBe(200);
      const at = new Date().toISOString();
      expect((await s.json('POST', '/api/patrol/position', { ...p, accuracyM: 10, at })).status).toBeLessThan(300);
    }
  }, 120_000);

  afterAll(async () => {
    await agent?.stop('SIGKILL');
    await center?.close();
    await sub?.close();
    await browser?.close();
    await broker?.stop();
    await cam?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function startAgent(): AgentProcess {
    const runDir = mkdtempSync(join(dir, 'agent-'));
    return runAgent(runDir, {
      site: demo.site,
      mqtt: { url: broker.url, healthIntervalSeconds: 5, reconnectMaxSeconds: 2 },
      model: { manifest: defaultManifest },
      dataDir: join(runDir, 'data'),
      evidence: { clip: { enabled: false } },
      cameras: [
        {
          id: camera.id,
          name: camera.name,
          url: cam.url,
          analysis: { fps: 2, width: 1440, height: 730 },
          location: camera.location,
          address: camera.address,
          calibration: camera.calibration,
          windows: 'none',
          zones: [
            {
              id: 'kerb',
              units: 'pixels',
              polygon: kerb.polygon,
              // Shorter than the demo's 15 s; no periodic update while the officer works (one after "handled" reopens).
              rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 5, endAfterSeconds: 4, updateIntervalSeconds: 600 }],
            },
          ],
        },
      ],
    });
  }

  async function signInDesk(): Promise<{ page: Page; api: CenterSession }> {
    const { page } = await browser.page({ lang: 'zh-CN', width: 1440, height: 900 });
    await page.goto(`${center!.url}/login`);
    await page.fill('#user', 'dora');
    await page.fill('#password', PASS);
    await page.click('#login-submit');
    await page.waitForSelector('#live.on', { timeout: 30_000 });
    return { page, api: await signIn(center!.url, 'dora', PASS) };
  }

  it('alert → order → area unit proposed first, then by distance → sent → chime on the phone → accept → arrived in the fence → handled with a photo → the taxi painted out of the live camera picture, the box reports cleared → 核查 by the box, 结案; every step archived with who, when and where', async () => {
    agent = startAgent();
    const dispatcher = await signInDesk();
    const { context, page: phone } = await openPhone(browser, center!.url, { user: 'pat', password: PASS, lang: 'zh-CN' }, AWAY);
    await phone.waitForSelector('#live.on', { timeout: 20_000 });
    await phone.click('#duty');
    await phone.waitForSelector('body[data-duty="on"]');

    // The real agent sees the parked taxi on the demo street and publishes the alert.
    const [startedMsg] = await sub
      .waitFor((m) => json(m.payload).state === 'started', 1, 90_000)
      .catch((err: Error) => {
        throw new Error(`${err.message.slice(0, 300)}\nagent stderr:\n${agent!.stderr().slice(-3000)}`);
      });
    const alert = json(startedMsg.payload);
    expect(alert).toMatchObject({ type: 'illegal_parking', camera: camera.id });
    const [lon, lat] = alert.location.coordinates;

    // The dispatcher makes it an order from the alert's page; the east team (its area holds the spot) comes first,
    // then the officers on duty by distance.
    const desk = dispatcher.page;
    await desk.goto(`${center!.url}/?event=${encodeURIComponent(alert.id)}&site=${site}`);
    await desk.click('#open-order', { timeout: 20_000 });
    await desk.waitForURL(/\/orders\?order=wo-/);
    const orderId = new URL(desk.url()).searchParams.get('order')!;
    const rows = desk.locator('#proposals tbody tr');
    await rows.first().waitFor({ timeout: 15_000 });
    expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-unit')))).toEqual(['east', 'north', 'depot']);
    expect(await rows.evaluateAll((rs) => rs.map((r) => r.querySelector('td.why')?.className))).toEqual([
      'why why-area',
      'why why-distance',
      'why why-distance',
    ]);
    await rows.nth(0).locator('button.send').click();
    await desk.waitForSelector('#order-title .wo-dispatched');

    // The officer's phone shows the task by itself, with the chime and the vibration.
    await phone.waitForSelector(`#task-${orderId}[data-state="dispatched"]`, { timeout: 15_000 });
    const hooks = await phoneHooks(phone);
    expect(hooks.chimes).toBeGreaterThanOrEqual(1);
    expect(hooks.vibrations).toBeGreaterThanOrEqual(1);
    await phone.waitForSelector('#evidence');
    await phoneShot(phone, 'patrol-e2e-task-zh');
    await phone.click('#act-accept');
    await desk.waitForSelector('#order-title .wo-accepted', { timeout: 15_000 });
    // Walking up to the taxi: inside the 50 m fence the page suggests "arrived".
    await context.setGeolocation({ longitude: lon + 10 / 95_000, latitude: lat, accuracy: 6 });
    await phone.waitForSelector('#act-arrive.suggested', { timeout: 15_000 });
    await phone.click('#act-arrive');
    await desk.waitForSelector('#order-title .wo-on_scene', { timeout: 15_000 });
    await handleWithPhoto(phone, '出租车司机已将车驶离');
    await desk.waitForSelector('#order-title .wo-handled', { timeout: 30_000 });
    await phone.waitForSelector('#outbox', { state: 'detached' });

    // The box took the dispatch (it watches the spot); then the taxi drives off and the box says cleared.
    await until(
      async () => (await center!.store.getEvent(alert.id))!.actions.some((a) => a.action === 'dispatch' && a.result === 'ok'),
      30_000,
    );
    cam.show('gone');
    const [clearedMsg] = await sub.waitFor((m) => json(m.payload).id === alert.id && json(m.payload).state === 'cleared', 1, 60_000);
    const cleared = json(clearedMsg.payload);
    expect(cleared.evidence.snapshot).toBeDefined();
    await desk.waitForSelector('#order-title .wo-closed', { timeout: 30_000 });
    await desk.waitForSelector('#order-timeline li[data-action="verify"]');
    await browser.screenshot(desk, 'patrol-e2e-desk-zh');
    await phoneShot(phone, 'patrol-e2e-after-zh');

    // The archive: every step, who did it, when (in order) and where.
    const order = (await dispatcher.api.json<Order>('GET', `/api/orders/${orderId}`)).body;
    expect(order).toMatchObject({ state: 'closed', closedAs: 'handled', unit: 'east', outcome: 'corrected' });
    const steps = order.transitions!;
    expect(steps.map((t) => [t.action, t.from, t.to, t.by])).toEqual([
      ['open', null, 'filed', 'dora'],
      ['dispatch', 'filed', 'dispatched', 'dora'],
      ['accept', 'dispatched', 'accepted', 'pat'],
      ['arrive', 'accepted', 'on_scene', 'pat'],
      ['handle', 'on_scene', 'handled', 'pat'],
      ['verify', 'handled', 'closed', `box:${site}`],
    ]);
    const times = steps.map((t) => Date.parse(t.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Date.parse(steps[0].at)).toBeGreaterThanOrEqual(Date.parse(alert.observedAt));
    expect(steps[1].unit).toBe('east');
    // The officer's steps carry his phone's position: at the spot from "arrived" on; the box's, the spot it sees.
    expect(steps[2].where).toMatchObject({ lat: AWAY.latitude, accuracyM: 8 });
    for (const t of steps.slice(3, 5)) expect(t.where).toMatchObject({ lat: expect.closeTo(lat, 5), accuracyM: 6 });
    expect(steps[5].where).toEqual({ lon: cleared.location.coordinates[0], lat: cleared.location.coordinates[1] });
    expect(steps[4].note).toBe('出租车司机已将车驶离');
    expect(await desk.textContent('#order-timeline li[data-action="arrive"]')).toContain(lat.toFixed(5));
    // The officer's photo is stored: a JPEG at most 1600 px on its long side.
    expect(order.photos).toHaveLength(1);
    const photo = await fetch(`${center!.url}/api/orders/${orderId}/photos/${order.photos[0]}`, {
      headers: { Cookie: dispatcher.api.cookie },
    });
    const meta = await sharp(Buffer.from(await photo.arrayBuffer())).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1600);
    // The alert itself: cleared, with the box's before and after pictures.
    const event = await center!.store.getEvent(alert.id, site);
    expect(event!.event).toMatchObject({
      state: 'cleared',
      firstSnapshot: alert.evidence.snapshot!.sha256,
      clearedSnapshot: cleared.evidence.snapshot!.sha256,
    });
    expect(browser.pageErrors).toEqual([]);
  }, 240_000);
});
