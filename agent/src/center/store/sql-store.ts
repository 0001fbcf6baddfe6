import { actionStore } from './action-store.ts';
import type { BlobStore } from './blob-store.ts';
import { boxReader, boxStore, type ContactLedger, contactLedger, saveContactsIn, saveStatusesIn } from './box-store.ts';
import { type Db, num } from './db.ts';
import { deadLetterStore } from './dead-letter-store.ts';
import { deliveryStore } from './delivery-store.ts';
import { eventPruneStore } from './event-prune.ts';
import { eventStore } from './event-store.ts';
import { createIncidentStore } from './incident-store.ts';
import { MIGRATIONS } from './migrations.ts';
import { createPatrolStore } from './patrol-store.ts';
import { progressStore } from './progress-store.ts';
import { EVENT_COLUMNS, eventRow } from './rows.ts';
import { createSessionStore } from './session-store.ts';
import { snapshotStore } from './snapshot-store.ts';
import { createStatsStore } from './stats-store.ts';
import type { CenterStore, IngestWrites, StoreChange, StoreCounts } from './types.ts';

/** The channel instances announce their commits on (PostgreSQL NOTIFY). */
const CHANGES = 'jifang_center_changes';
/** A NOTIFY payload must stay under 8,000 bytes: keys are announced in chunks of this many. */
const KEYS_PER_NOTICE = 40;

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

/** The writes of one group commit, all on transaction `t`. */
function ingestWrites(t: Db, blobs: BlobStore, contacts: ContactLedger): IngestWrites {
  // The boxes' contacts are counted for the whole batch in one sorted statement (saveContacts), not one per alert.
  const events = eventStore(t, { touchBoxes: false });
  return {
    saveEvent: events.saveEvent,
    // The blob is written (and synced) before its row: before the batch commits, before any acknowledgement.
    saveSnapshot: snapshotStore(t, blobs).saveSnapshot,
    saveStatuses: (writes) => saveStatusesIn(t, writes),
    saveContacts: (writes, cs) => saveContactsIn(t, writes, cs, contacts),
    saveCommandResult: actionStore(t).saveCommandResult,
    saveDeadLetter: deadLetterStore(t).saveDeadLetter,
    announce: async ({ from, events: keys, sites }) => {
      if (t.dialect !== 'postgres') return;
      for (let i = 0; i === 0 || i < keys.length; i += KEYS_PER_NOTICE) {
        const part = { from, events: keys.slice(i, i + KEYS_PER_NOTICE), sites: i === 0 ? sites : [] };
        await t.all('SELECT pg_notify($1, $2)', [CHANGES, JSON.stringify(part)]);
      }
    },
  };
}

/** The rows a change names, read by key. */
async function changedRows(db: Db, boxesWhere: ReturnType<typeof boxReader>, c: StoreChange) {
  const events = c.events.length
    ? await db.all(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE ${c.events.map((_, i) => `(site = $${2 * i + 1} AND id = $${2 * i + 2})`).join(' OR ')}`,
        c.events.flatMap((k) => [k.site, k.id]),
      )
    : [];
  const boxes = c.sites.length ? await boxesWhere(`WHERE site IN (${c.sites.map((_, i) => `$${i + 1}`).join(', ')})`, c.sites) : [];
  return { events: events.map(eventRow), boxes };
}

/** A notification's payload read without trusting it: another instance (of another version) wrote it. */
function readNotice(payload: string): (StoreChange & { from: string }) | undefined {
  try {
    const o = JSON.parse(payload) as Partial<StoreChange & { from: string }>;
    if (typeof o.from !== 'string' || !Array.isArray(o.events) || !Array.isArray(o.sites)) return undefined;
    return { from: o.from, events: o.events, sites: o.sites };
  } catch {
    return undefined;
  }
}

/** The center's archive on either engine, put together from one part per concern. */
export function createSqlStore(db: Db, blobs: BlobStore): CenterStore {
  const boxesWhere = boxReader(db);
  const contacts = contactLedger(db);
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
    ...eventPruneStore(db),
    ...boxStore(db),
    ...actionStore(db),
    listBoxes: () => boxesWhere('', []),
    ingestBatch: (fn) => db.tx((t) => fn(ingestWrites(t, blobs, contacts))),
    changed: (c) => changedRows(db, boxesWhere, c),
    onChange: (listener) =>
      db.listen(CHANGES, (payload) => {
        if (payload === null) return listener(null);
        const c = readNotice(payload);
        if (c) listener(c);
      }),

    changedSince: async (since) => ({
      events: (await db.all(`SELECT ${EVENT_COLUMNS} FROM events WHERE changed_at >= $1 ORDER BY changed_at LIMIT 1000`, [since])).map(
        eventRow,
      ),
      boxes: await boxesWhere('WHERE changed_at >= $1 OR site IN (SELECT site FROM cameras WHERE changed_at >= $1)', [since]),
    }),
    ...deliveryStore(db),
    counts: () => counts(db),
    ...deadLetterStore(db),
    sizeBytes: () => db.sizeBytes(),
    close: async () => {
      // The last contacts kept are written while the archive can take them; a center closing on a dead archive
      // loses only those (when it last heard each box), as a crash would.
      await contacts.close().catch(() => undefined);
      await db.close();
    },
  };
}
