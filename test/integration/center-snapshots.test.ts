import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngest } from '../../agent/src/center/ingest.ts';
import { startRetention } from '../../agent/src/center/retention.ts';
import { type Dialect, MIGRATIONS } from '../../agent/src/center/store/migrations.ts';
import { openPostgresStore } from '../../agent/src/center/store/postgres.ts';
import { openSqliteStore } from '../../agent/src/center/store/sqlite.ts';
import type { CenterStore } from '../../agent/src/center/store/types.ts';
import { sha256Hex } from '../../agent/src/core/hash.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

/**
 * Snapshots kept out of the relational rows (issue 29) and the archive's own deletions (issue 28), on the embedded
 * SQLite file and a real PostgreSQL: the bytes are a file named by their digest, durable before ingest resolves (the
 * broker's acknowledgement); rows of older versions keep being served; age, a box's quota and the dead letters' quota
 * delete what they must and nothing else.
 */
let pgServer: Postgres;
let dir: string;
let base: Buffer;
beforeAll(async () => {
  pgServer = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'jifang-center-snapshots-'));
  base = await streetJpeg();
}, 60_000);
afterAll(() => {
  pgServer?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Engine {
  store: CenterStore;
  blobDir: string;
  /** The test's own connection, for what no API shows (what a row holds) or does (a row of an older version). */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  end(): Promise<void>;
}

/** SQL for the schema up to `version`, as an older center left it. */
const schemaUpTo = (d: Dialect, version: number) =>
  MIGRATIONS.filter((m) => m.version <= version).flatMap((m) => [
    ...m.sql(d),
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, 'old', 0)`,
  ]);

let n = 0;
const engines: [Dialect, (olderSchema?: { version: number; rows: string[] }) => Promise<Engine>][] = [
  [
    'sqlite',
    async (older) => {
      const file = join(dir, `s${++n}.db`);
      const blobDir = join(dir, `blobs-${n}`);
      if (older) {
        const raw = new Database(file);
        for (const s of [...schemaUpTo('sqlite', older.version), ...older.rows]) raw.exec(s);
        raw.close();
      }
      const store = await openSqliteStore(file, blobDir);
      const raw = new Database(file);
      return {
        store,
        blobDir,
        query: async (sql, params = []) => raw.prepare(sql.replace(/\$\d+/g, '?')).all(...params) as Record<string, unknown>[],
        end: async () => void raw.close(),
      };
    },
  ],
  [
    'postgres',
    async (older) => {
      const url = pgServer.createDatabase(`snap${++n}`);
      const blobDir = join(dir, `blobs-${n}`);
      const raw = new pg.Client({ connectionString: url });
      await raw.connect();
      if (older) for (const s of [...schemaUpTo('postgres', older.version), ...older.rows]) await raw.query(s);
      const store = await openPostgresStore({ url, blobDir });
      return { store, blobDir, query: async (sql, params = []) => (await raw.query(sql, params)).rows, end: () => raw.end() };
    },
  ],
];

const DAY = 86_400_000;
const snap = (site: string, eventId: string, jpeg: Buffer, receivedAt: number) => ({
  jpeg,
  topic: `jifang/v1/${site}/cam-1/events/${eventId}/snapshot`,
  site,
  camera: 'cam-1',
  eventId,
  receivedAt,
});
const fileOf = (blobDir: string, sha: string) => join(blobDir, sha.slice(0, 2), sha);

describe.each(engines)('center snapshots on %s', (engine, open) => {
  it('stores a snapshot received by ingest as a file before acknowledging it, not as bytes in its row, with its box and event, and serves it', async () => {
    const e = await open();
    const ingest = createIngest({ root: 'jifang/v1', store: e.store, instance: 'test', forwarders: () => [], log: silentLogger });
    const jpeg = labelledJpeg(base, 'ev-1:0');
    const sha = sha256Hex(jpeg);
    await ingest.handle('jifang/v1/box-a/cam-1/events/ev-1/snapshot', jpeg);
    // Resolved: the message is acknowledged now, so the file must already be there.
    expect(existsSync(fileOf(e.blobDir, sha))).toBe(true);
    const [row] = await e.query('SELECT bytes, site, camera, event_id, jpeg FROM snapshots WHERE sha256 = $1', [sha]);
    expect(row).toMatchObject({ bytes: jpeg.length, site: 'box-a', camera: 'cam-1', event_id: 'ev-1' });
    expect(Buffer.from(row!.jpeg as Uint8Array).length).toBe(0);
    expect((await e.store.getSnapshot(sha))?.equals(jpeg)).toBe(true);
    // Delivered again (at least once): one row, one file, counted as a duplicate.
    await ingest.handle('jifang/v1/box-a/cam-1/events/ev-1/snapshot', jpeg);
    expect(ingest.counters).toMatchObject({ snapshots: 1, duplicates: 1 });
    expect(await e.store.counts()).toMatchObject({ snapshots: 1, snapshotBytes: jpeg.length });
    await e.end();
    await e.store.close();
  });

  it('does not acknowledge a snapshot its file could not be written for: the archive says why, and takes it when retried', async () => {
    const e = await open();
    const ingest = createIngest({ root: 'jifang/v1', store: e.store, instance: 'test', forwarders: () => [], log: silentLogger });
    const jpeg = labelledJpeg(base, 'no-room');
    const sha = sha256Hex(jpeg);
    // A file where the blob's folder must go: the write fails as a full or broken disk would.
    writeFileSync(join(e.blobDir, sha.slice(0, 2)), 'in the way');
    const topic = 'jifang/v1/box-a/cam-1/events/ev-9/snapshot';
    await expect(ingest.handle(topic, jpeg)).rejects.toThrow();
    expect(ingest.storeProblem()).not.toBeNull();
    expect(ingest.counters).toMatchObject({ deadLetters: 0, snapshots: 0, storeFailures: 1 });
    expect(await e.store.getSnapshot(sha)).toBeNull();
    rmSync(join(e.blobDir, sha.slice(0, 2)));
    await ingest.handle(topic, jpeg, true);
    expect(ingest.storeProblem()).toBeNull();
    expect((await e.store.getSnapshot(sha))?.equals(jpeg)).toBe(true);
    await e.end();
    await e.store.close();
  });

  it('keeps serving a snapshot an older version stored in its row, and prunes it by age', async () => {
    const old = labelledJpeg(base, 'old');
    const sha = sha256Hex(old);
    const hex = old.toString('hex');
    const e = await open({
      version: 4,
      rows: [
        `INSERT INTO snapshots (sha256, jpeg, bytes, topic, received_at) VALUES ('${sha}', ${engine === 'sqlite' ? `X'${hex}'` : `'\\x${hex}'::bytea`}, ${old.length}, 't', ${Date.now() - 400 * DAY})`,
      ],
    });
    expect((await e.store.getSnapshot(sha))?.equals(old)).toBe(true);
    const pruned = await e.store.pruneSnapshots({ before: Date.now() - 180 * DAY, perSiteBytes: 1e12 });
    expect(pruned.byAge).toEqual({ count: 1, bytes: old.length });
    expect(await e.store.getSnapshot(sha)).toBeNull();
    await e.end();
    await e.store.close();
  });

  it("deletes snapshots past their age and a box's oldest beyond its quota, files too, and leaves the events and the other box alone", async () => {
    const e = await open();
    const now = Date.now();
    const pics = [0, 1, 2, 3].map((i) => labelledJpeg(base, `a:${i}`));
    const other = labelledJpeg(base, 'b:0');
    const alert = makeAlert({ site: 'box-a', camera: 'cam-1', id: 'ev-a0', seq: 0, state: 'started', jpeg: pics[0]! });
    const json = JSON.stringify(alert);
    await e.store.saveEvent({ alert, categoryCode: null, categoryName: null, json, receivedAt: now, receivedBy: 't' }, []);
    await e.store.saveSnapshot(snap('box-a', 'ev-a0', pics[0]!, now - 200 * DAY));
    for (const i of [1, 2, 3]) await e.store.saveSnapshot(snap('box-a', `ev-a${i}`, pics[i]!, now - (10 - i) * 60_000));
    await e.store.saveSnapshot(snap('box-b', 'ev-b0', other, now - 20 * DAY));
    const quota = pics[2]!.length + pics[3]!.length + 10;

    const retention = startRetention(
      {
        eventDays: 730,
        snapshotDays: 180,
        snapshotMegabytesPerBox: quota / (1024 * 1024),
        deadLetterMegabytes: 1024,
        patrolPhotoDays: 365,
        gapDays: 10,
        everyMinutes: 60,
      },
      e.store,
      silentLogger,
    );
    await retention.runOnce();
    await retention.stop();

    expect(retention.counters).toMatchObject({ snapshotsByAge: 1, snapshotsByQuota: 1, failures: 0 });
    expect(retention.counters.snapshotBytes).toBe(pics[0]!.length + pics[1]!.length);
    const kept = await Promise.all([...pics, other].map(async (p) => (await e.store.getSnapshot(sha256Hex(p))) !== null));
    expect(kept).toEqual([false, false, true, true, true]);
    expect(existsSync(fileOf(e.blobDir, sha256Hex(pics[0]!)))).toBe(false);
    expect(existsSync(fileOf(e.blobDir, sha256Hex(pics[1]!)))).toBe(false);
    expect(existsSync(fileOf(e.blobDir, sha256Hex(pics[3]!)))).toBe(true);
    // The event stays, with the digest of its picture (the page shows it is gone).
    expect((await e.store.getEvent('ev-a0', 'box-a'))?.event.firstSnapshot).toBe(sha256Hex(pics[0]!));
    await e.end();
    await e.store.close();
  });

  it('keeps the dead letters within their quota, the oldest deleted first', async () => {
    const e = await open();
    const at = Date.now();
    const ids: number[] = [];
    for (const i of [0, 1, 2, 3])
      ids.push(
        await e.store.saveDeadLetter({
          topic: `t/${i}`,
          payload: Buffer.alloc(1000, i),
          error: 'refused',
          code: '22003',
          receivedAt: at + i,
        }),
      );
    expect(await e.store.pruneDeadLetters(2500)).toEqual({ count: 2, bytes: 2000 });
    expect((await e.store.listDeadLetters(10)).map((d) => d.id)).toEqual([ids[3], ids[2]]);
    expect(await e.store.pruneDeadLetters(2500)).toEqual({ count: 0, bytes: 0 });
    await e.end();
    await e.store.close();
  });
});
