import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { centerCategories } from '../../agent/src/cli/center-categories.ts';
import { cameraHealthSchema, statusSchema } from '../../agent/src/contract/health.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { freePort } from '../helpers/ports.ts';

/**
 * The center's pages walked as their users read them, all real: mosquitto, `jifang center` on SQLite with the
 * catalogue, a simulated box (status, camera health, alerts), headless Chromium. What a walk in Chinese, on a phone and
 * on a computer whose clock is not the city's found misleading: English stream states on the Chinese Boxes page, times
 * in the computer's zone while the statistics count in the city's, figures without their headings on a phone.
 */
/** What the page-side functions below touch, typed here: the Node program is compiled without the DOM library. */
interface Rect {
  top: number;
  height: number;
}
interface El {
  getBoundingClientRect(): Rect;
  getClientRects(): ArrayLike<Rect>;
  selectNodeContents(el: El): void;
  querySelectorAll(sel: string): ArrayLike<El>;
}
type Win = {
  document: {
    documentElement: { scrollWidth: number; clientWidth: number };
    querySelectorAll(sel: string): ArrayLike<El>;
    createRange(): El;
  };
};
declare const getComputedStyle: (el: El) => { borderTopLeftRadius: string };

const site = 'walk-box';
const PASS = 'walk-pass-1';
const WEST_AREA: [number, number][] = [
  [121.42, 31.229],
  [121.424, 31.229],
  [121.424, 31.232],
  [121.42, 31.232],
];
/** The city keeps Beijing time (the default `risk.utcOffset`, +08:00). */
const cityTime = (ms: number) => new Date(ms).toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });

