import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { cameraHealth } from '../helpers/box-simulator.ts';
import { type BrokerRig, startBrokerRig } from '../helpers/center-rig.ts';

/**
 * Instances on a shared subscription (mqtt.sharedGroup) take the cameras' health as it comes, not the broker's whole
 * retained store at every (re)subscription: mosquitto 2.0 hands every retained message of a shared filter to every
 * member, so each instance wrote every camera of the city again, the same rows as the others. Real mosquitto, a real
 * center on SQLite.
 */
const CAMERAS = 200;
let rig: BrokerRig;
beforeAll(async () => {
  rig = await startBrokerRig({ name: 'shared-retained' });
}, 60_000);
afterAll(() => rig?.close());

const health = (camera: string, at: string) => JSON.stringify(cameraHealth(camera, at));

describe('center on a shared subscription', () => {
  it("is not handed the cameras' retained health when it subscribes, and archives the health sent after", async () => {
    const box = await mqtt.connectAsync(rig.broker.url, { protocolVersion: 5, clientId: 'box-retained' });
    const old = new Date(Date.now() - 60_000).toISOString();
    for (let c = 0; c < CAMERAS; c++)
      await box.publishAsync(`jifang/v1/site-r/cam-${c}/health`, health(`cam-${c}`, old), { qos: 1, retain: true });
    const center = await startCenter(rig.config({ clientId: 'center-shared', sharedGroup: 'centers' }, 'shared.db'), silentLogger);
    try {
      // The subscription is granted by the time the center has started; a live message after it is the marker.
      await box.publishAsync('jifang/v1/site-r/cam-0/health', health('cam-0', new Date().toISOString()), { qos: 1, retain: true });
      const deadline = Date.now() + 20_000;
      const cameras = async () => (await center.store.listBoxes()).flatMap((b) => b.cameras.filter((c) => c.health).map((c) => c.camera));
      while (Date.now() < deadline && (await cameras()).length === 0) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1000));
      expect(await cameras()).toEqual(['cam-0']);
      expect(center.counters.received).toBe(1);
    } finally {
      await box.endAsync();
      await center.close();
    }
  });
});
