import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order, Unit } from '../../agent/src/center/patrol/schema.ts';
import type { Center } from '../../agent/src/center/service.ts';
import { centerCategories } from '../../agent/src/cli/center-categories.ts';
import type { Alert } from '../../agent/src/contract/alert.ts';
import { labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import type { TestBrowser } from '../helpers/browser.ts';
import { type CenterRig, startCenterRig } from '../helpers/center-rig.ts';
import { signedInApi, signInPage } from '../helpers/center-session.ts';
import type { Mosquitto } from '../helpers/mosquitto.ts';

/**
 * The dispatcher's and the admin's patrol pages, all real: mosquitto, `jifang center` on SQLite with the patrol wing,
 * a box's alerts over MQTT, headless Chromium at 1440×900, mostly in Chinese. A patrol officer's phone is played by
 * the patrol API itself (log in, go on duty, report a position), as the phone page does.
 */
const site = 'desk-box';
/** The spot of the first alert, inside the east team's area; the second spot is about 500 m away, in no area. */
const SPOT: [number, number] = [121.4738, 31.2305];
const OTHER: [number, number] = [121.4788, 31.2325];
const EAST_AREA: [number, number][] = [
  [121.472, 31.229],
  [121.476, 31.229],
  [121.476, 31.232],
  [121.472, 31.232],
];
const PASS = 'desk-pass-1';

describe('the dispatcher and the admin work with orders and units (mosquitto, SQLite, Chromium)', () => {
  let rig: CenterRig;
  let broker: Mosquitto;
  let center: Center | undefined;
  let browser: TestBrowser & { pageErrors: string[] };
  let box: MqttClient;

  beforeAll(async () => {
    rig = await startCenterRig({
      name: 'center-patrol-desk',
      users: {
        dora: ['dispatcher', PASS],
        sam: ['supervisor', PASS],
        ada: ['admin', PASS],
        pat1: ['patrol', PASS],
        pat2: ['patrol', PASS],
        pat3: ['patrol', PASS],
      },
      config: {
        patrol: {
          units: [
            { id: 'east', name: '东片中队', members: ['pat1'], area: [EAST_AREA] },
            { id: 'near', name: '机动二组', kind: 'officer', members: ['pat2'] },
          ],
          // Loitering orders are late at once: the overdue highlight without waiting for a real limit.
          limits: { loitering: { dispatch: 0.005, arrive: 0.005, handle: 0.005 } },
          checkSeconds: 1,
        },
      },
      options: { categories: centerCategories() },
    });
    ({ broker, browser, center } = rig);
    box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `jifang-${site}-box` });
    // The second unit's officer goes on duty a few hundred metres from the spot: proposed by distance, after the area.
    const pat2 = await apiSession('pat2');
    await pat2('POST', '/api/patrol/duty', { onDuty: true });
    await pat2('POST', '/api/patrol/position', { lon: SPOT[0] + 0.003, lat: SPOT[1], accuracyM: 8, at: new Date().toISOString() });
  }, 120_000);

  afterAll(async () => {
    await box?.endAsync();
    await rig?.close();
  });

  /** The patrol API as a logged-in user (what the officer's phone does). */
  const apiSession = (user: string) => signedInApi(center!.url, user, PASS);

  const login = async (user: string, lang = 'zh-CN'): Promise<Page> => {
    const { page } = await browser.page({ lang, width: 1440, height: 900 });
    await signInPage(page, center!.url, user, PASS);
    await page.waitForSelector('#live.on', { timeout: 30_000 });
    return page;
  };

  /** A box's alert (and its snapshot) published as the contract says, at `where`. */
  async function publishAlert(id: string, camera: string, where: [number, number], type: Alert['type'] = 'illegal_parking'): Promise<void> {
    const jpeg = labelledJpeg(await streetJpeg(), id);
    const alert = makeAlert({ site, camera, id, seq: 0, state: 'started', jpeg, type, lon: where[0], lat: where[1] });
    await box.publishAsync(`jifang/v1/${site}/${camera}/events`, JSON.stringify(alert), { qos: 1 });
    await box.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 });
  }

  const openOrderId = (page: Page) => new URL(page.url()).searchParams.get('order')!;

  it('an alert becomes an order from its page; the area unit is proposed first and one click sends it', async () => {
    await publishAlert('desk-ev-1', 'cam-1', SPOT);
    const page = await login('dora');
    await page.goto(`${center!.url}/?event=desk-ev-1&site=${site}`);
    // The alert in Chinese words: the category's name, not the box's identifier; the rule as a sentence, no JSON.
    await page.waitForSelector('#detail-type');
    expect(await page.textContent('#detail-type')).toMatch(/^机动车乱停放/);
    expect(await page.textContent('#rule')).toBe('违法停车：机动车在区域内静止停放 15 秒以上（no-parking）');
    expect(await page.textContent('#queue tr[data-event-id="desk-ev-1"] .type')).toMatch(/^机动车乱停放/);
    await page.click('#open-order', { timeout: 15_000 });
    await page.waitForURL(/\/orders\?order=wo-/);
    const rows = page.locator('#proposals tbody tr');
    await rows.first().waitFor({ timeout: 15_000 });
    expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-unit')))).toEqual(['east', 'near']);
    expect(await rows.nth(0).locator('.why-area').textContent()).toBe('辖区内');
    expect(await rows.nth(1).textContent()).toContain('距离最近');
    expect(await rows.nth(1).textContent()).toMatch(/\d+ m/);
    expect(await page.textContent('#order-title')).toContain('已立案');
    // The category in the standard's words and code, not the box's identifier.
    expect(await page.textContent('#order-category')).toContain('机动车乱停放');
    expect(await page.locator('#order-alerts img').count()).toBe(1);
    // The linked alert says where by the box's names for its camera and zone, their ids on hover.
    const linked = page.locator('#order-alerts a.linked-alert span');
    expect(await linked.textContent()).toContain('Camera cam-1 / Kerb');
    expect(await linked.getAttribute('title')).toBe(`${site} / cam-1 / kerb`);

    const id = openOrderId(page);
    await rows.nth(0).locator('button.send').click();
    await page.waitForSelector('#order-title .wo-dispatched');
    expect(await page.textContent('#order-unit')).toBe('东片中队');
    expect(await page.textContent('#order-timeline li[data-action="dispatch"]')).toContain('dora');
    expect(await page.textContent(`#orders tr[data-order-id="${id}"]`)).toContain('已派遣');
    await browser.screenshot(page, 'center-order-dispatched-zh');

    // The event page now links the order instead of offering a second one.
    await page.goto(`${center!.url}/?event=desk-ev-1&site=${site}`);
    await page.waitForSelector(`#order-box a[data-order-link="${id}"]`);
    expect(await page.$('#open-order')).toBeNull();
  }, 120_000);

  it('two alerts of one spot ticked in the queue make one order holding both', async () => {
    await publishAlert('desk-ev-2', 'cam-1', OTHER);
    await publishAlert('desk-ev-3', 'cam-2', OTHER);
    const page = await login('dora');
    for (const id of ['desk-ev-2', 'desk-ev-3']) await page.check(`#queue tr[data-event-id="${id}"] input.merge-pick`, { timeout: 15_000 });
    expect(await page.textContent('#merge-order')).toContain('2');
    await browser.screenshot(page, 'center-queue-merge-zh');
    await page.click('#merge-order');
    await page.waitForURL(/\/orders\?order=wo-/);
    await page.waitForSelector('#order-alerts a[data-event-id="desk-ev-3"]');
    expect(
      await page.locator('#order-alerts a.linked-alert').evaluateAll((as) => as.map((a) => a.getAttribute('data-event-id')).sort()),
    ).toEqual(['desk-ev-2', 'desk-ev-3']);
    // No unit's area holds this spot: the available officer is proposed by distance only.
    expect(await page.locator('#proposals tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-unit')))).toEqual(['near']);
  }, 120_000);

  it('an order late for dispatch is highlighted with the late stage and counted in the navigation', async () => {
    await publishAlert('desk-ev-late', 'cam-3', [SPOT[0] - 0.01, SPOT[1]], 'loitering');
    const dora = await apiSession('dora');
    // Opened like the dispatcher's button does; its 0.3 s limit has passed when the page draws it.
    const { order } = await dora<{ order: Order }>('POST', '/api/orders', { events: [{ site, id: 'desk-ev-late' }] });
    await new Promise((r) => setTimeout(r, 1_000));
    const page = await login('dora');
    await page.goto(`${center!.url}/orders`);
    const row = page.locator(`#orders tr.late[data-order-id="${order.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('[data-stage="dispatch"]').textContent()).toContain('派遣超时');
    expect(Number(await page.textContent('#nav-overdue'))).toBeGreaterThanOrEqual(1);
    expect(await page.isVisible('#nav-overdue')).toBe(true);
    // Late first: the late order is the list's top row.
    expect(await page.locator('#orders tbody tr').first().getAttribute('data-order-id')).toBe(order.id);
    await page.check('#orders-overdue');
    expect(await page.locator('#orders tbody tr').evaluateAll((rs) => rs.every((r) => r.classList.contains('late')))).toBe(true);

    // By keyboard: Tab from the search field reaches the rows; Enter opens one.
    await page.focus('#orders-search');
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      if (await page.locator('#orders tr[data-order-id]:focus').count()) break;
    }
    expect(await page.locator('#orders tr[data-order-id]:focus').getAttribute('data-order-id')).toBe(order.id);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#order-late [data-stage="dispatch"]');
    // The center escalates the late stage to the supervisors once; the detail says so when the feed brings it.
    await page.waitForSelector('#order-escalated', { timeout: 15_000 });
    expect(await page.textContent('#order-escalated')).toContain('派遣超时');
    await browser.screenshot(page, 'center-orders-overdue-zh');
  }, 120_000);

  it('handled by the officer (shown live, no reload), verified by the supervisor as the second person, closed; the timeline says who and where', async () => {
    const dora = await apiSession('dora');
    const pat1 = await apiSession('pat1');
    const { orders } = await dora<{ orders: Order[] }>('GET', '/api/orders?state=dispatched');
    const o = orders.find((x) => x.unit === 'east')!;
    const page = await login('sam');
    await page.goto(`${center!.url}/orders?order=${o.id}`);
    await page.waitForSelector('#order-title .wo-dispatched');

    // The officer's phone moves the order on; the open page follows the live feed.
    const where = { lon: SPOT[0], lat: SPOT[1], accuracyM: 6 };
    for (const action of ['accept', 'arrive'] as const)
      await pat1('POST', `/api/orders/${o.id}/transition`, { action, where, clientId: crypto.randomUUID() });
    await page.waitForSelector(`#orders tr[data-order-id="${o.id}"] .wo-on_scene`, { timeout: 15_000 });
    await pat1('POST', `/api/orders/${o.id}/transition`, { action: 'handle', outcome: 'corrected', where, clientId: crypto.randomUUID() });
    await page.waitForSelector('#order-title .wo-handled', { timeout: 15_000 });
    expect(await page.textContent('#order-outcome')).toBe('当场整改');
    expect(await page.textContent('#order-timeline li[data-action="arrive"]')).toContain('31.2305');
    await page.click('#order-actions button[data-action="verify"]');
    await page.waitForSelector('#order-title .wo-closed');
    expect(await page.textContent('#order-timeline li[data-action="verify"]')).toContain('sam');
    expect(await page.isVisible('#order-actions button[data-action="reopen"]')).toBe(true);
    await browser.screenshot(page, 'center-order-verified-zh');
  }, 120_000);

  it('a repeat at the spot of a closed order is linked from the alert and both ways between the orders; a reopened order says how often it was sent back', async () => {
    const dora = await apiSession('dora');
    const closed = (await dora<{ orders: Order[] }>('GET', '/api/orders?state=closed')).orders.find((x) => x.unit === 'east')!;
    await publishAlert('desk-ev-4', 'cam-1', SPOT);
    const page = await login('dora');
    // The center opens a repeat by itself: the alert's page links it rather than offering a second order.
    await page.goto(`${center!.url}/?event=desk-ev-4&site=${site}`);
    await page.click('#order-box a[data-order-link]', { timeout: 15_000 });
    expect(await page.$('#open-order')).toBeNull();
    await page.waitForURL(/\/orders\?order=wo-/);
    const repeat = openOrderId(page);
    expect(repeat).not.toBe(closed.id);
    await page.waitForSelector(`#repeat-of a[data-order-link="${closed.id}"]`);
    expect(await page.textContent('#repeat-of')).toContain('同一地点再次发生');

    await page.click(`#repeat-of a[data-order-link="${closed.id}"]`);
    await page.waitForSelector(`#repeated-by a[data-order-link="${repeat}"]`);
    await page.click('#order-actions button[data-action="reopen"]');
    await page.waitForSelector('#order-title .wo-dispatched');
    expect(await page.textContent('#reopened')).toContain('1');
    expect(await page.textContent('#order-timeline li[data-action="reopen"]')).toContain('dora');
  }, 120_000);

  it('the Chinese orders page shows words, not identifiers; the English one speaks English', async () => {
    const zh = await login('dora');
    await zh.goto(`${center!.url}/orders?order=${(await firstOrder()).id}`);
    await zh.waitForSelector('#order-title');
    // Drawn first from the address alone, the page has its words (the catalogue) once it holds the archive's rows.
    await zh.waitForSelector('main[aria-busy="false"]');
    const text = (await zh.textContent('main'))!;
    for (const id of ['illegal_parking', 'dispatched', 'filed', 'available', 'off_duty', 'undefined', 'null'])
      expect(text).not.toContain(id);
    expect(await zh.textContent('#nav-orders')).toContain('工单');
    const en = await login('dora', 'en-US');
    await en.goto(`${center!.url}/orders`);
    await en.waitForSelector('main[aria-busy="false"]');
    expect(await en.textContent('#nav-orders')).toContain('Work orders');
    expect(await en.textContent('#orders')).toContain('filed');
    expect(await en.textContent('#orders')).toContain('Illegal parking');
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);

  async function firstOrder(): Promise<Order> {
    const dora = await apiSession('dora');
    return (await dora<{ orders: Order[] }>('GET', '/api/orders')).orders[0]!;
  }

  it('a hotline order: the place clicked on the map, the category from the catalogue, a photo uploaded', async () => {
    const page = await login('dora');
    await page.goto(`${center!.url}/orders`);
    await page.click('#order-new');
    await page.waitForSelector('#manual-map .pick-map-canvas[data-ready="1"]', { timeout: 30_000 });
    const canvas = page.locator('#manual-map canvas.maplibregl-canvas');
    const box = (await canvas.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector('#manual-point:not(.muted)');
    const [lat, lon] = (await page.textContent('#manual-point'))!.match(/-?\d+\.\d+/g)!.map(Number);
    expect(Math.abs(lon! - SPOT[0])).toBeLessThan(0.05);
    expect(Math.abs(lat! - SPOT[1])).toBeLessThan(0.05);
    await page.fill('#manual-address', '南京东路 100 号门前');
    await page.selectOption('#manual-category', 'street_vending');
    await page.fill('#manual-note', '市民热线：门前摆摊');
    await page.setInputFiles('#manual-photos', { name: 'hotline.jpg', mimeType: 'image/jpeg', buffer: await streetJpeg() });
    await browser.screenshot(page, 'center-order-hotline-form-zh');
    await page.click('#manual-submit');
    await page.waitForURL(/\/orders\?order=wo-/);
    await page.waitForSelector('#order-photos img');
    expect(await page.textContent('#order-category')).toContain('占道经营');
    expect(await page.textContent('#order-place')).toContain('南京东路 100 号门前');
    expect(
      await page.locator('#order-photos img').evaluate((el) => {
        const img = el as unknown as { decode(): Promise<void>; naturalWidth: number };
        return img.decode().then(() => img.naturalWidth);
      }),
    ).toBe(640);
    const o = await (await apiSession('dora'))<Order>('GET', `/api/orders/${openOrderId(page)}`);
    expect(o.place.lon).toBeCloseTo(lon!, 5);
    expect(o.category).toBe('street_vending');
    expect(o.photos).toHaveLength(1);
  }, 120_000);

  it('the admin creates a unit with duty hours and an area drawn by clicks, edits it (warned before leaving unsaved) and deletes it', async () => {
    const page = await login('ada');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.type());
      // Leaving with unsaved edits is refused; deleting is confirmed.
      void (d.type() === 'confirm' && d.message().includes('删除') ? d.accept() : d.dismiss());
    });
    await page.goto(`${center!.url}/units`);
    await page.click('#unit-new');
    await page.fill('#unit-name', '西片中队');
    // An officer serves in one unit: pat1 and pat2 have theirs, pat3 none yet.
    await page.check('#unit-members input[value="pat3"]');
    expect(await page.locator('#unit-members input').evaluateAll((cs) => cs.map((c) => (c as unknown as { value: string }).value))).toEqual(
      ['pat1', 'pat2', 'pat3'],
    );
    await page.click('#duty-add');
    await page.uncheck('#unit-duty [data-slot="0"] input[data-day="5"]');
    await page.fill('#unit-duty [data-slot="0"] input[data-time="from"]', '07:30');
    // The editor's tools appear above the map once it is ready: measure the map after that.
    await page.waitForSelector('#unit-map .pick-map-canvas[data-ready="1"]', { timeout: 30_000 });
    await page.waitForSelector('#unit-map .draw-toolbar');
    const canvas = page.locator('#unit-map canvas.maplibregl-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const b = (await canvas.boundingBox())!;
    for (const [fx, fy] of [
      [0.3, 0.3],
      [0.7, 0.3],
      [0.7, 0.7],
      [0.3, 0.7],
    ] as const)
      await page.mouse.click(b.x + b.width * fx, b.y + b.height * fy);
    await page.click('#unit-map .draw-close');
    await browser.screenshot(page, 'center-unit-form-zh');
    await page.click('#unit-save');
    await page.waitForSelector('#units-note.ok');
    const ada = await apiSession('ada');
    const made = (await ada<{ units: Unit[] }>('GET', '/api/units')).units.find((u) => u.name === '西片中队')!;
    expect(made.members).toEqual(['pat3']);
    expect(made.duty).toEqual([{ days: [1, 2, 3, 4], from: '07:30', to: '18:00' }]);
    expect(made.area).toHaveLength(1);
    expect(made.area[0]).toHaveLength(4);
    // Clicked in order, the corners go round: west-north, east-north, east-south, west-south.
    const [nw, ne, se, sw] = made.area[0]!;
    expect(ne![0]).toBeGreaterThan(nw![0]);
    expect(se![1]).toBeLessThan(ne![1]);
    expect(sw![0]).toBeLessThan(se![0]);
    const row = page.locator(`#units tr[data-unit="${made.id}"]`);
    expect(await row.textContent()).toContain('周一–周四 07:30–18:00');
    expect(await row.textContent()).toContain('1 块');

    await row.locator('button[data-edit]').click();
    await page.fill('#unit-name', '西片中队（夜班）');
    await page.click('#nav-orders');
    await page.click('#unit-cancel');
    expect(dialogs).toEqual(['beforeunload', 'confirm']);
    expect(new URL(page.url()).pathname).toBe('/units');
    expect(await page.inputValue('#unit-name')).toBe('西片中队（夜班）');
    await page.click('#unit-save');
    await page.waitForSelector(`#units tr[data-unit="${made.id}"]:has-text("西片中队（夜班）")`);
    expect(await page.$('#unit-form')).toBeNull();

    await row.locator('button[data-delete]').click();
    await page.waitForSelector(`#units tr[data-unit="${made.id}"]`, { state: 'detached' });
    expect(dialogs.at(-1)).toBe('confirm');
    expect((await ada<{ units: Unit[] }>('GET', '/api/units')).units.map((u) => u.id)).not.toContain(made.id);
  }, 120_000);

  it('the units page lists the units live with status and position age for everyone; only the admin edits', async () => {
    const page = await login('dora');
    await page.goto(`${center!.url}/units`);
    await page.waitForSelector('#units tr[data-unit="near"]');
    expect(await page.textContent('#units tr[data-unit="near"]')).toContain('空闲');
    expect(await page.textContent('#units tr[data-unit="east"]')).toContain('1 块');
    expect(await page.textContent('#units tr[data-unit="east"]')).toContain('无位置');
    // The east officer's phone reports a position: the open page shows its age without a reload.
    const pat1 = await apiSession('pat1');
    await pat1('POST', '/api/patrol/duty', { onDuty: true });
    await pat1('POST', '/api/patrol/position', { lon: SPOT[0], lat: SPOT[1], accuracyM: 5, at: new Date().toISOString() });
    await page.waitForSelector('#units tr[data-unit="east"]:has-text("秒前")', { timeout: 15_000 });
    expect(await page.$('#unit-new')).toBeNull();
    expect(await page.$('button[data-edit]')).toBeNull();
    const units = (await (await apiSession('ada'))<{ units: Unit[] }>('GET', '/api/units')).units;
    expect(units.map((u) => u.id).sort()).toEqual(['east', 'near']);
  }, 120_000);
});
