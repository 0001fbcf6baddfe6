import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderRecord, TransitionRecord } from '../../agent/src/center/patrol/workflow.ts';
import type { PlanView } from '../../agent/src/center/patrol-plan.ts';
import type { DiscoveryView } from '../../agent/src/center/planner.ts';
import type { Center } from '../../agent/src/center/service.ts';
import type { StatsReport } from '../../agent/src/center/stats.ts';
import type { EventRow } from '../../agent/src/center/wire.ts';
import { centerCategories } from '../../agent/src/cli/center-categories.ts';
import { alertSchema } from '../../agent/src/contract/alert.ts';
import { parseIncidentLog } from '../../agent/src/risk/incident.ts';
import { labelledJpeg, makeAlert, simulateBoxes, streetJpeg } from '../helpers/box-simulator.ts';
import type { TestBrowser } from '../helpers/browser.ts';
import { type CenterRig, startCenterRig } from '../helpers/center-rig.ts';
import { signInPage } from '../helpers/center-session.ts';
import type { Mosquitto } from '../helpers/mosquitto.ts';
import { sharedDir } from '../helpers/paths.ts';

/**
 * The bureau's statistics and the patrol plan, all real: mosquitto, simulated boxes publishing the contract,
 * `jifang center` on SQLite, Houston's 2010 records (January to March) imported as incidents, headless Chromium.
 */
const HOUSTON = join(sharedDir, 'risk', 'houston_crime_2010.csv');
/** Houston's clock in spring 2010 (daylight time): the center reads days, hours and slots on it. */
const OFFSET = '-05:00';
const HOUR = 3_600_000;
/** Two responsibility areas of Houston, [lon, lat] rings: downtown and a strip west of it. */
const DOWNTOWN: [number, number][] = [
  [-95.4, 29.73],
  [-95.34, 29.73],
  [-95.34, 29.79],
  [-95.4, 29.79],
];
const WEST: [number, number][] = [
  [-95.6, 29.7],
  [-95.45, 29.7],
  [-95.45, 29.8],
  [-95.6, 29.8],
];
/** Inside an axis-aligned ring (the areas above are rectangles). */
const inside = ([lon, lat]: [number, number], ring: [number, number][]) =>
  lon >= ring[0][0] && lon <= ring[1][0] && lat >= ring[0][1] && lat <= ring[2][1];

