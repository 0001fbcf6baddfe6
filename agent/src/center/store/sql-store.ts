import type { CameraHealth, Status } from '../../contract/health.ts';
import { sha256Hex } from '../../core/hash.ts';
import { readStoredAlert } from '../incoming.ts';
import { createIncidentStore } from './incident-store.ts';
import { MIGRATIONS, type Dialect } from './migrations.ts';
import type {
  ActionRow,
  CenterStore,
  ClaimedDelivery,
  DeadLetterRow,
  DeliveryRow,
  DeliveryStat,
  EventMessageRow,
  StoreCounts,
} from './types.ts';
import type { BoxRow, CameraRow, EventRow } from '../wire.ts';

export type Row = Record<string, unknown>;

/** The two engines behind one shape: `$1…` placeholders, rows as plain objects, a transaction that serialises. */
export interface Db {
  readonly dialect: Dialect;
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const ms = (iso: string | undefined): number | null => (iso ? Date.parse(iso) : null);

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

const DEAD_LETTER_COLUMNS = 'id, topic, bytes, error, code, received_at, replayed_at, replay_error';

const EVENT_COLUMNS =
  'id, site, camera, zone, type, category_code, category_name, state, seq, started_at, observed_at, ended_at, dwell_seconds, lon, lat, address, first_snapshot, last_snapshot, cleared_snapshot, operator_action, operator_by, operator_unit, operator_at, dispatched_at, first_seen, rev, changed_at';

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

function eventRow(r: Row): EventRow {
  return {
    id: String(r.id),
    site: String(r.site),
    camera: String(r.camera),
    zone: String(r.zone),
    type: String(r.type),
    categoryCode: strOrNull(r.category_code),
    categoryName: strOrNull(r.category_name),
    state: String(r.state),
    seq: num(r.seq),
    startedAt: num(r.started_at),
    observedAt: num(r.observed_at),
    endedAt: numOrNull(r.ended_at),
    dwellSeconds: num(r.dwell_seconds),
    lon: num(r.lon),
    lat: num(r.lat),
    address: strOrNull(r.address),
    firstSnapshot: strOrNull(r.first_snapshot),
    lastSnapshot: strOrNull(r.last_snapshot),
    clearedSnapshot: strOrNull(r.cleared_snapshot),
    operatorAction: strOrNull(r.operator_action),
    operatorBy: strOrNull(r.operator_by),
    operatorUnit: strOrNull(r.operator_unit),
    operatorAt: numOrNull(r.operator_at),
    dispatchedAt: numOrNull(r.dispatched_at),
    firstSeen: num(r.first_seen),
    rev: num(r.rev),
    changedAt: num(r.changed_at),
  };
}

function actionRow(r: Row): ActionRow {
  return {
    requestId: String(r.request_id),
    eventId: String(r.event_id),
    site: String(r.site),
    action: String(r.action),
    by: String(r.by_user),
    role: strOrNull(r.role),
    unit: strOrNull(r.unit),
    note: strOrNull(r.note),
    requestedAt: num(r.requested_at),
    result: String(r.result) as ActionRow['result'],
    error: strOrNull(r.error),
    answeredAt: numOrNull(r.answered_at),
  };
}

function deliveryRow(r: Row): DeliveryRow {
  return {
    forwarder: String(r.forwarder),
    eventId: String(r.event_id),
    seq: num(r.seq),
    state: String(r.state) as DeliveryRow['state'],
    attempts: num(r.attempts),
    nextAt: num(r.next_at),
    lastError: strOrNull(r.last_error),
    lastStatus: numOrNull(r.last_status),
    deliveredAt: numOrNull(r.delivered_at),
    createdAt: num(r.created_at),
  };
}

function deadLetterRow(r: Row): DeadLetterRow {
  return {
    id: num(r.id),
    topic: String(r.topic),
    bytes: num(r.bytes),
    error: String(r.error),
    code: strOrNull(r.code),
    receivedAt: num(r.received_at),
    replayedAt: numOrNull(r.replayed_at),
    replayError: strOrNull(r.replay_error),
  };
}

/** The camera rows' parsed health, reused while the row's JSON is unchanged (the live feed reads boxes 4 times a second). */
function healthCache() {
  const parsed = new Map<string, { json: string; health: CameraHealth }>();
  return (site: string, camera: string, json: unknown): CameraHealth | null => {
    if (!json) return null;
    const key = `${site}\u0000${camera}`;
    const hit = parsed.get(key);
    if (hit?.json === json) return hit.health;
    const health = JSON.parse(String(json)) as CameraHealth;
    parsed.set(key, { json: String(json), health });
    return health;
  };
}

export function createSqlStore(db: Db): CenterStore {
  const health = healthCache();
  const boxesWhere = async (where: string, params: unknown[]): Promise<BoxRow[]> => {
    const boxes = await db.all(
      `SELECT site, box_id, online, agent_version, started_at, status_json, status_at, last_contact, changed_at FROM boxes ${where} ORDER BY site`,
      params,
    );
    if (!boxes.length) return [];
    const cams = await db.all(
      `SELECT site, camera, name, state, reason, health_json, health_at FROM cameras ${where ? `WHERE site IN (SELECT site FROM boxes ${where})` : ''} ORDER BY site, camera`,
      params,
    );
    const bySite = new Map<string, CameraRow[]>();
    for (const c of cams) {
      const list = bySite.get(String(c.site)) ?? [];
      list.push({
        camera: String(c.camera),
        name: strOrNull(c.name),
        state: strOrNull(c.state),
        reason: strOrNull(c.reason),
        healthAt: numOrNull(c.health_at),
        health: health(String(c.site), String(c.camera), c.health_json),
      });
      bySite.set(String(c.site), list);
    }
    return boxes.map((b) => ({
      site: String(b.site),
      boxId: strOrNull(b.box_id),
      online: num(b.online) === 1,
      agentVersion: strOrNull(b.agent_version),
      startedAt: strOrNull(b.started_at),
      statusAt: numOrNull(b.status_at),
      lastContact: num(b.last_contact),
      changedAt: num(b.changed_at),
      location: b.status_json ? ((JSON.parse(String(b.status_json)) as Partial<Status>).location ?? null) : null,
      cameras: bySite.get(String(b.site)) ?? [],
    }));
  };

  const eventBy = async (id: string, site: string | undefined, columns: string): Promise<Row | undefined> =>
    site === undefined
      ? (await db.all(`SELECT ${columns} FROM events WHERE id = $1 ORDER BY first_seen LIMIT 1`, [id]))[0]
      : (await db.all(`SELECT ${columns} FROM events WHERE id = $1 AND site = $2`, [id, site]))[0];

  const touchIn = (t: Db, site: string, at: number) =>
    t.run(
      `INSERT INTO boxes (site, last_contact, changed_at) VALUES ($1, $2, $2)
       ON CONFLICT (site) DO UPDATE SET last_contact = CASE WHEN boxes.last_contact > excluded.last_contact THEN boxes.last_contact ELSE excluded.last_contact END`,
      [site, at],
    );

  return {
    kind: db.dialect,
    incidents: createIncidentStore(db),

    saveEvent: (ev, forwarders) =>
      db.tx(async (t) => {
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
        await t.run(
          `INSERT INTO events (id, site, camera, zone, type, category_code, category_name, state, seq, started_at, observed_at, ended_at, dwell_seconds, lon, lat, address,
             first_snapshot, last_snapshot, cleared_snapshot, operator_action, operator_by, operator_unit, operator_at, dispatched_at, alert_json, first_seen, rev, changed_at)
           VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}, 1, $${values.length})
           ON CONFLICT (site, id) DO UPDATE SET ${LATEST.map(newer).join(', ')},
             first_snapshot = COALESCE(excluded.first_snapshot, events.first_snapshot),
             cleared_snapshot = COALESCE(excluded.cleared_snapshot, events.cleared_snapshot),
             last_snapshot = CASE WHEN excluded.seq > events.seq AND excluded.last_snapshot IS NOT NULL THEN excluded.last_snapshot ELSE COALESCE(events.last_snapshot, excluded.last_snapshot) END,
             dispatched_at = CASE WHEN excluded.seq > events.seq AND excluded.dispatched_at IS NOT NULL THEN excluded.dispatched_at ELSE COALESCE(events.dispatched_at, excluded.dispatched_at) END,
             rev = events.rev + 1, changed_at = excluded.changed_at`,
          values,
        );
        for (const f of forwarders) {
          await t.run(
            'INSERT INTO deliveries (forwarder, site, event_id, seq, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING',
            [f, a.site, a.id, a.seq, ev.receivedAt],
          );
        }
        await touchIn(t, a.site, ev.receivedAt);
        return { inserted: true };
      }),

    saveSnapshot: async (sha256, jpeg, topic, receivedAt) => {
      const n = await db.run(
        'INSERT INTO snapshots (sha256, jpeg, bytes, topic, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING',
        [sha256, jpeg, jpeg.length, topic, receivedAt],
      );
      return { inserted: n > 0 };
    },

    saveStatus: (site, s, receivedAt) =>
      db.tx(async (t) => {
        // The latest status to arrive is the truth (retained, so a reconnect replays the current one). Its `at` cannot
        // order them: the Last Will is written when the box connects, before the online status it later replaces.
        const at = Date.parse(s.at);
        await t.run(
          `INSERT INTO boxes (site, box_id, online, agent_version, started_at, status_json, status_at, last_contact, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
           ON CONFLICT (site) DO UPDATE SET box_id = excluded.box_id, online = excluded.online, agent_version = excluded.agent_version, started_at = excluded.started_at,
             status_json = excluded.status_json, status_at = excluded.status_at, changed_at = excluded.changed_at,
             last_contact = CASE WHEN boxes.last_contact > excluded.last_contact THEN boxes.last_contact ELSE excluded.last_contact END`,
          [site, s.boxId, s.online ? 1 : 0, s.agentVersion, s.startedAt ?? null, JSON.stringify(s), at, s.online ? receivedAt : 0],
        );
        for (const c of s.cameras) {
          await t.run(
            `INSERT INTO cameras (site, camera, name, state, changed_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (site, camera) DO UPDATE SET name = COALESCE(excluded.name, cameras.name), state = COALESCE(cameras.state, excluded.state), changed_at = excluded.changed_at`,
            [site, c.id, c.name ?? null, c.state ?? null, receivedAt],
          );
        }
      }),

    saveHealth: (site, h, receivedAt) =>
      db.tx(async (t) => {
        // The box's row first, then its camera's, as saveStatus does: two instances writing both never wait on each other in a circle.
        await t.run(
          `INSERT INTO boxes (site, last_contact, changed_at) VALUES ($1, $2, $2)
           ON CONFLICT (site) DO UPDATE SET changed_at = excluded.changed_at,
             last_contact = CASE WHEN boxes.last_contact > excluded.last_contact THEN boxes.last_contact ELSE excluded.last_contact END`,
          [site, receivedAt],
        );
        await t.run(
          `INSERT INTO cameras (site, camera, state, reason, health_json, health_at, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (site, camera) DO UPDATE SET state = excluded.state, reason = excluded.reason, health_json = excluded.health_json,
             health_at = excluded.health_at, changed_at = excluded.changed_at
           WHERE cameras.health_at IS NULL OR cameras.health_at <= excluded.health_at`,
          [site, h.camera, h.state, h.reason ?? null, JSON.stringify(h), Date.parse(h.at), receivedAt],
        );
      }),

    touch: (site, at) => db.tx((t) => touchIn(t, site, at).then(() => undefined)),

    saveCommandResult: async (site, r, json, receivedAt) => {
      const digest = sha256Hex(json);
      const n = await db.run(
        'INSERT INTO command_results (digest, site, request_id, command, ok, error, result_json, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (digest) DO NOTHING',
        [digest, site, r.requestId ?? null, r.command, r.ok ? 1 : 0, r.error ?? null, json, receivedAt],
      );
      if (n > 0 && r.requestId) {
        await db.run(
          "UPDATE actions SET result = $2, error = $3, answered_at = $4 WHERE request_id = $1 AND site = $5 AND result IN ('pending', 'timeout')",
          [r.requestId, r.ok ? 'ok' : 'refused', r.error ?? null, receivedAt, site],
        );
      }
      return { inserted: n > 0 };
    },

    recordAction: async (a) => {
      await db.tx(async (t) => {
        await t.run(
          'INSERT INTO actions (request_id, event_id, site, action, by_user, role, unit, note, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
          [a.requestId, a.eventId, a.site, a.action, a.by, a.role, a.unit, a.note, a.requestedAt],
        );
        await t.run('UPDATE events SET rev = rev + 1, changed_at = $2 WHERE id = $1 AND site = $3', [a.eventId, a.requestedAt, a.site]);
      });
    },

    finishAction: async (requestId, result, error, at) => {
      await db.tx(async (t) => {
        // The box's answer may already be in (it came through the shared subscription first): a timeout never overwrites it.
        const rows = await t.all(
          `UPDATE actions SET result = $2, error = $3, answered_at = $4 WHERE request_id = $1 AND (result = 'pending' OR $2 <> 'timeout') RETURNING event_id, site`,
          [requestId, result, error, at],
        );
        for (const r of rows)
          await t.run('UPDATE events SET rev = rev + 1, changed_at = $2 WHERE id = $1 AND site = $3', [r.event_id, at, r.site]);
      });
    },

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

    getEvent: async (id, site) => {
      const row = await eventBy(id, site, EVENT_COLUMNS);
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
      const row = await eventBy(id, site, 'alert_json');
      return row ? readStoredAlert(row.alert_json) : null;
    },

    getSnapshot: async (sha256) => {
      const [row] = await db.all('SELECT jpeg FROM snapshots WHERE sha256 = $1', [sha256]);
      return row ? Buffer.from(row.jpeg as Uint8Array) : null;
    },

    listBoxes: () => boxesWhere('', []),

    changedSince: async (since) => ({
      events: (await db.all(`SELECT ${EVENT_COLUMNS} FROM events WHERE changed_at >= $1 ORDER BY changed_at LIMIT 1000`, [since])).map(
        eventRow,
      ),
      boxes: await boxesWhere('WHERE changed_at >= $1', [since]),
    }),

    claimDeliveries: (now, limit, leaseMs) =>
      db.tx(async (t) => {
        // The outer conditions are checked again on the row after a concurrent claim commits, so two instances never both win.
        const due = "state = 'pending' AND next_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)";
        const rows = await t.all(
          `UPDATE deliveries SET claimed_until = $2 WHERE (forwarder, site, event_id, seq) IN (SELECT forwarder, site, event_id, seq FROM deliveries WHERE ${due} ORDER BY next_at LIMIT $3) AND ${due}
           RETURNING forwarder, site, event_id, seq, state, attempts, next_at, last_error, last_status, delivered_at, created_at`,
          [now, now + leaseMs, limit],
        );
        const out: ClaimedDelivery[] = [];
        for (const r of rows) {
          const [m] = await t.all('SELECT alert_json FROM event_messages WHERE site = $1 AND event_id = $2 AND seq = $3', [
            r.site,
            r.event_id,
            r.seq,
          ]);
          if (m) out.push({ ...deliveryRow(r), site: String(r.site), alertJson: String(m.alert_json) });
        }
        return out;
      }),

    finishDelivery: async (d, o) => {
      if (o.ok) {
        await db.run(
          "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, last_status = $4, delivered_at = $5, last_error = NULL, claimed_until = NULL WHERE forwarder = $1 AND event_id = $2 AND seq = $3 AND site = $6",
          [d.forwarder, d.eventId, d.seq, o.status, o.at, d.site],
        );
      } else {
        await db.run(
          'UPDATE deliveries SET state = $4, attempts = attempts + 1, last_status = $5, last_error = $6, next_at = COALESCE($7, next_at), claimed_until = NULL WHERE forwarder = $1 AND event_id = $2 AND seq = $3 AND site = $8',
          [d.forwarder, d.eventId, d.seq, o.nextAt === null ? 'failed' : 'pending', o.status, o.error, o.nextAt, d.site],
        );
      }
    },

    deliveryStats: async () => {
      const rows = await db.all(
        `SELECT forwarder, SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END) AS pending, SUM(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END) AS delivered,
           SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS failed, MAX(delivered_at) AS last_delivered FROM deliveries GROUP BY forwarder ORDER BY forwarder`,
      );
      const out: DeliveryStat[] = [];
      for (const r of rows) {
        const [e] = await db.all(
          'SELECT last_error FROM deliveries WHERE forwarder = $1 AND last_error IS NOT NULL ORDER BY next_at DESC LIMIT 1',
          [r.forwarder],
        );
        out.push({
          forwarder: String(r.forwarder),
          pending: num(r.pending),
          delivered: num(r.delivered),
          failed: num(r.failed),
          lastError: strOrNull(e?.last_error),
          lastDeliveredAt: numOrNull(r.last_delivered),
        });
      }
      return out;
    },

    counts: async () => {
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
    },

    saveDeadLetter: async (d) => {
      const [row] = await db.all(
        'INSERT INTO dead_letters (topic, payload, bytes, error, code, received_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [d.topic, d.payload, d.payload.length, d.error, d.code, d.receivedAt],
      );
      return num(row?.id);
    },

    listDeadLetters: async (limit) =>
      (await db.all(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters ORDER BY id DESC LIMIT $1`, [Math.min(Math.max(1, limit), 1000)])).map(
        deadLetterRow,
      ),

    getDeadLetter: async (id) => {
      const [row] = await db.all(`SELECT ${DEAD_LETTER_COLUMNS}, payload FROM dead_letters WHERE id = $1`, [id]);
      return row ? { ...deadLetterRow(row), payload: Buffer.from(row.payload as Uint8Array) } : null;
    },

    finishReplay: async (id, at, error) => {
      await db.run('UPDATE dead_letters SET replayed_at = $2, replay_error = $3 WHERE id = $1', [id, error === null ? at : null, error]);
    },

    sizeBytes: () => db.sizeBytes(),
    close: () => db.close(),
  };
}
