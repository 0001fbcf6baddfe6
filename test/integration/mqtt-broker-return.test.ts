import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { mqttConfigSchema } from '../../agent/src/publish/config.ts';
import { createPublisher, type Publisher } from '../../agent/src/publish/publisher.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { makeAlert } from './fixtures/alerts.ts';

const site = 'site-r';
/** Longer than the first reconnect wait: the broker returns while the box waits out a backoff of 40 s (±25 %). */
const OUTAGE_MS = 25_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('broker return', () => {
  let broker: Mosquitto | undefined;
  let pub: Publisher | undefined;
  let sub: Subscriber | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'jifang-broker-return-'));
  afterAll(async () => {
    await pub?.stop(1000);
    await sub?.close();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers an alert queued during an outage within seconds of the broker returning, not at the end of a long backoff', {
    timeout: OUTAGE_MS + 60_000,
  }, async () => {
    broker = await startMosquitto({ persistence: true, dir });
    const { port } = broker;
    const center = { clientId: 'center-return', clean: false, properties: { sessionExpiryInterval: 600 } };
    sub = await subscribe(broker.url, `jifang/v1/${site}/#`, center);
    pub = createPublisher(
      mqttConfigSchema.parse({ url: broker.url, reconnectMinSeconds: 20, reconnectMaxSeconds: 60 }),
      { site, boxId: 'box-1', agentVersion: '0.1.0', dataDir: join(dir, 'box') },
      silentLogger,
    );
    await pub.start();
    await pub.whenConnected(10_000);

    await broker.stop();
    await pub.publishEvent(await makeAlert({ site, camera: 'cam-1', id: 'cam-1-queued' }));
    await sleep(OUTAGE_MS);
    expect(pub.connected).toBe(false);
    expect(pub.stats().outbox.messages).toBe(1);

    broker = await startMosquitto({ persistence: true, dir, port });
    const returnedAt = Date.now();
    const [alert] = await sub.waitFor((m) => m.topic.endsWith('/events'), 1, 55_000);
    const afterReturnMs = Date.now() - returnedAt;
    // A user notices the backlog arriving half a minute late; a few seconds is what "at once" means on a loaded box.
    expect(afterReturnMs, `the queued alert arrived ${afterReturnMs} ms after the broker returned`).toBeLessThan(10_000);
    expect(JSON.parse(alert.payload.toString()).id).toBe('cam-1-queued');
  });
});