describe('statistics and patrol plan in the center (mosquitto, simulated boxes, SQLite, Chromium)', () => {
  let rig: CenterRig;
  let broker: Mosquitto;
  let center: Center;
  let browser: TestBrowser & { pageErrors: string[] };
  let events: EventRow[];
  let houston: number;
  const localDay = (at: number) => new Date(at - 5 * HOUR).toISOString().slice(0, 10);
  let range: string;

  beforeAll(async () => {
    rig = await startCenterRig({
      name: 'center-stats',
      users: { dora: ['dispatcher', 'dispatcher-pass-1'], pete: ['patrol', 'patrol-pass-1'] },
      config: { risk: { utcOffset: OFFSET, cellMeters: 500, dailyBudget: 6 } },
      options: { categories: centerCategories() },
    });
    ({ broker, browser, center } = rig);
    const spring = parseIncidentLog(readFileSync(HOUSTON, 'utf8'), 'houston_crime_2010.csv').incidents.filter(
      (i) => i.time < Date.parse('2010-04-01T00:00:00-05:00'),
    );
    houston = (await center.store.incidents.saveIncidents(spring, Date.now())).added;
    await center.store.patrol.putUnit({
      id: 'downtown',
      name: '中心城区中队',
      kind: 'team',
      members: [],
      area: [DOWNTOWN],
      duty: [],
      updatedAt: Date.now(),
    });
    await center.store.patrol.putUnit({
      id: 'west',
      name: '西区巡查员',
      kind: 'officer',
      members: ['pete'],
      area: [WEST],
      duty: [],
      updatedAt: Date.now(),
    });

    const boxes = await simulateBoxes({ url: broker.url, boxes: 2, eventsPerBox: 4 });
    await boxes.close();
    for (let i = 0; i < 100 && (await center.store.listEvents({})).length < 8; i++) await new Promise((r) => setTimeout(r, 100));
    events = (await center.store.listEvents({})).sort((a, b) => a.site.localeCompare(b.site) || a.id.localeCompare(b.id));
    await seedHandling(center, events);
    await seedOrders(center, Date.now() - 3 * HOUR);
    await calledFalse(broker.url, events[7]);
    const isFalse = async () => (await center.store.getEvent(events[7].id, events[7].site))?.event.operatorAction === 'false_positive';
    for (let i = 0; i < 100 && !(await isFalse()); i++) await new Promise((r) => setTimeout(r, 100));
    range = `from=${localDay(Date.now() - 24 * HOUR)}&to=${localDay(Date.now() + 24 * HOUR)}`;
  }, 180_000);

  afterAll(async () => {
    await rig?.close();
  });

  const login = async (lang: string, user = 'dora', password = 'dispatcher-pass-1'): Promise<Page> => {
    const { page } = await browser.page({ lang, width: 1280, height: 1000 });
    await signInPage(page, center.url, user, password);
    if (user === 'dora') await page.waitForSelector('#live.on', { timeout: 30_000 });
    else await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return page;
  };
  const getJson = async <T>(page: Page, path: string): Promise<T> => {
    const r = await page.request.get(`${center.url}${path}`);
    expect(r.status(), await r.text()).toBe(200);
    return (await r.json()) as T;
  };

  it('refuses the statistics and the plan without a session', async () => {
    for (const path of ['/api/stats/summary', '/api/stats/summary.csv', '/api/plan', '/api/plan/discovery', '/api/patrol/slots'])
      expect((await fetch(`${center.url}${path}`)).status, path).toBe(401);
  });

  it('counts the archived events and times their handling exactly as they were put in', async () => {
    const page = await login('en-US');
    const r = await getJson<StatsReport>(page, `/api/stats/summary?${range}`);
    expect(r.total).toBe(8);
    expect(r.falsePositives).toBe(1);
    expect(r.byCategory.map((c) => [c.key, c.count, c.falsePositives])).toEqual([['illegal_parking', 8, 1]]);
    expect(r.bySite.map((c) => [c.key, c.count])).toEqual([
      ['sim-000', 4],
      ['sim-001', 4],
    ]);
    expect(r.byCamera.map((c) => c.key)).toEqual(['sim-000/cam-1', 'sim-001/cam-1']);
    expect(r.byDay.reduce((s, d) => s + d.count, 0)).toBe(8);
    expect(r.hourOfWeek.flat().reduce((s, n) => s + n, 0)).toBe(8);
    // ack after 60…480 s, dispatch after 300…1200 s (a refused one not counted), resolve after 1800 and 3600 s.
    expect(r.handling).toEqual({
      ack: { n: 8, medianSeconds: 240, p90Seconds: 480 },
      dispatch: { n: 4, medianSeconds: 600, p90Seconds: 1200 },
      resolve: { n: 2, medianSeconds: 1800, p90Seconds: 3600 },
    });
    // Work orders: 立案 → 派遣 5 min → 到场 20 min → 处置 30 min, 结案 at 60 min; one closed on the warning alone.
    expect(r.orders).toMatchObject({ total: 2, open: 0, warned: 1, closedAs: { handled: 1, corrected_after_warning: 1 } });
    expect(r.orders.times).toEqual({
      dispatch: { n: 1, medianSeconds: 300, p90Seconds: 300 },
      arrive: { n: 1, medianSeconds: 1200, p90Seconds: 1200 },
      handle: { n: 1, medianSeconds: 1800, p90Seconds: 1800 },
      close: { n: 2, medianSeconds: 480, p90Seconds: 3600 },
    });
    const other = await getJson<StatsReport>(page, `/api/stats/summary?${range}&category=street_vending`);
    expect(other.total).toBe(0);
    expect(other.orders.total).toBe(0);

    const csv = await page.request.get(`${center.url}/api/stats/summary.csv?${range}`);
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(await csv.text()).toContain('\r\ncategory,illegal_parking,illegal_parking,8,1\r\n');
    await page.goto(`${center.url}/stats?${range}`);
    await page.waitForSelector('#fig-ack strong');
    expect(await page.textContent('#stats h2')).toContain('Statistics');
    expect(await page.textContent('#fig-ack strong')).toBe('4 min');
    const bad = await page.request.get(`${center.url}/api/stats/summary?from=yesterday`);
    expect(bad.status()).toBe(400);
    expect(await bad.text()).toContain('from: expected a date YYYY-MM-DD');
    for (const path of [
      '/api/stats/summary?to=2026-13-01',
      '/api/stats/summary?from=2026-12-09&to=2026-12-01',
      '/api/plan?from=2026-13-01',
    ])
      expect((await page.request.get(`${center.url}${path}`)).status(), path).toBe(400);
  });

  it("turns the archive's events into incidents once (source archive, the false positive left out), beside the imported log", async () => {
    await center.planner.refit();
    await center.planner.refit();
    const all = await center.store.incidents.listIncidents();
    const archived = all.filter((i) => i.source === 'archive');
    expect(archived.map((i) => i.sourceId).sort()).toEqual(events.slice(0, 7).map((e) => `${e.site}/${e.id}`));
    expect(all.filter((i) => i.source === 'houston_crime_2010.csv')).toHaveLength(houston);
  });

  it('plans the budget for the asked day on the city clock, with why, and shows the live discovery beside the backtest', async () => {
    const page = await login('en-US');
    const plan = await getJson<PlanView>(page, '/api/plan?from=2010-04-01&days=1&budget=6');
    expect(plan.areas).toEqual(['downtown', 'west']);
    expect(plan.slots).toHaveLength(12);
    const day = Date.parse('2010-04-01T00:00:00-05:00');
    for (const s of plan.slots) {
      expect(s.start).toBeGreaterThanOrEqual(day);
      expect(s.end).toBeLessThanOrEqual(day + 24 * HOUR);
      // Houston, not the simulated boxes' Shanghai: those few archive events are far from the city's middle.
      expect(Math.abs(s.centre.lat - 29.76)).toBeLessThan(0.5);
      expect(s.expected).toBeGreaterThan(0);
    }
    const two = await getJson<PlanView>(page, '/api/plan?from=2010-04-01&days=2');
    expect(two.slots).toHaveLength(2 * 2 * 6);
    expect((await page.request.get(`${center.url}/api/plan?budget=-1`)).status()).toBe(400);
    expect((await page.request.get(`${center.url}/api/plan?area=nowhere`)).status()).toBe(404);

    // Two slots that just ended: one over the first simulated box's events, one a kilometre away.
    const at = events[0];
    const slot = (dLat: number) => ({
      area: 'city',
      start: at.startedAt - 2 * HOUR,
      end: Date.now() - 1,
      south: at.lat - 0.001 + dLat,
      north: at.lat + 0.001 + dLat,
      west: at.lon - 0.001,
      east: at.lon + 0.001,
      expected: 1,
    });
    expect(await center.store.stats.savePlannedSlots([slot(0), slot(0.01)], Date.now())).toBe(2);
    const d = await getJson<DiscoveryView>(page, '/api/plan/discovery');
    expect(d.live.overall).toEqual({ slots: 2, found: 1, share: 0.5 });
    expect(d.backtest?.weeks.length).toBeGreaterThan(0);
    expect(d.backtest?.overall.share).toBeGreaterThan(0);
  });

  it("plans each unit's responsibility area with its own budget, and an officer gets his unit's slots", async () => {
    const page = await login('en-US');
    const plan = await getJson<PlanView>(page, '/api/plan?from=2010-04-01&days=1&budget=4');
    expect(plan.areas).toEqual(['downtown', 'west']);
    for (const [id, ring] of [
      ['downtown', DOWNTOWN],
      ['west', WEST],
    ] as const) {
      const slots = plan.slots.filter((s) => s.area === id);
      expect(slots).toHaveLength(4);
      for (const s of slots) expect(inside([s.centre.lon, s.centre.lat], ring)).toBe(true);
    }
    const one = await getJson<PlanView>(page, '/api/plan?from=2010-04-01&days=1&budget=3&area=west');
    expect(one.slots.map((s) => s.area)).toEqual(['west', 'west', 'west']);

    const officer = await login('zh-CN', 'pete', 'patrol-pass-1');
    const mine = await getJson<PlanView>(officer, '/api/patrol/slots');
    expect(mine.areas).toEqual(['west']);
    expect(mine.slots).toHaveLength(6);
    expect(mine.slots.every((s) => s.area === 'west' && inside([s.centre.lon, s.centre.lat], WEST))).toBe(true);
    // The officer sees his slots, not the bureau's statistics.
    expect((await officer.request.get(`${center.url}/api/stats/summary`)).status()).toBe(403);
  });

  it('draws the statistics page in Chinese with its charts; a click on a category opens the events behind it; printable', async () => {
    const page = await login('zh-CN');
    await page.goto(`${center.url}/stats?${range}`);
    await page.waitForSelector('#fig-total strong');
    expect(await page.textContent('#nav-stats')).toBe('统计分析');
    expect(await page.textContent('#fig-total strong')).toBe('8');
    expect(await page.textContent('#fig-false strong')).toBe('12.5 %');
    expect(await page.textContent('#fig-ack strong')).toBe('4 分钟');
    expect(await page.textContent('#stats h2')).toContain('统计分析');
    expect(await page.textContent('#stats ul.bars li[data-key="illegal_parking"]')).toContain('机动车乱停放');
    expect(await page.$$eval('#chart-days canvas', (c) => c.length)).toBe(1);
    expect(await page.$$eval('#hour-of-week td', (cells) => cells.reduce((s, c) => s + Number(c.textContent || 0), 0))).toBe(8);
    await page.click('#stats ul.bars li[data-key="illegal_parking"]');
    await page.waitForSelector('#events-behind li');
    expect(await page.$$eval('#events-behind li', (l) => l.length)).toBe(8);
    expect(await page.getAttribute('#events-behind li a', 'href')).toMatch(/^\/\?event=sim-00\d-ev-\d&site=sim-00\d$/);
    // At 1280 px the navigation is one line: "退出" on the row of the first link, not wrapped below it.
    const first = await page.locator('#nav-queue').boundingBox();
    const logout = await page.locator('#logout').boundingBox();
    expect(Math.abs(logout!.y - first!.y)).toBeLessThan(first!.height);
    await browser.screenshot(page, 'center-stats-zh');
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('nav.top')).toBe(false);
    expect(await page.isVisible('#stats .filters')).toBe(false);
    expect(await page.isVisible('#fig-total')).toBe(true);
    expect(browser.pageErrors).toEqual([]);
  });

  it('names the categories in English on the English statistics page (the alerts carry only the Chinese name)', async () => {
    const page = await login('en-US');
    await page.goto(`${center.url}/stats?${range}`);
    await page.waitForSelector('#stats ul.bars li[data-key="illegal_parking"]');
    expect(await page.textContent('#stats ul.bars li[data-key="illegal_parking"]')).toContain('Illegal parking (motor vehicle)');
    expect(await page.textContent('#stats-category option[value="illegal_parking"]')).toContain('Illegal parking (motor vehicle)');
    await page.click('#stats ul.bars li[data-key="illegal_parking"]');
    await page.waitForSelector('#events-behind li');
    expect(await page.textContent('#events-behind li')).toContain('Illegal parking (motor vehicle)');
    expect(await page.textContent('#stats')).not.toContain('机动车乱停放');
    expect(browser.pageErrors).toEqual([]);
  });

  it('draws the patrol plan page in Chinese: the slots, why, where to thin, and the two discovery figures', async () => {
    const page = await login('zh-CN');
    await page.goto(`${center.url}/plan?from=2010-04-01&days=1&budget=6`);
    await page.waitForSelector('#plan-slots tr.slot');
    expect(await page.textContent('#nav-plan')).toBe('巡查计划');
    expect(await page.$$eval('#plan-slots tr.slot', (r) => r.length)).toBe(12);
    expect(await page.textContent('#plan-slots tr.slot')).toContain('近期');
    expect(await page.textContent('#discovery-live strong')).toBe('50 %');
    expect(await page.textContent('#discovery-backtest strong')).toMatch(/^\d+(\.\d)? %$/);
    expect(await page.textContent('#plan-thin h3')).toContain('可减少巡查');
    await browser.screenshot(page, 'center-plan-zh');
    expect(browser.pageErrors).toEqual([]);
  });

  it("draws the risk heat and today's plan on the dispatch map when its switch is on", async () => {
    const page = await login('zh-CN');
    await page.goto(`${center.url}/map`);
    await page.waitForSelector('#map[data-ready="1"]', { timeout: 60_000 });
    // Two units' areas, 6 slots a day each (risk.dailyBudget).
    await page.waitForSelector('label.map-plan-switch[data-slots="12"]', { timeout: 60_000 });
    expect(await page.textContent('label.map-plan-switch')).toContain('风险热力与今日巡查计划（12 个时段）');
    // Below the map: coming late (the plan's first fit takes a while), it does not push the map from under the pointer.
    const map = (await page.locator('#map').boundingBox())!;
    expect((await page.locator('label.map-plan-switch').boundingBox())!.y).toBeGreaterThanOrEqual(map.y + map.height);
    await page.check('#map-plan');
    await page.waitForLoadState('networkidle');
    await browser.screenshot(page, 'center-map-plan-zh');
    expect(browser.pageErrors).toEqual([]);
  });
});

