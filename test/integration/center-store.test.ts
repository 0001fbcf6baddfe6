import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pgClient from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dialect, MIGRATIONS } from '../../agent/src/center/store/migrations.ts';
import { openPostgresStore } from '../../agent/src/center/store/postgres.ts';
import { openSqliteStore } from '../../agent/src/center/store/sqlite.ts';
import type { CenterStore } from '../../agent/src/center/store/types.ts';
import { sha256Hex } from '../../agent/src/core/hash.ts';
import { cameraHealth, labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

/** The archive's contract, held by both engines: the embedded SQLite file and a real PostgreSQL server. */
let pg: Postgres;
let dir: string;
beforeAll(async () => {
  pg = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'jifang-center-store-'));
}, 60_000);
afterAll(() => {
  pg?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const engines: [string, (n: number) => Promise<CenterStore>][] = [
  ['sqlite', (n) => openSqliteStore(join(dir, `a${n}.db`))],
  ['postgres', (n) => openPostgresStore({ url: pg.createDatabase(`store${n}`), blobDir: join(dir, 'blobs') })],
];

let n = 0;
describe.each(engines)('center store on %s', (_name, open) => {
  it('keeps one row per (id, seq) however often a message arrives, follows the newest seq whatever the order, and keeps before/after pictures', async () => {
    const store = await open(++n);
    const base = await streetJpeg();
    const pics = [0, 1, 2].map((i) => labelledJpeg(base, `ev-1:${i}`));
    const msg = (seq: number, state: 'started' | 'updated' | 'cleared') => {
      const alert = makeAlert({ site: 'box-a', camera: 'cam-1', id: 'ev-1', seq, state, jpeg: pics[seq] });
      return {
        alert,
        categoryCode: seq === 0 ? null : 'A01',
        categoryName: null,
        json: JSON.stringify(alert),
        receivedAt: Date.now(),
        receivedBy: 'test',
      };
    };
    expect(await store.saveEvent(msg(1, 'updated'), ['city'])).toEqual({ inserted: true });
    expect(await store.saveEvent(msg(0, 'started'), ['city'])).toEqual({ inserted: true });
    expect(await store.saveEvent(msg(0, 'started'), ['city'])).toEqual({ inserted: false });
    expect(await store.saveEvent(msg(2, 'cleared'), ['city'])).toEqual({ inserted: true });
    expect(await store.saveEvent(msg(1, 'updated'), ['city'])).toEqual({ inserted: false });
    const snap = (jpeg: Buffer) => ({ jpeg, topic: 't', site: 'box-a', camera: 'cam-1', eventId: 'ev-1', receivedAt: Date.now() });
    for (const p of pics) await store.saveSnapshot(snap(p));
    expect((await store.saveSnapshot(snap(pics[0]))).inserted).toBe(false);

    const got = await store.getEvent('ev-1');
    expect(got!.messages.map((m) => m.seq)).toEqual([0, 1, 2]);
    expect(got!.event).toMatchObject({ state: 'cleared', seq: 2, categoryCode: 'A01', cameraName: 'Camera cam-1', zoneName: 'Kerb' });
    expect(got!.event.firstSnapshot).toBe(sha256Hex(pics[0]));
    expect(got!.event.clearedSnapshot).toBe(sha256Hex(pics[2]));
    expect((await store.getSnapshot(sha256Hex(pics[2])))!.equals(pics[2])).toBe(true);
    expect(got!.deliveries.map((d) => `${d.forwarder}:${d.seq}:${d.state}`)).toEqual([
      'city:0:pending',
      'city:1:pending',
      'city:2:pending',
    ]);
    expect(await store.listEvents({ open: true })).toEqual([]);
    expect((await store.listEvents({})).map((e) => e.id)).toEqual(['ev-1']);
    expect(await store.counts()).toMatchObject({ events: 1, messages: 3, snapshots: 3, deliveries: 3 });

    // Two instances claiming at once never both win a delivery.
    const [a, b] = await Promise.all([store.claimDeliveries(Date.now(), 10, 60_000), store.claimDeliveries(Date.now(), 10, 60_000)]);
    expect(a.length + b.length).toBe(3);
    await store.finishDelivery(a[0] ?? b[0], { ok: false, status: 503, error: 'HTTP 503', nextAt: null });
    const stats = await store.deliveryStats();
    expect(stats).toEqual([expect.objectContaining({ forwarder: 'city', failed: 1, pending: 2, lastError: 'HTTP 503' })]);
    await store.close();
  });

  it('records the box online from its status and offline from its Last Will, in arrival order', async () => {
    const store = await open(++n);
    const at = new Date().toISOString();
    const location = { lat: 31.1883, lon: 121.4365 };
    const will = { online: false, agentVersion: '1', boxId: 'b', at, location, cameras: [{ id: 'cam-1' }] };
    await store.saveStatus(
      'box-b',
      {
        online: true,
        agentVersion: '1',
        boxId: 'b',
        at: new Date(Date.now() + 5).toISOString(),
        location,
        cameras: [{ id: 'cam-1', name: 'Gate', state: 'streaming', location }],
      },
      Date.now(),
    );
    expect((await store.listBoxes())[0]).toMatchObject({
      site: 'box-b',
      online: true,
      location,
      cameras: [{ camera: 'cam-1', name: 'Gate', state: 'streaming' }],
    });
    await store.saveStatus('box-b', will, Date.now());
    // An offline box stays on the map where it stands: its Last Will repeats the location.
    expect((await store.listBoxes())[0]).toMatchObject({ online: false, location });
    await store.close();
  });
});

/** Statements run on a database before the store opens it: as an older center left it. */
type Older = (statements: [string, unknown[]][]) => Promise<CenterStore>;
const olderEngines: [Dialect, Older][] = [
  [
    'sqlite',
    async (statements) => {
      const file = join(dir, `older${++n}.db`);
      const raw = new Database(file);
      for (const [sql, params] of statements) raw.prepare(sql.replace(/\$\d+/g, '?')).run(...params);
      raw.close();
      return openSqliteStore(file);
    },
  ],
  [
    'postgres',
    async (statements) => {
      const url = pg.createDatabase(`older${++n}`);
      const raw = new pgClient.Client({ connectionString: url });
      await raw.connect();
      for (const [sql, params] of statements) await raw.query(sql, params);
      await raw.end();
      return openPostgresStore({ url, blobDir: join(dir, 'blobs') });
    },
  ],
];

describe.each(olderEngines)('an archive of version 13 upgraded on %s', (dialect, older) => {
  it("gets its events' camera and zone names back from their alerts, the camera's from its box's status where the alert has none", async () => {
    const schema = MIGRATIONS.filter((m) => m.version <= 13).flatMap((m) => [
      ...m.sql(dialect),
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, 'old', 0)`,
    ]);
    const event = (id: string, camera: string, names: boolean): [string, unknown[]] => {
      const {
        cameraName: _c,
        zoneName: _z,
        ...bare
      } = makeAlert({ site: 'box-a', camera, id, seq: 0, state: 'started', jpeg: Buffer.from('x') });
      const alert = names ? { ...bare, cameraName: '东门摄像头', zoneName: '路边停车带' } : bare;
      const at = names ? 2000 : 1000;
      return [
        `INSERT INTO events (id, site, camera, zone, type, state, seq, started_at, observed_at, dwell_seconds, lon, lat, alert_json, first_seen, rev, changed_at)
         VALUES ($1, 'box-a', $2, 'kerb', 'illegal_parking', 'started', 0, $3, $4, 15, 121.47, 31.23, $5, $6, 1, $7)`,
        [id, camera, at, at, JSON.stringify(alert), at, at],
      ];
    };
    const store = await older([
      ...schema.map((sql): [string, unknown[]] => [sql, []]),
      event('ev-named', 'cam-1', true),
      event('ev-old', 'cam-2', false),
      ["INSERT INTO cameras (site, camera, name, changed_at) VALUES ('box-a', 'cam-2', '西门摄像头', 0)", []],
    ]);
    try {
      expect((await store.listEvents({})).map((e) => [e.id, e.cameraName, e.zoneName])).toEqual([
        ['ev-named', '东门摄像头', '路边停车带'],
        ['ev-old', '西门摄像头', null],
      ]);
      // The queue's search finds an event by the names people know it by.
      const found = async (text: string) => (await store.searchEvents({ text, offset: 0, limit: 10 })).events.map((e) => e.id);
      expect(await found('路边停车')).toEqual(['ev-named']);
      expect(await found('西门')).toEqual(['ev-old']);
    } finally {
      await store.close();
    }
  });
});

it('migrations run once when two instances open one PostgreSQL at the same time', async () => {
  const url = pg.createDatabase('twice');
  const [a, b] = await Promise.all([
    openPostgresStore({ url, blobDir: join(dir, 'blobs') }),
    openPostgresStore({ url, blobDir: join(dir, 'blobs') }),
  ]);
  expect(await a.counts()).toMatchObject({ events: 0 });
  await Promise.all([a.close(), b.close()]);
  const again = await openPostgresStore({ url, blobDir: join(dir, 'blobs') });
  await again.close();
});

describe.each([
  ['sqlite', () => join(dir, 'contacts.db')],
  ['postgres', () => pg.createDatabase('contacts')],
] as const)("a box's last contact on %s", (name, where) => {
  it('is the latest heard, kept between batches and written when the center closes', async () => {
    const at = where();
    const open = () => (name === 'sqlite' ? openSqliteStore(at) : openPostgresStore({ url: at, blobDir: join(dir, 'blobs') }));
    const health = (t: number) => [{ site: 'box-c', health: cameraHealth('cam-1', new Date(t).toISOString()), receivedAt: t }];
    const t1 = Date.now() - 60_000;
    const t2 = t1 + 30_000;
    const store = await open();
    await store.ingestBatch((w) => w.saveContacts(health(t1), []));
    // A box new to the instance: its row, with this contact, is the batch's.
    expect((await store.listBoxes())[0]).toMatchObject({ site: 'box-c', lastContact: t1 });
    await store.ingestBatch((w) => w.saveContacts(health(t2), []));
    await store.ingestBatch((w) => w.saveContacts([], [{ site: 'box-c', at: t1 + 1 }]));
    expect((await store.listBoxes())[0]?.cameras[0]?.healthAt).toBe(t2);
    await store.close();
    const again = await open();
    expect((await again.listBoxes())[0]).toMatchObject({ site: 'box-c', lastContact: t2 });
    await again.close();
  });
});
