import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { mqttConfigSchema } from '../../agent/src/publish/config.ts';
import { createPublisher, type Publisher } from '../../agent/src/publish/publisher.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { makeAlert, sampleJpeg } from './fixtures/alerts.ts';
import { distinctAlerts, expectedIdsPerCamera, idsPerCamera, snapshotHashesMatch } from './fixtures/delivery-checks.ts';

const site = 'site-o';
const cameras = ['cam-1', 'cam-2'];
const OUTAGE_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('broker outage', () => {
  let broker: Mosquitto | undefined;
  let pub: Publisher | undefined;
  let sub: Subscriber | undefined;
  afterAll(async () => {
    await pub?.stop(1000);
    await sub?.close();
    await broker?.stop();
  });

  it(`loses nothing when the broker is down for ${OUTAGE_MS / 1000} s while alerts keep coming: all arrive, in order per camera`, {
    timeout: OUTAGE_MS + 90_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifang-outage-'));
    broker = await startMosquitto({ persistence: true, dir });
    const { port } = broker;
    // The command center's client keeps a persistent session, so the broker queues for it while it reconnects.
    const center = { clientId: 'center-outage', clean: false, properties: { sessionExpiryInterval: 600 } };
    sub = await subscribe(broker.url, `jifang/v1/${site}/#`, center);
    pub = createPublisher(
      mqttConfigSchema.parse({ url: broker.url, reconnectMinSeconds: 0.5, reconnectMaxSeconds: 2 }),
      { site, boxId: 'box-1', agentVersion: '0.1.0', dataDir: join(dir, 'box') },
      silentLogger,
    );
    await pub.start();
    await pub.whenConnected(10_000);

    const jpeg = sampleJpeg();
    let produced = 0;
    const produce = async () => {
      const camera = cameras[produced % cameras.length];
      const id = `${camera}-${Math.floor(produced / cameras.length)}`;
      produced++;
      await pub!.publishEvent(await makeAlert({ site, camera, id }, jpeg), jpeg);
    };
    const produceFor = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await produce();
        await sleep(250);
      }
    };

    await produceFor(2000);
    await broker.stop();
    const producedBeforeOutage = produced;
    await produceFor(OUTAGE_MS);
    const queuedDuringOutage = pub.stats().outbox.messages;
    expect(pub.connected).toBe(false);
    // Each alert is two outbox messages (alert + snapshot).
    expect(queuedDuringOutage).toBeGreaterThanOrEqual(2 * (produced - producedBeforeOutage));

    broker = await startMosquitto({ persistence: true, dir, port });
    await produceFor(2000);

    await sub.waitFor((m) => m.topic.endsWith('/events'), produced, 60_000);
    await expect.poll(() => distinctAlerts(sub!.messages).length, { timeout: 60_000 }).toBe(produced);
    const alerts = distinctAlerts(sub.messages);
    expect(idsPerCamera(alerts)).toEqual(expectedIdsPerCamera(cameras, produced));
    await expect.poll(() => Object.keys(snapshotHashesMatch(sub!.messages, alerts)).length, { timeout: 30_000 }).toBe(produced);
    expect(Object.values(snapshotHashesMatch(sub.messages, alerts)).every(Boolean)).toBe(true);
    await expect.poll(() => pub!.stats().outbox.messages, { timeout: 10_000 }).toBe(0);
    expect(pub.stats().outbox.dropped).toEqual({ expired: 0, full: 0, too_large: 0, rejected: 0, missing: 0 });
  });
});
