import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CenterConfig, parseCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { centerCategories } from '../../agent/src/cli/center-categories.ts';
import type { Alert } from '../../agent/src/contract/alert.ts';
import { sha256Hex } from '../../agent/src/core/hash.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { type AgentProcess, runAgent } from '../helpers/agent-process.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

/**
 * The closed loop through the command center, all real: the agent on a street clip over RTSP (the parked taxi leaves
 * after a minute), mosquitto with persistence, PostgreSQL, `jifang center`, and headless Chromium as the operator
 * and the dispatcher.
 */
const site = 'center-e2e';
/** The event catalogue `jifang center` starts with; the pages name an alert's type in its words. */
const CATEGORIES = centerCategories();
const PARKING = CATEGORIES.find((c) => c.id === 'illegal_parking')!;
const KERB: [number, number][] = [
  [150, 595],
  [430, 595],
  [430, 690],
  [150, 690],
];
const json = (p: Buffer) => JSON.parse(p.toString()) as Alert;

describe('jifang center with the real agent, mosquitto, PostgreSQL and Chromium', () => {
  let dir: string;
  let rtsp: RtspServer;
  let broker: Mosquitto;
  let pg: Postgres;
  let sub: Subscriber;
  let agent: AgentProcess | undefined;
  let center: Center | undefined;
  let browser: TestBrowser & { pageErrors: string[] };
  let cfg: CenterConfig;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-center-e2e-'));
    // Encoded once per machine (the machine is shared; encoding takes a while under load), then reused.
    const clip = join(tmpdir(), 'jifang-test-cache', 'taxi-leaves-at-60s.mp4');
    if (!existsSync(clip)) {
      mkdirSync(dirname(clip), { recursive: true });
      execFileSync('ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'error',
        '-loop',
        '1',
        '-framerate',
        '4',
        '-t',
        '110',
        '-i',
        sample('street.png'),
        '-vf',
        "crop=1440:730:0:0,drawbox=x=100:y=440:w=360:h=210:color=gray:t=fill:enable='gte(t,60)'",
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-tune',
        'stillimage',
        '-g',
        '8',
        '-pix_fmt',
        'yuv420p',
        '-y',
        `${clip}.part.mp4`,
      ]);
      renameSync(`${clip}.part.mp4`, clip);
    }
    // One after the other: the machine is shared, and each start-up is slow under load.
    rtsp = await startRtspServer({ '/taxi-leaves': clip });
    broker = await startMosquitto({ persistence: true, dir: mkdtempSync(join(dir, 'mq-')) });
    pg = await startPostgres();
    browser = await launchBrowser();
    // A subscriber with its own persistent session: what the box published, to compare the archive with.
    sub = await subscribe(broker.url, `jifang/v1/${site}/#`, {
      clientId: 'e2e-witness',
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    });
    const users = join(dir, 'users');
    await setPassword(users, 'olga', 'operator', 'operator-pass-1');
    await setPassword(users, 'dmitri', 'dispatcher', 'dispatcher-pass-1');
    cfg = parseCenterConfig(
      {
        // A persistent plain subscription: mosquitto 2.0.11 does not restore shared subscriptions from its persistence
        // file, so what a box publishes before the centers re-subscribe after a broker restart is dropped by the broker
        // (see the README; sharing between instances is tested in center-load).
        mqtt: { url: broker.url, clientId: 'center-e2e-a', commandTimeoutSeconds: 60 },
        storage: { kind: 'postgres', url: pg.createDatabase('center_e2e') },
        http: { port: await freePort() },
        users,
        units: ['patrol-7', 'patrol-12'],
      },
      'center-e2e.yaml',
      dir,
    );
    center = await startCenter(cfg, silentLogger, { categories: CATEGORIES });
  }, 400_000);

  afterAll(async () => {
    await agent?.stop('SIGKILL');
    await center?.close();
    await sub?.close();
    await browser?.close();
    await broker?.stop();
    await rtsp?.stop();
    pg?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const login = async (user: string, password: string): Promise<Page> => {
    const { page } = await browser.page({ lang: 'en-US', width: 1400, height: 1000 });
    await page.goto(`${center!.url}/login`);
    await page.fill('#user', user);
    await page.fill('#password', password);
    await page.click('#login-submit');
    await page.waitForSelector('#live.on', { timeout: 30_000 });
    return page;
  };

  it('shows the alert within about a second, keeps every message once across a center and a broker restart, and closes the loop: dispatch, cleared, before and after', async () => {
    const runDir = mkdtempSync(join(dir, 'agent-'));
    agent = runAgent(runDir, {
      site: {
        id: site,
        name: 'Center e2e',
        timezone: 'Asia/Shanghai',
        location: { lat: 31.2304, lon: 121.4737 },
        boxId: 'e2e-box',
        address: 'No. 1 Demo Street',
      },
      mqtt: { url: broker.url, healthIntervalSeconds: 2, reconnectMaxSeconds: 2 },
      model: { manifest: defaultManifest },
      dataDir: join(runDir, 'data'),
      evidence: { clip: { enabled: false } },
      cameras: [
        {
          id: 'street',
          name: 'Street',
          url: rtsp.url('/taxi-leaves'),
          analysis: { fps: 2, width: 1440, height: 730 },
          windows: 'none',
          zones: [
            {
              id: 'kerb',
              units: 'pixels',
              polygon: KERB,
              rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 5, endAfterSeconds: 4, updateIntervalSeconds: 2 }],
            },
          ],
        },
      ],
    });
    const eventsTopic = `jifang/v1/${site}/street/events`;

    // The dispatcher watches the queue before the alert exists.
    let page = await login('dmitri', 'dispatcher-pass-1');
    const [startedMsg] = await sub
      .waitFor((m) => m.topic === eventsTopic && json(m.payload).state === 'started', 1, 90_000)
      .catch((err: Error) => {
        throw new Error(`${err.message.slice(0, 300)}\nagent stderr:\n${agent!.stderr().slice(-3000)}`);
      });
    const seenAt = Date.now();
    const started = json(startedMsg.payload);
    await page.waitForSelector(`tr[data-event-id="${started.id}"] img.thumb`, { timeout: 30_000 });
    const visibleMs = Date.now() - seenAt;
    console.log(`alert published → in the console's queue: ${visibleMs} ms`);
    // The type in the catalogue's words in the page's language, and the standard's name the alert carried beside it.
    expect(await page.textContent(`tr[data-event-id="${started.id}"] .type`)).toContain(PARKING.name.en);
    expect(await page.textContent(`tr[data-event-id="${started.id}"] .category`)).toContain('机动车乱停放');
    await page.click(`tr[data-event-id="${started.id}"]`);
    await page.waitForSelector('#detail img.snapshot');
    expect(await page.textContent('#rule')).toContain('no-parking');
    expect(await page.textContent('#model')).toContain('picodet_s_416_coco');
    expect(await page.textContent('#objects')).toContain('car');
    await browser.screenshot(page, 'center-queue');

    // The center goes away while the box keeps publishing updates; its persistent session at the broker holds them.
    await center!.close();
    center = undefined;
    await new Promise((r) => setTimeout(r, 5_000));
    center = await startCenter(cfg, silentLogger, { categories: CATEGORIES });
    // Then the broker restarts (persistence on): box, center and witness reconnect to their sessions.
    await broker.stop();
    await new Promise((r) => setTimeout(r, 2_000));
    broker = await startMosquitto({ persistence: true, dir: broker.dir, port: broker.port });

    // Sessions live in the center's memory: after its restart the dispatcher logs in again, and dispatches.
    page = await login('dmitri', 'dispatcher-pass-1');
    await page.goto(`${center.url}/?event=${encodeURIComponent(started.id)}`);
    await page.waitForSelector('#detail button[data-action="dispatch"]:not([disabled])', { timeout: 15_000 });
    await page.selectOption('#unit', 'patrol-12');
    await page.fill('#note', 'taxi on the kerb, please move it on');
    await page.click('#detail button[data-action="dispatch"]');
    await page.waitForSelector('#action-result.ok, #action-result.error', { timeout: 90_000 });
    expect(await page.textContent('#action-result')).toBe('The box applied: Dispatch');
    expect(await page.textContent('#action-log')).toContain('dmitri (dispatcher) Dispatch → patrol-12');

    // The box saw the dispatch: once the taxi has gone it reports `cleared` with an after picture.
    const [clearedMsg] = await sub.waitFor((m) => m.topic === eventsTopic && json(m.payload).state === 'cleared', 1, 120_000);
    const cleared = json(clearedMsg.payload);
    expect(cleared).toMatchObject({ id: started.id, operator: { action: 'dispatch', by: 'dmitri', unit: 'patrol-12' } });
    await page.goto(`${center.url}/dispatch`);
    const card = `#board-cleared .board-row[data-event-id="${started.id}"]`;
    await page.waitForSelector(`${card} img.after`, { timeout: 20_000 });
    expect(await page.textContent(`${card} strong`)).toContain(PARKING.name.en);
    // Both pictures really loaded (an image that failed has no natural width).
    const loaded = async () =>
      page.$$eval(`${card} img`, (imgs) =>
        imgs.map((i) => ({ src: (i as unknown as { src: string }).src, w: (i as unknown as { naturalWidth: number }).naturalWidth })),
      );
    const deadline = Date.now() + 20_000;
    while ((await loaded()).some((i) => i.w === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const [before, after] = await loaded();
    expect(before.w).toBeGreaterThan(0);
    expect(after.w).toBeGreaterThan(0);
    expect(before.src).toContain(started.evidence.snapshot!.sha256);
    expect(after.src).toContain(cleared.evidence.snapshot!.sha256);
    await browser.screenshot(page, 'center-dispatch-board');

    // The archive holds every lifecycle message the box published, once each, and every snapshot once.
    await new Promise((r) => setTimeout(r, 3_000));
    const published = new Map<string, Alert>();
    for (const m of sub.messages)
      if (m.topic === eventsTopic) published.set(`${json(m.payload).id}:${json(m.payload).seq}`, json(m.payload));
    const got = await center.store.getEvent(started.id);
    const archived = got!.messages.map((m) => m.seq);
    const publishedSeqs = [...published.values()]
      .filter((a) => a.id === started.id)
      .map((a) => a.seq)
      .sort((a, b) => a - b);
    expect(archived).toEqual(publishedSeqs);
    expect(archived).toEqual(archived.map((_, i) => i));
    expect(got!.event).toMatchObject({
      state: 'cleared',
      firstSnapshot: started.evidence.snapshot!.sha256,
      clearedSnapshot: cleared.evidence.snapshot!.sha256,
    });
    const counts = await center.store.counts();
    expect(counts.messages).toBe(published.size);
    const shas = new Set([...published.values()].map((a) => a.evidence.snapshot?.sha256).filter(Boolean));
    expect(counts.snapshots).toBe(shas.size);
    for (const sha of shas) expect(sha256Hex((await center.store.getSnapshot(sha!))!)).toBe(sha);
    expect(got!.actions).toEqual([
      expect.objectContaining({ action: 'dispatch', by: 'dmitri', role: 'dispatcher', unit: 'patrol-12', result: 'ok' }),
    ]);

    // The boxes page: online from the retained status, the camera streaming.
    await page.goto(`${center.url}/boxes`);
    await page.waitForSelector(`.box.online[data-site="${site}"] li[data-camera="street"] .cam-streaming`, { timeout: 15_000 });
    await browser.screenshot(page, 'center-boxes');
    await page.goto(`${center.url}/map`);
    await page.waitForSelector('#map[data-ready="1"] .maplibregl-ctrl-scale');
    await browser.screenshot(page, 'center-map');
    expect(browser.pageErrors).toEqual([]);
  }, 300_000);

  it('an operator cannot dispatch: the button is off and the API refuses', async () => {
    const page = await login('olga', 'operator-pass-1');
    const [row] = await center!.store.listEvents({});
    await page.goto(`${center!.url}/?event=${encodeURIComponent(row.id)}`);
    await page.waitForSelector('#detail button[data-action="ack"]:not([disabled])');
    expect(await page.$('#detail button[data-action="dispatch"][disabled]')).not.toBeNull();
    const csrf = await page.getAttribute('meta[name="csrf-token"]', 'content');
    const status = await page.evaluate(
      async ({ id, csrf }) => {
        const res = await fetch(`/api/events/${encodeURIComponent(id)}/actions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify({ action: 'dispatch', unit: 'patrol-7' }),
        });
        return { status: res.status, body: (await res.json()) as { error: string } };
      },
      { id: row.id, csrf: csrf! },
    );
    expect(status.status).toBe(403);
    expect(status.body.error).toContain('dispatcher');
    const got = await center!.store.getEvent(row.id);
    expect(got!.actions.filter((a) => a.by === 'olga')).toEqual([]);
  }, 60_000);
});
