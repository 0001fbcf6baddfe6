import { readStoredAlert } from '../incoming.ts';
import { touchIn } from './box-store.ts';
import { type Db, ms, num, type Row, strOrNull } from './db.ts';
import { CAMERA_NAME } from './event-head.ts';
import { actionRow, deliveryRow, EVENT_COLUMNS, eventRow } from './rows.ts';
import type { CenterStore, EventMessageRow, EventSearch, IncomingEvent } from './types.ts';

/** Columns that follow the newest message (highest seq), whatever order the messages arrive in. */
const LATEST = [
  'state',
  'seq',
  'observed_at',
  'ended_at',
  'dwell_seconds',
  'lon',
  'lat',
  'address',
  'alert_json',
  'operator_action',
  'operator_by',
  'operator_unit',
  'operator_at',
  'category_code',
  'category_name',
];

/** The names for people: the newest message's that has them (an installer renames a camera, the next message says so). */
const NAMES = ['camera_name', 'zone_name'];

/**
 * Stores one lifecycle message in transaction `t` and queues it for the forwarders; a repeat (same site, id and seq)
 * changes nothing. `touch`: counts the box's contact here (a batch counts all its contacts in one statement instead).
 */
async function insertEvent(t: Db, ev: IncomingEvent, forwarders: readonly string[], touch: boolean): Promise<{ inserted: boolean }> {
  const a = ev.alert;
  const snap = a.evidence.snapshot?.sha256 ?? null;
  const fresh = await t.all(
    'INSERT INTO event_messages (site, event_id, seq, state, snapshot_sha, received_at, received_by, alert_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (site, event_id, seq) DO NOTHING RETURNING seq',
    [a.site, a.id, a.seq, a.state, snap, ev.receivedAt, ev.receivedBy, ev.json],
  );
  if (!fresh.length) return { inserted: false };
  const op = a.operator;
  const values = [
    a.id,
    a.site,
    a.camera,
    a.zone,
    a.type,
    ev.categoryCode,
    ev.categoryName,
    a.state,
    a.seq,
    ms(a.startedAt),
    ms(a.observedAt),
    ms(a.endedAt),
    a.dwellSeconds,
    a.location.coordinates[0],
    a.location.coordinates[1],
    a.address ?? null,
    a.seq === 0 ? snap : null,
    snap,
    a.state === 'cleared' ? snap : null,
    op?.action ?? null,
    op?.by ?? null,
    op?.unit ?? null,
    ms(op?.at),
    op?.action === 'dispatch' ? ms(op.at) : null,
    ev.json,
    ev.receivedAt,
  ];
  const newer = (c: string) => `${c} = CASE WHEN excluded.seq > events.seq THEN excluded.${c} ELSE events.${c} END`;
  const n = values.length;
  await t.run(
    `INSERT INTO events (id, site, camera, zone, type, category_code, category_name, state, seq, started_at, observed_at, ended_at, dwell_seconds, lon, lat, address,
       first_snapshot, last_snapshot, cleared_snapshot, operator_action, operator_by, operator_unit, operator_at, dispatched_at, alert_json, first_seen, rev, changed_at,
       plate, rule_id, camera_name, zone_name)
     VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}, 1, $${n}, $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4})
     ON CONFLICT (site, id) DO UPDATE SET ${LATEST.map(newer).join(', ')},
       plate = CASE WHEN excluded.seq > events.seq AND excluded.plate IS NOT NULL THEN excluded.plate ELSE COALESCE(events.plate, excluded.plate) END,
       rule_id = COALESCE(events.rule_id, excluded.rule_id),
       ${NAMES.map((c) => `${c} = COALESCE(CASE WHEN excluded.seq > events.seq THEN excluded.${c} END, events.${c}, excluded.${c})`).join(', ')},
       first_snapshot = COALESCE(excluded.first_snapshot, events.first_snapshot),
       cleared_snapshot = COALESCE(excluded.cleared_snapshot, events.cleared_snapshot),
       last_snapshot = CASE WHEN excluded.seq > events.seq AND excluded.last_snapshot IS NOT NULL THEN excluded.last_snapshot ELSE COALESCE(events.last_snapshot, excluded.last_snapshot) END,
       dispatched_at = CASE WHEN excluded.seq > events.seq AND excluded.dispatched_at IS NOT NULL THEN excluded.dispatched_at ELSE COALESCE(events.dispatched_at, excluded.dispatched_at) END,
       rev = events.rev + 1, changed_at = excluded.changed_at`,
    [...values, a.objects.find((o) => o.plate)?.plate?.text ?? null, a.rule.id, a.cameraName ?? null, a.zoneName ?? null],
  );
  for (const f of forwarders) {
    await t.run(
      'INSERT INTO deliveries (forwarder, site, event_id, seq, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING',
      [f, a.site, a.id, a.seq, ev.receivedAt],
    );
  }
  if (touch) await touchIn(t, a.site, ev.receivedAt);
  return { inserted: true };
}

