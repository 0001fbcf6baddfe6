import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { COMMAND_RESULT_SCHEMA_ID } from '../../agent/src/contract/commands.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import type { TestBrowser } from '../helpers/browser.ts';
import { type CenterRig, startCenterRig } from '../helpers/center-rig.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';

/**
 * Screens that stay true across a center restart and a lost session, all real: mosquitto, `jifang center` on SQLite
 * (stopped and started again on the same port and database), headless Chromium, and a simulated box that answers
 * commands as a box does.
 */
const site = 'restart-box';
let dir: string;
let broker: Mosquitto;
let cfg: CenterConfig;
let center: Center | undefined;
let browser: TestBrowser & { pageErrors: string[] };
let box: MqttClient;
/** The commands the box received, by request id. */
const received: { requestId: string; action: string }[] = [];

/** One alert per camera, so that each has its own row (one rule at one place would be grouped). */
async function publish(id: string, camera: string): Promise<void> {
  const jpeg = labelledJpeg(await streetJpeg(), id);
  const alert = makeAlert({ site, camera, id, seq: 0, state: 'started', jpeg });
  await box.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 });
  await box.publishAsync(`jifang/v1/${site}/${camera}/events`, JSON.stringify(alert), { qos: 1 });
}

/** The simulated box applies every event command and answers on the response topic, as the agent does. */
async function answerCommands(): Promise<void> {
  box.on('message', (topic, payload, packet) => {
    if (!topic.endsWith('/cmd/event')) return;
    const cmd = JSON.parse(payload.toString()) as { requestId: string; action: string };
    received.push(cmd);
    const answer = {
      schema: COMMAND_RESULT_SCHEMA_ID,
      command: 'event',
      topic,
      requestId: cmd.requestId,
      ok: true,
      boxId: `box-${site}`,
      at: new Date().toISOString(),
    };
    const to = packet.properties?.responseTopic ?? `jifang/v1/${site}/cmd-result`;
    void box.publishAsync(to, JSON.stringify(answer), {
      qos: 1,
      properties: { correlationData: packet.properties?.correlationData },
    });
  });
  await box.subscribeAsync(`jifang/v1/${site}/cmd/#`, { qos: 1 });
}

/** Fills the login form the page is on (the one it was sent to keeps its `next`). */
async function login(page: Page): Promise<void> {
  await page.fill('#user', 'olga');
  await page.fill('#password', 'operator-pass-1');
  await page.click('#login-submit');
}

async function openQueue(): Promise<Page> {
  const { page } = await browser.page({ lang: 'zh-CN' });
  await page.goto(`${center!.url}/login`);
  await login(page);
  await page.waitForSelector('#live.on', { timeout: 30_000 });
  await page.waitForSelector('main[aria-busy="false"]');
  return page;
}

let rig: CenterRig;

beforeAll(async () => {
  rig = await startCenterRig({
    name: 'center-restart',
    users: { olga: ['operator', 'operator-pass-1'] },
    mqtt: { commandTimeoutSeconds: 5 },
    persistence: true,
  });
  ({ dir, broker, browser, cfg, center } = rig);
  box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `jifang-${site}-box`, reconnectPeriod: 500 });
  await answerCommands();
  await publish('before-restart', 'cam-1');
}, 120_000);

afterAll(async () => {
  await box?.endAsync();
  if (!rig) return;
  // The tests restart the center and the broker: the ones running now are the ones to stop.
  rig.center = center ?? rig.center;
  rig.broker = broker;
  await rig.close();
});

describe('the console after a center restart and a lost session (mosquitto, SQLite, Chromium)', () => {
  it('is live again within seconds of the center coming back, with the alert that came in meanwhile, and acts without a login', async () => {
    const page = await openQueue();
    await page.waitForSelector('#queue tr[data-event-id="before-restart"]', { timeout: 15_000 });

    await center!.close();
    await page.waitForSelector('#live.off', { timeout: 10_000 });
    // The rows still shown are marked as not current while the page cannot hear the center.
    await page.waitForSelector('main.stale');
    // Arrives while the center is down: the broker keeps it for the center's session.
    await publish('during-restart', 'cam-2');
    await new Promise((r) => setTimeout(r, 3_000));
    center = await startCenter(cfg, silentLogger);

    await page.waitForSelector('#live.on', { timeout: 10_000 });
    await page.waitForSelector('#queue tr[data-event-id="during-restart"]', { timeout: 10_000 });
    expect(await page.$('main.stale')).toBeNull();

    await page.click('#queue tr[data-event-id="during-restart"]');
    await page.click('#actions button[data-action="ack"]');
    await page.waitForSelector('#action-result.ok', { timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe('/');
    expect(received.map((c) => c.action)).toEqual(['ack']);
    await page.close();
  }, 120_000);

  it('a session the restarted center no longer has: the open page goes to the login within seconds, and comes back to its alert', async () => {
    const page = await openQueue();
    await page.click('#queue tr[data-event-id="during-restart"]');
    await page.waitForSelector('#actions');
    await center!.close();
    // Sessions live in the archive and survive a restart; one revoked meanwhile (or expired) is gone.
    const db = new Database(join(dir, 'center.db'));
    db.prepare('DELETE FROM sessions').run();
    db.close();
    center = await startCenter(cfg, silentLogger);

    await page.waitForURL(/\/login\?next=/, { timeout: 10_000 });
    await login(page);
    await page.waitForSelector('#live.on', { timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('event')).toBe('during-restart');
    await page.waitForSelector('#actions');
    await page.close();
  }, 120_000);

  it('a session gone keeps the pending action: after the login the page returns to the alert and offers it again', async () => {
    const page = await openQueue();
    await page.click('#queue tr[data-event-id="before-restart"]');
    await page.fill('#note', '巡查员已在现场');
    // The session is gone (cleared here; an expired or revoked one looks the same to the page).
    await page.context().clearCookies();
    await page.click('#actions button[data-action="ack"]');
    await page.waitForURL(/\/login\?next=/);
    await login(page);
    await page.waitForSelector('#pending-action');
    expect(new URL(page.url()).searchParams.get('event')).toBe('before-restart');
    expect(await page.textContent('#pending-action')).toContain('确认');
    expect(await page.textContent('#pending-action')).toContain('巡查员已在现场');
    const before = received.length;

    await page.click('#pending-send');
    await page.waitForSelector('#action-result.ok', { timeout: 15_000 });
    expect(received.slice(before).map((c) => c.action)).toEqual(['ack']);
    expect(await page.textContent('#action-log')).toContain('巡查员已在现场');
    // Sent once: a reload does not offer it again.
    await page.reload();
    await page.waitForSelector('#actions');
    expect(await page.$('#pending-action')).toBeNull();
    await page.close();
  }, 120_000);

  it('an acknowledge with the broker down is refused as not sent, in words that say so, and nothing reaches the box later', async () => {
    const page = await openQueue();
    await page.click('#queue tr[data-event-id="during-restart"]');
    await page.waitForSelector('#actions');
    const before = received.length;
    await broker.stop();
    await page.waitForSelector('#live.broker-down', { timeout: 10_000 });
    await page.click('#actions button[data-action="false_positive"]');
    await page.waitForSelector('#action-result.error', { timeout: 15_000 });
    const said = await page.textContent('#action-result');
    expect(said).toContain('消息服务器不可达，未发送');
    expect(said).not.toContain('保留');

    broker = await startMosquitto({ persistence: true, dir: broker.dir, port: broker.port });
    await page.waitForSelector('#live.on', { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(received.slice(before)).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
    await page.close();
  }, 120_000);
});
