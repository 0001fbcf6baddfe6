import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { cameraHealth } from '../helpers/box-simulator.ts';
import { type BrokerRig, startBrokerRig } from '../helpers/center-rig.ts';
import { signIn } from '../helpers/center-session.ts';
import { readLiveFeed } from '../helpers/live-feed.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

/**
 * A box's cameras land in the batches of every instance of a city's center, and each of their health messages is a
 * contact of the box. Written in each batch, every instance's transaction locked the box's row until it committed, so
 * two instances took turns rather than working side by side. Here another session holds the box's row, as another
 * instance's open transaction would: the camera's health must still reach the archive, the Boxes page and the live
 * feed, and the box's last contact must move on once the row is free. Real mosquitto, real PostgreSQL.
 */
let rig: BrokerRig;
let pgc: Postgres;
let center: Center;
let box: MqttClient;
let url: string;
beforeAll(async () => {
  rig = await startBrokerRig({ name: 'box-contact' });
  pgc = await startPostgres();
  url = pgc.createDatabase('contact');
  center = await startCenter(rig.config({ clientId: 'center-contact', sharedGroup: 'centers' }, url), silentLogger);
  box = await mqtt.connectAsync(rig.broker.url, { protocolVersion: 5, clientId: 'box-contact' });
}, 90_000);
afterAll(async () => {
  await box?.endAsync();
  await center?.close();
  await rig?.close();
  pgc?.remove();
});

interface ShownBox {
  site: string;
  lastContact: number;
  cameras: { camera: string; healthAt: number | null }[];
}

const healthAt = (b: ShownBox | undefined, camera: string) => b?.cameras.find((c) => c.camera === camera)?.healthAt ?? null;

async function until<T>(what: string, look: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await look();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a box's contact, apart from the batches", () => {
  it("archives and shows a camera's health while another session holds the box's row, and moves the last contact on once it is free", async () => {
    const op = await signIn(center.url, 'root', 'admin-pass-1');
    const shown = async () => (await op.json<{ boxes: ShownBox[] }>('GET', '/api/boxes')).body.boxes.find((b) => b.site === 'site-c');
    const first = new Date(Date.now() - 20_000).toISOString();
    await box.publishAsync('jifang/v1/site-c/cam-1/health', JSON.stringify(cameraHealth('cam-1', first)), { qos: 1, retain: true });
    const before = await until('the first health on the Boxes page', async () =>
      healthAt(await shown(), 'cam-1') === Date.parse(first) ? shown() : undefined,
    );

    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    const live = await readLiveFeed(center.url, op.cookie);
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT site FROM boxes WHERE site = 'site-c' FOR UPDATE");
      const sent = Date.now();
      const second = new Date().toISOString();
      await box.publishAsync('jifang/v1/site-c/cam-1/health', JSON.stringify(cameraHealth('cam-1', second)), { qos: 1, retain: true });
      await box.publishAsync('jifang/v1/site-c/cam-2/health', JSON.stringify(cameraHealth('cam-2', second)), { qos: 1, retain: true });
      const during = await until("the next health on the Boxes page, the box's row held", async () => {
        const b = await shown();
        return healthAt(b, 'cam-1') === Date.parse(second) && healthAt(b, 'cam-2') === Date.parse(second) ? b : undefined;
      });
      expect(during.lastContact).toBe(before.lastContact);
      await until('the next health in the live feed, the row held', async () =>
        live.of<ShownBox>('box').some((f) => f.site === 'site-c' && healthAt(f, 'cam-2') === Date.parse(second)) ? true : undefined,
      );

      await holder.query('ROLLBACK');
      const after = await until('the last contact moved on', async () => {
        const b = await shown();
        return b && b.lastContact >= sent ? b : undefined;
      });
      expect(after.lastContact).toBeGreaterThan(before.lastContact);
    } finally {
      await live.stop();
      await holder.end();
    }
  }, 90_000);
});
