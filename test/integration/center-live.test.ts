import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Center } from '../../agent/src/center/service.ts';
import { centerCategories } from '../../agent/src/cli/center-categories.ts';
import { statusSchema } from '../../agent/src/contract/health.ts';
import { SCREENS_DIR, type TestBrowser } from '../helpers/browser.ts';
import { type CenterRig, startCenterRig } from '../helpers/center-rig.ts';
import { signInPage } from '../helpers/center-session.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';

/**
 * What an open console page says when things go away, all real: mosquitto, `jifang center` on SQLite, headless
 * Chromium. A box killed (its connection dropped without a goodbye, so the broker publishes its Last Will) shows
 * offline; the broker stopped turns the live indicator into "broker disconnected".
 */
const site = 'live-box';
const statusTopic = `jifang/v1/${site}/status`;
const status = (online: boolean) =>
  JSON.stringify(
    statusSchema.parse({
      online,
      agentVersion: '0.1.0',
      boxId: 'box-live',
      at: new Date().toISOString(),
      cameras: [{ id: 'cam-1', name: 'Gate', state: 'streaming' }],
    }),
  );

describe('the center console tells the truth about boxes and the broker (mosquitto, SQLite, Chromium)', () => {
  let rig: CenterRig;
  let broker: Mosquitto;
  let center: Center | undefined;
  let browser: TestBrowser & { pageErrors: string[] };
  let sub: Subscriber;

  beforeAll(async () => {
    rig = await startCenterRig({
      name: 'center-live',
      users: { olga: ['operator', 'operator-pass-1'] },
      persistence: true,
      // The catalogue, as `jifang center` passes it: the pages name event types as the user reads them.
      options: { categories: centerCategories() },
    });
    ({ broker, browser, center } = rig);
    sub = await subscribe(broker.url, statusTopic);
  }, 120_000);

  afterAll(async () => {
    await sub?.close();
    if (!rig) return;
    // A test restarts the broker: the one running now is the one to stop.
    rig.broker = broker;
    await rig.close();
  });

  const login = async (lang: string): Promise<Page> => {
    const { page } = await browser.page({ lang });
    await signInPage(page, center!.url, 'olga', 'operator-pass-1');
    await page.waitForSelector('#live.on', { timeout: 30_000 });
    return page;
  };

  it('a killed box shows offline on the open Boxes page within 10 s of its Last Will, its camera offline too', async () => {
    const box = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: `jifang-${site}-box`,
      reconnectPeriod: 0,
      will: { topic: statusTopic, payload: Buffer.from(status(false)), qos: 1, retain: true },
    });
    await box.publishAsync(statusTopic, status(true), { qos: 1, retain: true });
    const page = await login('en-US');
    await page.goto(`${center!.url}/boxes`);
    await page.waitForSelector(`.box.online[data-site="${site}"] li[data-camera="cam-1"] .cam-streaming`, { timeout: 15_000 });

    // Killed: the connection drops without a DISCONNECT, so the broker publishes the will.
    box.stream.destroy();
    await sub.waitFor((m) => m.topic === statusTopic && JSON.parse(m.payload.toString()).online === false, 1, 30_000);
    await page.waitForSelector(`.box.offline[data-site="${site}"] li[data-camera="cam-1"] .cam-offline`, { timeout: 10_000 });
    expect(await page.textContent(`.box[data-site="${site}"] .status`)).toBe('offline');
    await page.screenshot({ path: join(SCREENS_DIR, 'center-boxes-offline.png') });

    // After a reload too: the camera's last reported "streaming" is no longer shown.
    await page.reload();
    await page.waitForSelector(`.box.offline[data-site="${site}"] li[data-camera="cam-1"] .cam-offline`, { timeout: 15_000 });
    expect(await page.$('.cam-streaming')).toBeNull();
    box.end(true);
  }, 120_000);

  it('the live indicator says "broker disconnected" within 5 s of the broker stopping, in English and Chinese, and live again after', async () => {
    const en = await login('en-US');
    const zh = await login('zh-CN');
    await broker.stop();
    await en.waitForSelector('#live.broker-down', { timeout: 5_000 });
    await zh.waitForSelector('#live.broker-down', { timeout: 5_000 });
    expect(await en.textContent('#live')).toContain('broker disconnected');
    expect(await zh.textContent('#live')).toContain('消息服务器断开');
    await zh.screenshot({ path: join(SCREENS_DIR, 'center-broker-down-zh.png') });

    broker = await startMosquitto({ persistence: true, dir: broker.dir, port: broker.port });
    await en.waitForSelector('#live.on', { timeout: 30_000 });
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);
});