/** `LIKE` text matching `part` anywhere, whatever its case; `%`, `_` and `\\` in it are taken literally. */
const containing = (part: string): string => `%${part.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The WHERE clause of a search, its parameters numbered from $1. */
function searchWhere(q: EventSearch): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const like = (column: string, part: string) => `LOWER(COALESCE(${column}, '')) LIKE ${p(containing(part))} ESCAPE '\\'`;
  const { text } = q;
  if (text) where.push(`(${['plate', 'address', 'id', CAMERA_NAME, 'zone_name'].map((c) => like(c, text)).join(' OR ')})`);
  if (q.plate) where.push(like('plate', q.plate));
  if (q.address) where.push(like('address', q.address));
  if (q.id) where.push(like('id', q.id));
  if (q.site) where.push(`site = ${p(q.site)}`);
  if (q.type) where.push(`type = ${p(q.type)}`);
  if (q.since !== undefined) where.push(`started_at >= ${p(q.since)}`);
  if (q.until !== undefined) where.push(`started_at <= ${p(q.until)}`);
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

const eventBy = async (db: Db, id: string, site: string | undefined, columns: string): Promise<Row | undefined> =>
  site === undefined
    ? (await db.all(`SELECT ${columns} FROM events WHERE id = $1 ORDER BY first_seen LIMIT 1`, [id]))[0]
    : (await db.all(`SELECT ${columns} FROM events WHERE id = $1 AND site = $2`, [id, site]))[0];

/** The events: the messages in, the archive out. */
export function eventStore(
  db: Db,
  opts: { touchBoxes: boolean } = { touchBoxes: true },
): Pick<CenterStore, 'saveEvent' | 'listEvents' | 'searchEvents' | 'getEvent' | 'latestAlert'> {
  return {
    saveEvent: (ev, forwarders) => db.tx((t) => insertEvent(t, ev, forwarders, opts.touchBoxes)),

    listEvents: async (f) => {
      const where: string[] = [];
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      if (f.site) where.push(`site = ${p(f.site)}`);
      if (f.type) where.push(`type = ${p(f.type)}`);
      if (f.states?.length) where.push(`state IN (${f.states.map(p).join(', ')})`);
      if (f.open) where.push("state <> 'cleared' AND (operator_action IS NULL OR operator_action NOT IN ('false_positive', 'resolve'))");
      if (f.since !== undefined) where.push(`started_at >= ${p(f.since)}`);
      if (f.until !== undefined) where.push(`started_at <= ${p(f.until)}`);
      const rows = await db.all(
        `SELECT ${EVENT_COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC LIMIT ${p(Math.min(f.limit ?? 200, 2000))}`,
        params,
      );
      return rows.map(eventRow);
    },

    searchEvents: async (q) => {
      const { sql, params } = searchWhere(q);
      const total = num((await db.all(`SELECT COUNT(*) AS n FROM events ${sql}`, params))[0]?.n ?? 0);
      const page = params.length;
      const rows = await db.all(
        `SELECT ${EVENT_COLUMNS} FROM events ${sql} ORDER BY started_at DESC, site, id LIMIT $${page + 1} OFFSET $${page + 2}`,
        [...params, q.limit, q.offset],
      );
      return { events: rows.map(eventRow), total };
    },

    getEvent: async (id, site) => {
      const row = await eventBy(db, id, site, EVENT_COLUMNS);
      if (!row) return null;
      const key = [id, row.site];
      const messages: EventMessageRow[] = (
        await db.all(
          'SELECT seq, state, snapshot_sha, received_at, received_by, alert_json FROM event_messages WHERE event_id = $1 AND site = $2 ORDER BY seq',
          key,
        )
      ).map((m) => ({
        seq: num(m.seq),
        state: String(m.state),
        snapshotSha: strOrNull(m.snapshot_sha),
        receivedAt: num(m.received_at),
        receivedBy: strOrNull(m.received_by),
        alert: readStoredAlert(m.alert_json),
      }));
      const actions = (await db.all('SELECT * FROM actions WHERE event_id = $1 AND site = $2 ORDER BY requested_at', key)).map(actionRow);
      const deliveries = (await db.all('SELECT * FROM deliveries WHERE event_id = $1 AND site = $2 ORDER BY forwarder, seq', key)).map(
        deliveryRow,
      );
      return { event: eventRow(row), messages, actions, deliveries };
    },

    latestAlert: async (id, site) => {
      const row = await eventBy(db, id, site, 'alert_json');
      return row ? readStoredAlert(row.alert_json) : null;
    },
  };
}