describe("the center's pages say what is true in the user's words (mosquitto, SQLite, Chromium)", () => {
  let dir: string;
  let broker: Mosquitto;
  let center: Center | undefined;
  let browser: TestBrowser & { pageErrors: string[] };
  let box: MqttClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-center-walk-'));
    broker = await startMosquitto({ persistence: false, dir: mkdtempSync(join(dir, 'mq-')) });
    browser = await launchBrowser();
    const users = join(dir, 'users');
    await setPassword(users, 'sam', 'supervisor', PASS);
    await setPassword(users, 'pat1', 'patrol', PASS);
    const cfg = parseCenterConfig(
      {
        mqtt: { url: broker.url, clientId: 'center-walk' },
        storage: { kind: 'sqlite', path: join(dir, 'center.db') },
        http: { port: await freePort() },
        users,
        units: ['east'],
        patrol: {
          units: [
            { id: 'east', name: '东片中队', members: ['sam'] },
            { id: 'west', name: '西片中队', members: ['pat1'], area: [WEST_AREA] },
          ],
        },
      },
      'center-walk.yaml',
      dir,
    );
    center = await startCenter(cfg, silentLogger, { categories: centerCategories() });
    box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `jifang-${site}-box` });
  }, 120_000);

  afterAll(async () => {
    await box?.endAsync();
    await center?.close();
    await browser?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const login = async (o: { lang: string; width?: number; height?: number; timezone?: string }): Promise<Page> => {
    const { page } = await browser.page(o);
    await page.goto(`${center!.url}/login`);
    await page.fill('#user', 'sam');
    await page.fill('#password', PASS);
    await page.click('#login-submit');
    await page.waitForSelector('#live.on', { timeout: 30_000 });
    return page;
  };

  // First, while the archive is empty: once an alert is archived the nightly model has incidents to plan from.
  it("the officer's phone says why it shows no patrol slots: no plan yet, not that he is in no unit (he is)", async () => {
    const { page } = await browser.page({ lang: 'zh-CN', width: 390, height: 844 });
    await page.goto(`${center!.url}/login`);
    await page.fill('#user', 'pat1');
    await page.fill('#password', PASS);
    await page.click('#login-submit');
    await page.waitForSelector('#slots .empty-slots');
    expect(await page.textContent('#slots .empty-slots')).toBe('尚无巡查计划：计划根据已记录的事件生成，目前还没有事件');
    await browser.screenshot(page, 'center-walk-phone-390x844-zh');
  }, 120_000);

  it("the Chinese Boxes page names a camera's state and health in Chinese; the empty dispatch board says why", async () => {
    const now = new Date().toISOString();
    const status = {
      online: true,
      agentVersion: '0.1.0',
      boxId: 'box-walk',
      startedAt: now,
      at: now,
      cameras: [
        { id: 'cam-1', name: '北门', state: 'streaming' },
        { id: 'cam-2', name: '南门', state: 'backoff' },
      ],
    };
    await box.publishAsync(`jifang/v1/${site}/status`, JSON.stringify(statusSchema.parse(status)), { qos: 1, retain: true });
    const health = {
      camera: 'cam-1',
      state: 'streaming',
      since: now,
      targetFps: 5,
      analysedFps: 5,
      skippedFrames: 0,
      analysedFrames: 100,
      lastFrameAgeSeconds: 0.1,
      reconnects: 2,
      at: now,
    };
    await box.publishAsync(`jifang/v1/${site}/cam-1/health`, JSON.stringify(cameraHealthSchema.parse(health)), { qos: 1, retain: true });
    // A camera that cannot be reached: its reason as the box words it, shown in Chinese.
    const refused = { ...health, camera: 'cam-2', state: 'backoff', reason: 'connection refused', analysedFps: 0, reconnects: 7 };
    await box.publishAsync(`jifang/v1/${site}/cam-2/health`, JSON.stringify(cameraHealthSchema.parse(refused)), { qos: 1, retain: true });

    const page = await login({ lang: 'zh-CN', width: 1366, height: 768 });
    await page.goto(`${center!.url}/boxes`);
    const camera = `.box[data-site="${site}"] li[data-camera="cam-1"]`;
    await page.waitForSelector(`${camera} .cam-streaming`, { timeout: 15_000 });
    await page.waitForFunction(
      (sel) =>
        /重连/.test(
          (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(sel)
            ?.textContent ?? '',
        ),
      camera,
      { timeout: 15_000 },
    );
    expect(await page.textContent(camera)).toBe('北门: 正常接收 · 分析 5 帧/秒 · 重连 2 次');
    const failing = `.box[data-site="${site}"] li[data-camera="cam-2"]`;
    await page.waitForSelector(`${failing} .cam-backoff`, { timeout: 15_000 });
    expect(await page.textContent(failing)).toContain('连接被拒绝：该地址和端口上没有服务在监听');
    expect(await page.textContent(failing)).not.toMatch(/connection refused/);
    await browser.screenshot(page, 'center-walk-boxes-zh');

    // Nothing dispatched yet: the board says what would be there and how it gets there, not a bare "无".
    await page.goto(`${center!.url}/dispatch`);
    await page.waitForSelector('#board-dispatched p.muted');
    expect(await page.textContent('#board-dispatched p.muted')).toMatch(/^没有等待清除的派遣：/);
    expect(await page.textContent('#board-cleared p.muted')).toMatch(/^还没有派遣后被清除的告警：/);
    await browser.screenshot(page, 'center-walk-dispatch-empty-zh');
  }, 120_000);

  it("the alert's detail gives times on the city's clock, whatever the computer's, the objects and the unit in Chinese", async () => {
    const at = Math.floor(Date.now() / 1000) * 1000;
    const jpeg = labelledJpeg(await streetJpeg(), 'walk-clock');
    const alert = makeAlert({ site, camera: 'cam-1', id: 'walk-clock', seq: 0, state: 'started', jpeg, at });
    await box.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 });
    await box.publishAsync(`jifang/v1/${site}/cam-1/events`, JSON.stringify(alert), { qos: 1 });

    // A dispatcher's computer set to New York time: 13 hours from the city's.
    const page = await login({ lang: 'zh-CN', width: 1366, height: 768, timezone: 'America/New_York' });
    const row = '#queue tr[data-event-id="walk-clock"]';
    await page.waitForSelector(row, { timeout: 15_000 });
    const started = cityTime(Date.parse(alert.startedAt));
    expect(await page.textContent(`${row} td.started`)).toBe(started);
    await page.click(row);
    await page.waitForSelector('#detail-type');
    expect(await page.textContent('#detail')).toContain(`(${started} →)`);
    // What the box detected, in the page's language: the detector's label is the box's English word.
    expect(await page.textContent('#objects')).toBe('小汽车 81% #3');
    // The unit to send is offered by its name, not its configuration id.
    expect(await page.textContent('#unit option[value="east"]')).toBe('东片中队');
    // The duration and its heading each on one line; the state's heading is a heading, not a state's badge.
    const lines = await page.evaluate(() => {
      const d = (globalThis as unknown as Win).document;
      const oneLine = (sel: string) => {
        const el = d.querySelectorAll(sel)[0]!;
        const range = d.createRange();
        range.selectNodeContents(el);
        return range.getClientRects().length === 1;
      };
      // The headings by place: check box, picture, type, place, duration, state, start.
      const heading = d.querySelectorAll('#queue thead th')[5]!;
      return {
        dwell: oneLine(`#queue tr[data-event-id="walk-clock"] td.dwell`),
        heading: oneLine('#queue thead th:nth-child(5)'),
        state: oneLine('#queue thead th:nth-child(6)'),
        badge: getComputedStyle(heading).borderTopLeftRadius,
      };
    });
    expect(lines).toEqual({ dwell: true, heading: true, state: true, badge: '0px' });
    await browser.screenshot(page, 'center-walk-queue-city-clock-zh');

    // In English the rule is the box's sentence with its id, no JSON of its parameters.
    const en = await login({ lang: 'en-US', width: 1366, height: 768 });
    await en.goto(`${center!.url}/?event=walk-clock&site=${site}`);
    await en.waitForSelector('#rule');
    expect(await en.textContent('#rule')).toBe('A vehicle stopped in the kerb zone for at least 15 s. (no-parking)');
  }, 120_000);

  it('names, not ids: camera and zone as the box named them (ids on hover), the unit sent by its name, a removed rule by its type', async () => {
    const jpeg = labelledJpeg(await streetJpeg(), 'walk-names');
    const named = {
      ...makeAlert({ site, camera: 'cam-2', id: 'walk-names', seq: 0, state: 'started', jpeg }),
      cameraName: '南门摄像头',
      zoneName: '南门人行道',
    };
    // An older box's alert names neither: the camera is named by the box's status (北门), the zone stays its id.
    const {
      cameraName: _c,
      zoneName: _z,
      ...older
    } = makeAlert({ site, camera: 'cam-1', id: 'walk-older', seq: 0, state: 'started', jpeg });
    await box.publishAsync(named.evidence.snapshot!.topic, jpeg, { qos: 1 });
    const publish = (a: Record<string, unknown> & { camera: string }) =>
      box.publishAsync(`jifang/v1/${site}/${a.camera}/events`, JSON.stringify(a), { qos: 1 });
    await publish(named);
    await publish(older);
    // The box's next message says who sent which unit (its config id).
    await publish({
      ...named,
      seq: 1,
      state: 'updated',
      operator: { action: 'dispatch', by: 'sam', unit: 'east', at: new Date().toISOString() },
    });
    const removed = 'config_changed: rule "no-parking" (illegal_parking) of zone "kerb" was removed from the config';
    await publish({ ...older, seq: 1, state: 'ended', endedAt: new Date().toISOString(), reason: removed });

    const page = await login({ lang: 'zh-CN', width: 1366, height: 768 });
    const row = '#queue tr[data-event-id="walk-names"]';
    await page.waitForSelector(`${row} .op-dispatch`, { timeout: 15_000 });
    expect(await page.textContent(`${row} .seen-at`)).toBe('南门摄像头 / 南门人行道');
    expect(await page.getAttribute(`${row} .seen-at`, 'title')).toBe(`${site} / cam-2 / kerb`);
    expect(await page.textContent(`${row} .op-dispatch`)).toMatch(/\(东片中队\)$/);
    expect(await page.textContent(row)).not.toMatch(/\beast\b/);
    await page.waitForSelector('#queue tr[data-event-id="walk-older"]', { timeout: 15_000 });
    expect(await page.textContent('#queue tr[data-event-id="walk-older"] .seen-at')).toBe('北门 / kerb');
    await page.click(row);
    await page.waitForSelector('#detail-seen-at');
    expect(await page.textContent('#detail-seen-at')).toBe('南门摄像头 / 南门人行道');
    expect(await page.textContent('#history')).toContain('→ 东片中队');
    await browser.screenshot(page, 'center-walk-names-queue-zh');

    // A removed rule's ending names the rule's type in Chinese, not its identifier.
    await page.click('#queue tr[data-event-id="walk-older"]');
    await page.waitForSelector('#history:has-text("配置已变更")');
    expect(await page.textContent('#history')).toContain('配置已变更：区域“kerb”的违章停车规则“no-parking”已从配置中删除');
    expect(await page.textContent('#history')).not.toContain('illegal_parking');

    await page.goto(`${center!.url}/dispatch`);
    const card = '#board-dispatched .board-row[data-event-id="walk-names"]';
    await page.waitForSelector(`${card} .unit`, { timeout: 15_000 });
    // Drawn again once the units are loaded: by their name, not the config id the alert carries.
    await page.waitForSelector(`${card} .unit:has-text("东片中队")`, { timeout: 15_000 });
    expect(await page.textContent(`${card} .unit`)).toBe('东片中队 · sam');
    expect(await page.textContent(`${card} .state`)).toContain('东片中队');
    expect(await page.textContent(`${card} .muted`)).toContain('南门摄像头 / 南门人行道');
    await browser.screenshot(page, 'center-walk-names-dispatch-zh');

    await page.goto(`${center!.url}/map`);
    // No basemap in this walk (no tiles configured): the marker is there but not laid out, so it is clicked by its event.
    const marker = '.mappoint.event[data-event-id="walk-names"]';
    await page.waitForSelector(marker, { state: 'attached', timeout: 30_000 });
    expect(await page.getAttribute(marker, 'title')).toContain('南门摄像头 / 南门人行道');
    await page.dispatchEvent(marker, 'click');
    await page.waitForSelector('#map-panel .event-detail .muted');
    expect(await page.textContent('#map-panel .event-detail .muted')).toContain('南门摄像头 / 南门人行道');
    expect(await page.textContent('#map-panel .event-detail .state')).toContain('东片中队');
    await browser.screenshot(page, 'center-walk-names-map-zh');

    await page.goto(`${center!.url}/stats`);
    await page.waitForSelector(`li[data-key="${site}/cam-2"] .bar-label`);
    expect(await page.textContent(`li[data-key="${site}/cam-2"] .bar-label`)).toBe('南门摄像头');
    expect(await page.textContent(`li[data-key="${site}/cam-2/kerb"] .bar-label`)).toBe('南门摄像头 / 南门人行道');
    await browser.screenshot(page, 'center-walk-names-stats-zh');

    // English pages show the same names (the installer's words) and the unit by its name too.
    const en = await login({ lang: 'en-US', width: 1366, height: 768 });
    await en.waitForSelector(`${row} .op-dispatch`, { timeout: 15_000 });
    expect(await en.textContent(`${row} .seen-at`)).toBe('南门摄像头 / 南门人行道');
    expect(await en.textContent(`${row} .op-dispatch`)).toMatch(/\(东片中队\)$/);
    await browser.screenshot(en, 'center-walk-names-queue-en');
  }, 120_000);

  it('on a phone the statistics and the units fit the screen, each figure under its heading', async () => {
    const page = await login({ lang: 'zh-CN', width: 390, height: 844 });
    const noSideScroll = () =>
      (globalThis as unknown as Win).document.documentElement.scrollWidth <=
      (globalThis as unknown as Win).document.documentElement.clientWidth;

    await page.goto(`${center!.url}/stats`);
    await page.waitForSelector('#weeks td');
    await page.waitForSelector('#hour-of-week');
    expect(await page.evaluate(noSideScroll)).toBe(true);
    // Each week on one line: its date, count and change side by side, not stacked in one column.
    const rowsOnOneLine = await page.evaluate(() =>
      Array.from((globalThis as unknown as Win).document.querySelectorAll('#weeks tr')).every((tr) => {
        const tops = Array.from(tr.querySelectorAll('td, th')).map((c) => Math.round(c.getBoundingClientRect().top));
        return tops.length === 3 && new Set(tops).size === 1;
      }),
    );
    expect(rowsOnOneLine).toBe(true);
    // No alert acknowledged yet: the figure says so, not "90% 在 无 内".
    expect(await page.textContent('#fig-ack > div:last-child')).toBe('本期内没有事件走到这一步');
    await browser.screenshot(page, 'center-walk-stats-390x844-zh');

    await page.goto(`${center!.url}/units`);
    await page.waitForSelector('#units td');
    expect(await page.evaluate(noSideScroll)).toBe(true);
    const headings = await page.evaluate(() =>
      Array.from((globalThis as unknown as Win).document.querySelectorAll('#units th')).map((th) => th.getBoundingClientRect().height),
    );
    expect(headings.length).toBeGreaterThan(3);
    expect(headings.every((height) => height > 0)).toBe(true);
    await browser.screenshot(page, 'center-walk-units-390x844-zh');
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);
});
