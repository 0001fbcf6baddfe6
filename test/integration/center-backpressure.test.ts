import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centerMqttSchema } from '../../agent/src/center/config.ts';
import { createIngest } from '../../agent/src/center/ingest.ts';
import { connectBroker } from '../../agent/src/center/link.ts';
import { openSqliteStore } from '../../agent/src/center/store/sqlite.ts';
import type { CenterStore } from '../../agent/src/center/store/types.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { labelledJpeg, streetJpeg } from '../helpers/box-simulator.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';

/**
 * The center's memory while its archive stalls: it holds no more than `mqtt.heldMessagesMB` of received messages and
 * leaves the rest at the broker, then archives every one once the archive answers again. Real mosquitto, the real
 * link and ingest, a real SQLite archive whose transactions wait at a gate the test opens.
 */
let dir: string;
let broker: Mosquitto;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-backpressure-'));
  broker = await startMosquitto();
}, 60_000);
afterAll(async () => {
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const PICTURES = 150;
const LIMIT_MB = 1;

/** The archive, its transactions held until `open()` is called. */
function stalled(store: CenterStore): { store: CenterStore; open: () => void } {
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { store: { ...store, ingestBatch: async (fn) => (await gate, store.ingestBatch(fn)) }, open };
}

describe('the center while its archive stalls', () => {
  it('stops reading from the broker once it holds its limit of messages, says so, and archives every one once the archive answers', async () => {
    const store = await openSqliteStore(join(dir, 'archive.db'));
    const gated = stalled(store);
    const ingest = createIngest({ root: 'jifang/v1', store: gated.store, instance: 'center-bp', forwarders: () => [], log: silentLogger });
    const cfg = centerMqttSchema.parse({ url: broker.url, clientId: 'center-bp', heldMessagesMB: LIMIT_MB });
    const link = await connectBroker(cfg, ingest, silentLogger);
    const box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'box-bp' });
    try {
      const base = await streetJpeg();
      const pictures = Array.from({ length: PICTURES }, (_, i) => labelledJpeg(base, `bp-${i}`));
      const largest = Math.max(...pictures.map((p) => p.length));
      // More than the limit many times over: without a bound the center would hold them all (the broker lets 512 go).
      expect(PICTURES * largest).toBeGreaterThan(4 * LIMIT_MB * 1024 * 1024);
      for (const [i, p] of pictures.entries()) await box.publishAsync(`jifang/v1/site-bp/cam-1/events/ev-${i}/snapshot`, p, { qos: 1 });

      let most = 0;
      const until = Date.now() + 2_000;
      while (Date.now() < until) {
        most = Math.max(most, link.held().bytes);
        await new Promise((r) => setTimeout(r, 20));
      }
      const paused = link.held();
      expect(paused.pausedSince).not.toBeNull();
      // The bound, passed by at most the one message that found it full.
      expect(most).toBeGreaterThanOrEqual(LIMIT_MB * 1024 * 1024);
      expect(most).toBeLessThan(LIMIT_MB * 1024 * 1024 + largest + 4096);
      expect((await store.counts()).snapshots).toBe(0);

      gated.open();
      const deadline = Date.now() + 30_000;
      while ((await store.counts()).snapshots < PICTURES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect((await store.counts()).snapshots).toBe(PICTURES);
      expect(ingest.counters).toMatchObject({ snapshots: PICTURES, duplicates: 0, deadLetters: 0, rejected: 0 });
      while (link.held().bytes > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(link.held()).toMatchObject({ bytes: 0, pausedSince: null });
    } finally {
      gated.open();
      await box.endAsync();
      await link.close();
      await store.close();
    }
  }, 60_000);
});