/**
 * Handling as a dispatcher did it, applied by the box: event k acknowledged (k+1) minutes after it reached the
 * center, the first four dispatched after (k+1) × 5 minutes, the first two resolved after (k+1) × 30 minutes; one
 * dispatch the box refused, which is not handling.
 */
async function seedHandling(center: Center, events: EventRow[]): Promise<void> {
  let n = 0;
  const act = async (e: EventRow, action: string, afterMs: number, result: 'ok' | 'refused' = 'ok') => {
    const requestId = `seed-${++n}`;
    await center.store.recordAction({
      requestId,
      eventId: e.id,
      site: e.site,
      action,
      by: 'dora',
      role: 'dispatcher',
      unit: action === 'dispatch' ? '一中队' : null,
      note: null,
      requestedAt: e.firstSeen + afterMs,
    });
    await center.store.finishAction(requestId, result, result === 'ok' ? null : 'refused', e.firstSeen + afterMs + 500);
  };
  for (const [k, e] of events.entries()) {
    await act(e, 'ack', (k + 1) * 60_000);
    if (k < 4) await act(e, 'dispatch', (k + 1) * 300_000);
    if (k < 2) await act(e, 'resolve', (k + 1) * 1_800_000);
  }
  await act(events[6], 'dispatch', 100_000, 'refused');
}

