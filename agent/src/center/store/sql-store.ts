import { actionStore } from './action-store.ts';
import type { BlobStore } from './blob-store.ts';
import { boxReader, boxStore } from './box-store.ts';
import { type Db, num } from './db.ts';
import { deadLetterStore } from './dead-letter-store.ts';
import { deliveryStore } from './delivery-store.ts';
import { eventStore } from './event-store.ts';
import { createIncidentStore } from './incident-store.ts';
import { MIGRATIONS } from './migrations.ts';
import { createPatrolStore } from './patrol-store.ts';
import { progressStore } from './progress-store.ts';
import { EVENT_COLUMNS, eventRow } from './rows.ts';
import { createSessionStore } from './session-store.ts';
import { snapshotStore } from './snapshot-store.ts';
import { createStatsStore } from './stats-store.ts';
import type { CenterStore, StoreCounts } from './types.ts';

/** Applies the migrations not yet recorded, all in one transaction (a failed step leaves the schema as it was). */
export async function migrate(db: Db): Promise<number[]> {
  return db.tx(async (t) => {
    // Two instances starting together: the second waits here, then finds the versions recorded.
    if (db.dialect === 'postgres') await t.all('SELECT pg_advisory_xact_lock(7355608)');
    await t.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = new Set((await t.all('SELECT version FROM schema_migrations')).map((r) => num(r.version)));
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const stmt of m.sql(db.dialect)) await t.run(stmt);
      await t.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
      done.push(m.version);
    }
    return done;
  });
}

async function counts(db: Db): Promise<StoreCounts> {
  const one = async (sql: string) => num((await db.all(sql))[0]?.n ?? 0);
  return {
    events: await one('SELECT COUNT(*) AS n FROM events'),
    messages: await one('SELECT COUNT(*) AS n FROM event_messages'),
    snapshots: await one('SELECT COUNT(*) AS n FROM snapshots'),
    snapshotBytes: await one('SELECT COALESCE(SUM(bytes), 0) AS n FROM snapshots'),
    actions: await one('SELECT COUNT(*) AS n FROM actions'),
    commandResults: await one('SELECT COUNT(*) AS n FROM command_results'),
    deliveries: await one('SELECT COUNT(*) AS n FROM deliveries'),
    deadLetters: await one('SELECT COUNT(*) AS n FROM dead_letters WHERE replayed_at IS NULL'),
  } satisfies StoreCounts;
}

/** The center's archive on either engine, put together from one part per concern. */
export function createSqlStore(db: Db, blobs: BlobStore): CenterStore {
  const boxesWhere = boxReader(db);
  return {
    kind: db.dialect,
    incidents: createIncidentStore(db),
    stats: createStatsStore(db),
    sessions: createSessionStore(db),
    patrol: createPatrolStore(db),
    blobs,
    progress: progressStore(db),
    ...eventStore(db),
    ...snapshotStore(db, blobs),
    ...boxStore(db),
    ...actionStore(db),
    listBoxes: () => boxesWhere('', []),

    changedSince: async (since) => ({
      events: (await db.all(`SELECT ${EVENT_COLUMNS} FROM events WHERE changed_at >= $1 ORDER BY changed_at LIMIT 1000`, [since])).map(
        eventRow,
      ),
      boxes: await boxesWhere('WHERE changed_at >= $1', [since]),
    }),
    ...deliveryStore(db),
    counts: () => counts(db),
    ...deadLetterStore(db),
    sizeBytes: () => db.sizeBytes(),
    close: () => db.close(),
  };
}
