import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { openBlobStore } from './blob-store.ts';
import type { Db, Row } from './db.ts';
import { createSqlStore, migrate } from './sql-store.ts';
import type { CenterStore } from './types.ts';

/** `$1` → `@p1` (a named parameter may repeat): the store's statements are written once for both engines. */
const toSqlite = (sql: string) => sql.replace(/\$(\d+)/g, '@p$1');
/** better-sqlite3 binds Buffers as BLOBs and numbers as they are; booleans are stored 0/1 by the store itself. */
const bind = (params: unknown[]): [Record<string, unknown>] | [] =>
  params.length ? [Object.fromEntries(params.map((p, i) => [`p${i + 1}`, p === undefined ? null : p]))] : [];

/**
 * The embedded archive for one machine: one file, WAL, synchronous=FULL — a message is acknowledged to the broker once
 * committed, so the commit must survive a power cut (NORMAL could lose it). Readable by its owner only (0600, and the
 * WAL files SQLite creates take the same mode): it holds every event's plates and places. Snapshots are files in
 * `blobDir` (default: `blobs` beside the database).
 */
export async function openSqliteStore(path: string, blobDir = join(dirname(path), 'blobs')): Promise<CenterStore> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let st = cache.get(sql);
    if (!st) {
      st = sqlite.prepare(toSqlite(sql));
      cache.set(sql, st);
    }
    return st;
  };
  // One connection: transactions are queued so two messages handled at once never interleave inside one.
  let chain: Promise<unknown> = Promise.resolve();
  let inTx = false;
  const db: Db = {
    dialect: 'sqlite',
    all: async (sql, params = []) => {
      const st = prepare(sql);
      return st.reader ? (st.all(...bind(params)) as Row[]) : (st.run(...bind(params)), []);
    },
    run: async (sql, params = []) => prepare(sql).run(...bind(params)).changes,
    tx: (fn) => {
      if (inTx) return fn(db);
      const next = chain.then(async () => {
        inTx = true;
        sqlite.exec('BEGIN IMMEDIATE');
        try {
          const out = await fn(db);
          sqlite.exec('COMMIT');
          return out;
        } catch (err) {
          sqlite.exec('ROLLBACK');
          throw err;
        } finally {
          inTx = false;
        }
      });
      chain = next.catch(() => undefined);
      return next;
    },
    // The one writer is this process: there is no other instance to hear.
    listen: () => () => undefined,
    sizeBytes: async () => [path, `${path}-wal`].reduce((sum, f) => sum + (statSafe(f) ?? 0), 0),
    close: async () => {
      await chain;
      sqlite.close();
    },
  };
  await migrate(db);
  return createSqlStore(db, await openBlobStore(blobDir));
}

function statSafe(f: string): number | null {
  try {
    return statSync(f).size;
  } catch {
    return null;
  }
}