/** The box applies an operator's "false positive" and says so in the event's next message, as a real box does. */
async function calledFalse(url: string, e: EventRow): Promise<void> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `jifang-${e.site}-box-2` });
  const alert = makeAlert({
    site: e.site,
    camera: e.camera,
    id: e.id,
    seq: 3,
    state: 'cleared',
    jpeg: labelledJpeg(await streetJpeg(), 'fp'),
  });
  const fp = alertSchema.parse({ ...alert, operator: { action: 'false_positive', by: 'dora', at: new Date().toISOString() } });
  await client.publishAsync(`jifang/v1/${e.site}/${e.camera}/events`, JSON.stringify(fp), { qos: 1 });
  await client.endAsync();
}

/** Two work orders opened at `t0`, as the patrol workflow leaves them: one patrolled and closed, one closed on the warning alone. */
async function seedOrders(center: Center, t0: number): Promise<void> {
  const MIN = 60_000;
  const base = {
    category: 'illegal_parking',
    events: [],
    lon: 121.47,
    lat: 31.23,
    address: null,
    note: null,
    photos: [],
    openedBy: 'dora',
    openedAt: t0,
    due: { dispatch: t0 + 10 * MIN, arrive: t0 + 40 * MIN, handle: t0 + 100 * MIN },
    escalated: [],
    repeatOf: null,
    handledBy: null,
  };
  const step = (
    orderId: string,
    to: OrderRecord['state'],
    action: TransitionRecord['action'],
    at: number,
    reason: TransitionRecord['reason'] = null,
  ) => ({
    orderId,
    from: null,
    to,
    action,
    by: 'dora',
    at,
    where: null,
    note: null,
    unit: null,
    outcome: null,
    reason,
    clientId: null,
  });
  const orders: [OrderRecord, number][] = [
    [
      {
        ...base,
        id: 'wo-00000000000a',
        state: 'closed',
        unit: 'west',
        outcome: 'corrected',
        closedAs: 'handled',
        done: { dispatch: t0 + 5 * MIN, arrive: t0 + 25 * MIN, handle: t0 + 55 * MIN },
        warned: false,
        updatedAt: t0 + 60 * MIN,
        rev: 1,
      },
      t0 + 60 * MIN,
    ],
    [
      {
        ...base,
        id: 'wo-00000000000b',
        state: 'closed',
        unit: null,
        outcome: null,
        closedAs: 'corrected_after_warning',
        done: {},
        warned: true,
        updatedAt: t0 + 8 * MIN,
        rev: 1,
      },
      t0 + 8 * MIN,
    ],
  ];
  for (const [o, closedAt] of orders) {
    await center.store.patrol.insertOrder(o, step(o.id, 'filed', 'open', t0));
    await center.store.patrol.saveStep(1, { ...o, rev: 2 }, step(o.id, 'closed', 'close', closedAt, o.closedAs));
  }
}
