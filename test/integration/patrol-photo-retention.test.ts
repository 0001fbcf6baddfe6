import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { retentionSchema } from '../../agent/src/center/config.ts';
import { patrolConfigSchema } from '../../agent/src/center/patrol/config.ts';
import { PatrolService } from '../../agent/src/center/patrol/service.ts';
import { startRetention } from '../../agent/src/center/retention.ts';
import { type BlobStore, openBlobStore } from '../../agent/src/center/store/blob-store.ts';
import { openPostgresStore } from '../../agent/src/center/store/postgres.ts';
import { openSqliteStore } from '../../agent/src/center/store/sqlite.ts';
import type { CenterStore } from '../../agent/src/center/store/types.ts';
import { sha256Hex } from '../../agent/src/core/hash.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T02:00:00Z');
const dora = { user: 'dora', role: 'dispatcher' };

/** Officers' photos under the retention: a real archive (SQLite, PostgreSQL) and photo folder, the orders made at the test's clock. */
describe.each(['sqlite', 'postgres'] as const)("retention of events and officers' photos on %s", (kind) => {
  let pg: Postgres | undefined;
  let dir: string;
  let store: CenterStore;
  let photos: BlobStore;
  let service: PatrolService;
  let clock = NOW;
  let n = 0;

  beforeAll(async () => {
    if (kind === 'postgres') pg = await startPostgres();
  }, 60_000);
  afterAll(() => pg?.remove());

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-photo-retention-'));
    store =
      kind === 'postgres'
        ? await openPostgresStore({ url: pg!.createDatabase(`photos_${++n}`), blobDir: join(dir, 'blobs') })
        : await openSqliteStore(join(dir, 'center.db'));
    photos = await openBlobStore(join(dir, 'photos'));
    service = new PatrolService({
      store,
      cfg: patrolConfigSchema.parse({}),
      blobs: photos,
      dispatchAlert: async () => {},
      changed: () => {},
      log: silentLogger,
      now: () => clock,
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

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

  it('deletes events ended longer ago than eventDays with their messages and actions; keeps recent ones, open ones and those of an order not closed', async () => {
    const jpeg = await streetJpeg();
    /** An event of box-a that started `daysAgo` and, unless `open`, ended then; one action on it. Each 1 km from the last: no order joins two. */
    let lon = 121.47;
    const event = async (id: string, daysAgo: number, open = false) => {
      const at = NOW - daysAgo * DAY;
      lon += 0.01;
      for (const [seq, state] of (open
        ? [[0, 'started']]
        : [
            [0, 'started'],
            [1, 'ended'],
          ]) as [number, 'started' | 'ended'][]) {
        const alert = makeAlert({ site: 'box-a', camera: 'cam-1', id, seq, state, jpeg, at, lon, lat: 31.23 });
        const json = JSON.stringify(alert);
        await store.saveEvent({ alert, categoryCode: null, categoryName: null, json, receivedAt: at, receivedBy: 't' }, []);
      }
      await store.recordAction({
        requestId: `req-${id}`,
        eventId: id,
        site: 'box-a',
        action: 'ack',
        by: 'dora',
        role: 'dispatcher',
        unit: null,
        note: null,
        requestedAt: at,
      });
    };
    await event('old', 800);
    await event('recent', 100);
    await event('still-open', 800, true);
    await event('ordered', 800);
    await event('ordered-closed', 800);
    await service.openOrder(dora, { events: [{ site: 'box-a', id: 'ordered' }] });
    const { order: done } = await service.openOrder(dora, { events: [{ site: 'box-a', id: 'ordered-closed' }] });
    await service.transition(dora, done.id, { action: 'close', reason: 'handled', clientId: crypto.randomUUID() });
    const before = await store.counts();

    const retention = startRetention(retentionSchema.parse({ eventDays: 730 }), store, silentLogger, { now: () => NOW });
    await retention.runOnce();
    await retention.stop();

    expect(retention.counters).toMatchObject({ events: 2, failures: 0 });
    const left = await Promise.all(
      ['old', 'recent', 'still-open', 'ordered', 'ordered-closed'].map(async (id) => (await store.getEvent(id, 'box-a')) !== null),
    );
    expect(left).toEqual([false, true, true, true, false]);
    const after = await store.counts();
    expect(before.events - after.events).toBe(2);
    // Each of the two went with its two messages and its action.
    expect(before.messages - after.messages).toBe(4);
    expect(before.actions - after.actions).toBe(2);
  });

  it('deletes the photos of orders closed longer ago than patrolPhotoDays, counts them once, and keeps the rest and every order', async () => {
    const base = await streetJpeg();
    const [oldA, oldB, recent, open, shared] = ['old-a', 'old-b', 'recent', 'open', 'shared'].map((l) => labelledJpeg(base, l));
    const gone = await order(400, [oldA, oldB], 200);
    const kept = await order(100, [recent], 10);
    const stillOpen = await order(300, [open, shared], null);
    // The same picture on an order closed long ago and on one still open: its file is the open order's too.
    await order(300, [shared], 250);

    const retention = startRetention(retentionSchema.parse({ patrolPhotoDays: 180 }), store, silentLogger, {
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
    const retention = startRetention(retentionSchema.parse({}), store, silentLogger, { photos, now: () => NOW });
    await retention.runOnce();
    await retention.stop();
    expect(retention.counters.patrolPhotos).toBe(0);
    expect((await service.photo(dora, id, sha256Hex(pic))).equals(pic)).toBe(true);
  });
});
