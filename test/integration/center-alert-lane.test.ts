import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { cameraHealth, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { type BrokerRig, startBrokerRig } from '../helpers/center-rig.ts';

/**
 * The alert lane (mqtt.alertLane): a backlog of health waiting at the broker for the center does not hold an alert
 * back. Real mosquitto (no queue limit), a real center on SQLite; the backlog is made while the center is down.
 */
const HEALTH = 3000;
let rig: BrokerRig;
beforeAll(async () => {
  rig = await startBrokerRig({ name: 'lane', extraConfig: 'allow_anonymous true\nmax_queued_messages 0\nmax_queued_bytes 0' });
}, 60_000);
afterAll(() => rig?.close());

describe('center alert lane', () => {
  it('archives an alert sent after thousands of health messages before they are through, and each message once', async () => {
    const cfg = rig.config({ clientId: 'center-lane', alertLane: { clientId: 'center-lane-alerts' } }, 'lane.db');
    // Both sessions exist at the broker; then the center is down while the box publishes.
    await (await startCenter(cfg, silentLogger)).close();
    const box = await mqtt.connectAsync(rig.broker.url, { protocolVersion: 5, clientId: 'box-a' });
    const at = new Date().toISOString();
    await Promise.all(
      Array.from({ length: HEALTH }, (_, i) =>
        box.publishAsync(`jifang/v1/box-a/cam-${i}/health`, JSON.stringify(cameraHealth(`cam-${i}`, at)), { qos: 1 }),
      ),
    );
    const jpeg = await streetJpeg();
    const alert = makeAlert({ site: 'box-a', camera: 'cam-1', id: 'ev-lane', seq: 0, state: 'started', jpeg });
    await box.publishAsync('jifang/v1/box-a/cam-1/events', JSON.stringify(alert), { qos: 1 });
    await box.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 });
    await box.endAsync();

    const center: Center = await startCenter(cfg, silentLogger);
    try {
      await expect.poll(() => center.counters.received, { timeout: 120_000, interval: 200 }).toBe(HEALTH + 2);
      expect(center.counters).toMatchObject({ events: 1, snapshots: 1, duplicates: 0, unplaced: 0 });
      const got = (await center.store.getEvent('ev-lane', 'box-a'))!;
      expect(got.messages).toHaveLength(1);
      // One session hands the alert over only after every health message queued before it; with the lane, health
      // is still being received after the alert was.
      const db = new Database(join(rig.dir, 'lane.db'), { readonly: true });
      const later = db.prepare('SELECT COUNT(*) AS n FROM cameras WHERE changed_at > ?').get(got.messages[0].receivedAt) as { n: number };
      const all = db.prepare('SELECT COUNT(*) AS n FROM cameras').get() as { n: number };
      db.close();
      expect(all.n).toBe(HEALTH);
      expect(later.n).toBeGreaterThan(0);
    } finally {
      await center.close();
    }
  });
});
