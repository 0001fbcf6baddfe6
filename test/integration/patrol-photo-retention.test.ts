import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retentionSchema } from '../../../../agent/src/center/config.ts';
import { patrolConfigSchema } from '../../../../agent/src/center/patrol/config.ts';
import { PatrolService } from '../../../../agent/src/center/patrol/service.ts';
import { startRetention } from '../../../../agent/src/center/retention.ts';
import { type BlobStore, openBlobStore } from '../../../../agent/src/center/store/blob-store.ts';
import { sha256Hex } from '../../../../agent/src/core/hash.ts';
import { silentLogger } from '../../../../agent/src/core/log.ts';
import { labelledJpeg, streetJpeg } from '../../../helpers/box-simulator.ts';
import { openTempArchive } from '../../../helpers/center-archive.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T02:00:00Z');
const dora = { user: 'dora', role: 'dispatcher' };

/** Officers' photos under the retention: a real SQLite archive and photo folder, the orders made at the test's clock. */
describe("retention of officers' photos", () => {
  let archive: Awaited<ReturnType<typeof openTempArchive>>;
  let photos: BlobStore;
  let service: PatrolService;
  let clock = NOW;

  beforeEach(async () => {
    archive = await openTempArchive();
    photos = await openBlobStore(join(archive.path, '..', 'photos'));
    service = new PatrolService({
      store: archive.store,
      cfg: patrolConfigSchema.parse({}),
      blobs: photos,
      dispatchAlert: async () => {},
      changed: () => {},
      log: silentLogger,
      now: () => clock,
    });
  });
  afterEach(() => archive.remove());

  let spots = 0;
  /** A hotline order opened `daysAgo`, with `pictures` taken then, closed `closedDaysAgo` (null: still open). */
  async function order(daysAgo: number, pictures: Buffer[], closedDaysAgo: number | null): Promise<string> {
    clock = NOW - daysAgo * DAY;
    // Each at its own spot, 1 km apart: none joins another.
    const lon = 121.47 + ++spots * 0.01;
    const { order } = await service.openOrder(dora, { manual: { lon, lat: 31.23, category: 'street_vending' } });
    for (const p of pictures) await service.addPhoto(dora, order.id, p, null);
    if (closedDaysAgo !== null) {
      clock = NOW - closedDaysAgo * DAY;
      await service.transition(dora, order.id, { action: 'close', reason: 'handled', clientId: crypto.randomUUID() });
    }
    clock = NOW;
    return order.id;
  }

  it('deletes the photos of orders closed longer ago than patrolPhotoDays, counts them once, and keeps the rest and every order', async () => {
    const base = await streetJpeg();
    const [oldA, oldB, recent, open, shared] = ['old-a', 'old-b', 'recent', 'open', 'shared'].map((l) => labelledJpeg(base, l));
    const gone = await order(400, [oldA, oldB], 200);
    const kept = await order(100, [recent], 10);
    const stillOpen = await order(300, [open, shared], null);
    // The same picture on an order closed long ago and on one still open: its file is the open order's too.
    await order(300, [shared], 250);

    const retention = startRetention(retentionSchema.parse({ patrolPhotoDays: 180 }), archive.store, silentLogger, {
      photos,
      now: () => NOW,
    });
    await retention.runOnce();
    expect(retention.counters).toMatchObject({ patrolPhotos: 2, patrolPhotoBytes: oldA.length + oldB.length, failures: 0 });
    const onDisk = (p: Buffer) => existsSync(join(photos.dir, sha256Hex(p).slice(0, 2), sha256Hex(p)));
    expect([oldA, oldB, recent, open, shared].map(onDisk)).toEqual([false, false, true, true, true]);
    // The order and its timeline stay; asking for a deleted photo says it is gone.
    const o = await service.getOrder(dora, gone);
    expect(o).toMatchObject({ state: 'closed', photos: [sha256Hex(oldA), sha256Hex(oldB)] });
    await expect(service.photo(dora, gone, sha256Hex(oldA))).rejects.toThrow(/not on this center's disk/);
    expect((await service.photo(dora, kept, sha256Hex(recent))).equals(recent)).toBe(true);
    expect((await service.photo(dora, stillOpen, sha256Hex(shared))).equals(shared)).toBe(true);

    // A second pass finds nothing more to delete.
    await retention.runOnce();
    await retention.stop();
    expect(retention.counters).toMatchObject({ patrolPhotos: 2, patrolPhotoBytes: oldA.length + oldB.length });
  });

  it('keeps every photo under the default (a year after closing)', async () => {
    const base = await streetJpeg();
    const pic = labelledJpeg(base, 'half-a-year');
    const id = await order(200, [pic], 190);
    const retention = startRetention(retentionSchema.parse({}), archive.store, silentLogger, { photos, now: () => NOW });
    await retention.runOnce();
    await retention.stop();
    expect(retention.counters.patrolPhotos).toBe(0);
    expect((await service.photo(dora, id, sha256Hex(pic))).equals(pic)).toBe(true);
  });
});
