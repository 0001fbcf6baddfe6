import { patrolTables } from './patrol-tables.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Schema versions, applied in order and recorded in `schema_migrations`; a released step is never edited, a change
 * is a new step. Times are milliseconds since the epoch (BIGINT), booleans 0/1, so both engines read the same rows.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: (d: Dialect) => string[] }[] = [
  {
    version: 1,
    name: 'archive: boxes, cameras, events, messages, snapshots, actions, command results, deliveries',
    sql: (d) => [
      `CREATE TABLE boxes (
        site TEXT PRIMARY KEY, box_id TEXT, online INTEGER NOT NULL DEFAULT 0, agent_version TEXT, started_at TEXT,
        status_json TEXT, status_at BIGINT, last_contact BIGINT NOT NULL, changed_at BIGINT NOT NULL)`,
      `CREATE TABLE cameras (
        site TEXT NOT NULL, camera TEXT NOT NULL, name TEXT, state TEXT, reason TEXT, health_json TEXT, health_at BIGINT,
        changed_at BIGINT NOT NULL, PRIMARY KEY (site, camera))`,
      `CREATE TABLE events (
        id TEXT PRIMARY KEY, site TEXT NOT NULL, camera TEXT NOT NULL, zone TEXT NOT NULL, type TEXT NOT NULL,
        category_code TEXT, category_name TEXT, state TEXT NOT NULL, seq INTEGER NOT NULL,
        started_at BIGINT NOT NULL, observed_at BIGINT NOT NULL, ended_at BIGINT, dwell_seconds DOUBLE PRECISION NOT NULL,
        lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL, address TEXT,
        first_snapshot TEXT, last_snapshot TEXT, cleared_snapshot TEXT,
        operator_action TEXT, operator_by TEXT, operator_unit TEXT, operator_at BIGINT, dispatched_at BIGINT,
        alert_json TEXT NOT NULL, first_seen BIGINT NOT NULL, rev INTEGER NOT NULL, changed_at BIGINT NOT NULL)`,
      'CREATE INDEX events_changed ON events (changed_at)',
      'CREATE INDEX events_started ON events (started_at)',
      `CREATE TABLE event_messages (
        event_id TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL, snapshot_sha TEXT,
        received_at BIGINT NOT NULL, received_by TEXT, alert_json TEXT NOT NULL, PRIMARY KEY (event_id, seq))`,
      `CREATE TABLE snapshots (
        sha256 TEXT PRIMARY KEY, jpeg ${d === 'postgres' ? 'BYTEA' : 'BLOB'} NOT NULL, bytes INTEGER NOT NULL, topic TEXT, received_at BIGINT NOT NULL)`,
      `CREATE TABLE actions (
        request_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, site TEXT NOT NULL, action TEXT NOT NULL, by_user TEXT NOT NULL,
        role TEXT, unit TEXT, note TEXT, requested_at BIGINT NOT NULL, result TEXT NOT NULL DEFAULT 'pending', error TEXT, answered_at BIGINT)`,
      'CREATE INDEX actions_event ON actions (event_id)',
      `CREATE TABLE command_results (
        digest TEXT PRIMARY KEY, site TEXT NOT NULL, request_id TEXT, command TEXT NOT NULL, ok INTEGER NOT NULL, error TEXT,
        result_json TEXT NOT NULL, received_at BIGINT NOT NULL)`,
      `CREATE TABLE deliveries (
        forwarder TEXT NOT NULL, event_id TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0, next_at BIGINT NOT NULL, claimed_until BIGINT, last_error TEXT, last_status INTEGER,
        delivered_at BIGINT, created_at BIGINT NOT NULL, PRIMARY KEY (forwarder, event_id, seq))`,
      'CREATE INDEX deliveries_due ON deliveries (state, next_at)',
    ],
  },
  {
    version: 2,
    name: 'events keyed by (site, id), seq BIGINT, dead letters',
    // Tables rebuilt (SQLite cannot change a primary key in place); a message's site comes from its event.
    sql: (d) => [
      `CREATE TABLE events_v2 (
        id TEXT NOT NULL, site TEXT NOT NULL, camera TEXT NOT NULL, zone TEXT NOT NULL, type TEXT NOT NULL,
        category_code TEXT, category_name TEXT, state TEXT NOT NULL, seq BIGINT NOT NULL,
        started_at BIGINT NOT NULL, observed_at BIGINT NOT NULL, ended_at BIGINT, dwell_seconds DOUBLE PRECISION NOT NULL,
        lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL, address TEXT,
        first_snapshot TEXT, last_snapshot TEXT, cleared_snapshot TEXT,
        operator_action TEXT, operator_by TEXT, operator_unit TEXT, operator_at BIGINT, dispatched_at BIGINT,
        alert_json TEXT NOT NULL, first_seen BIGINT NOT NULL, rev INTEGER NOT NULL, changed_at BIGINT NOT NULL, PRIMARY KEY (site, id))`,
      `INSERT INTO events_v2 SELECT ${V1_EVENT_COLUMNS} FROM events`,
      `CREATE TABLE event_messages_v2 (
        site TEXT NOT NULL, event_id TEXT NOT NULL, seq BIGINT NOT NULL, state TEXT NOT NULL, snapshot_sha TEXT,
        received_at BIGINT NOT NULL, received_by TEXT, alert_json TEXT NOT NULL, PRIMARY KEY (site, event_id, seq))`,
      `INSERT INTO event_messages_v2 SELECT COALESCE(e.site, ''), m.event_id, m.seq, m.state, m.snapshot_sha, m.received_at, m.received_by, m.alert_json
        FROM event_messages m LEFT JOIN events e ON e.id = m.event_id`,
      `CREATE TABLE deliveries_v2 (
        forwarder TEXT NOT NULL, site TEXT NOT NULL, event_id TEXT NOT NULL, seq BIGINT NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0, next_at BIGINT NOT NULL, claimed_until BIGINT, last_error TEXT, last_status INTEGER,
        delivered_at BIGINT, created_at BIGINT NOT NULL, PRIMARY KEY (forwarder, site, event_id, seq))`,
      `INSERT INTO deliveries_v2 SELECT r.forwarder, COALESCE(e.site, ''), r.event_id, r.seq, r.state, r.attempts, r.next_at, r.claimed_until,
          r.last_error, r.last_status, r.delivered_at, r.created_at
        FROM deliveries r LEFT JOIN events e ON e.id = r.event_id`,
      'DROP TABLE deliveries',
      'DROP TABLE event_messages',
      'DROP TABLE events',
      'ALTER TABLE events_v2 RENAME TO events',
      'ALTER TABLE event_messages_v2 RENAME TO event_messages',
      'ALTER TABLE deliveries_v2 RENAME TO deliveries',
      'CREATE INDEX events_changed ON events (changed_at)',
      'CREATE INDEX events_started ON events (started_at)',
      'CREATE INDEX events_id ON events (id)',
      'CREATE INDEX deliveries_due ON deliveries (state, next_at)',
      'CREATE INDEX actions_site_request ON actions (site, request_id)',
      `CREATE TABLE dead_letters (
        id ${d === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT'}, topic TEXT NOT NULL,
        payload ${d === 'postgres' ? 'BYTEA' : 'BLOB'} NOT NULL, bytes INTEGER NOT NULL, error TEXT NOT NULL, code TEXT,
        received_at BIGINT NOT NULL, replayed_at BIGINT, replay_error TEXT)`,
    ],
  },
  {
    version: 3,
    name: 'incidents: imported incident logs for the risk model, one row per incident',
    sql: () => [
      `CREATE TABLE incidents (
        place_key TEXT PRIMARY KEY, source TEXT NOT NULL, source_id TEXT, time_ms BIGINT NOT NULL,
        offset_minutes INTEGER NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL,
        category TEXT NOT NULL, imported_at BIGINT NOT NULL)`,
      // Both engines let rows without a source id share (source, NULL).
      'CREATE UNIQUE INDEX incidents_source_id ON incidents (source, source_id)',
      'CREATE INDEX incidents_time ON incidents (time_ms)',
    ],
  },
  {
    version: 4,
    name: 'sessions: console logins kept by the archive, keyed by the hash of their token',
    sql: () => [
      `CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, role TEXT NOT NULL, csrf TEXT NOT NULL,
        created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)`,
      'CREATE INDEX sessions_expires ON sessions (expires_at)',
    ],
  },
  {
    version: 5,
    name: 'patrol: units, work orders, their alerts, transitions, photos and escalations',
    sql: patrolTables,
  },
  {
    version: 6,
    name: "snapshots: bytes in the blob store (an empty jpeg), each row with its box, camera and event; pruned by age and box's quota",
    // Rows of earlier versions keep their bytes and no box (pruned by age only); no copy of gigabytes in a migration.
    sql: () => [
      'ALTER TABLE snapshots ADD COLUMN site TEXT',
      'ALTER TABLE snapshots ADD COLUMN camera TEXT',
      'ALTER TABLE snapshots ADD COLUMN event_id TEXT',
      'CREATE INDEX snapshots_received ON snapshots (received_at)',
      'CREATE INDEX snapshots_site ON snapshots (site, received_at)',
    ],
  },
  {
    version: 7,
    name: 'archive progress: per box the highest publication number archived without a gap, the numbers above it, and what its box no longer keeps',
    sql: () => [
      `CREATE TABLE archive_progress (
        site TEXT PRIMARY KEY, contiguous BIGINT NOT NULL, highest BIGINT NOT NULL, changed_at BIGINT NOT NULL)`,
      'CREATE TABLE archived_publications (site TEXT NOT NULL, number BIGINT NOT NULL, PRIMARY KEY (site, number))',
      `CREATE TABLE lost_publications (
        site TEXT NOT NULL, first BIGINT NOT NULL, last BIGINT NOT NULL, reported_at BIGINT NOT NULL, PRIMARY KEY (site, first))`,
    ],
  },
  {
    version: 8,
    name: "risk: the archive's events as incidents, the patrol slots planned (for the live discovery rate)",
    sql: () => [
      'CREATE INDEX incidents_source ON incidents (source, time_ms)',
      'CREATE TABLE risk_cursors (name TEXT PRIMARY KEY, at BIGINT NOT NULL)',
      // A slot is its area, its start and its cell's bounds: the grid moves with each refit, the bounds do not.
      `CREATE TABLE planned_slots (
        area TEXT NOT NULL, start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL,
        south DOUBLE PRECISION NOT NULL, west DOUBLE PRECISION NOT NULL, north DOUBLE PRECISION NOT NULL, east DOUBLE PRECISION NOT NULL,
        expected DOUBLE PRECISION NOT NULL, planned_at BIGINT NOT NULL, PRIMARY KEY (area, start_ms, south, west))`,
      'CREATE INDEX planned_slots_end ON planned_slots (end_ms)',
      'CREATE INDEX actions_site_event ON actions (site, event_id, action)',
    ],
  },
  {
    version: 9,
    name: "patrol: units deleted lately (open pages of every instance drop them); officers' photos deleted by the retention; shop contacts",
    sql: () => [
      'CREATE TABLE patrol_unit_deletions (id TEXT NOT NULL, deleted_at BIGINT NOT NULL)',
      'CREATE INDEX patrol_unit_deletions_at ON patrol_unit_deletions (deleted_at)',
      'ALTER TABLE work_order_photos ADD COLUMN pruned_at BIGINT',
      `CREATE TABLE shop_contacts (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL, cameras_json TEXT NOT NULL, area_json TEXT NOT NULL,
        updated_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 10,
    name: "the queue: each event's plate and rule as columns, so the archive is searched and grouped on the server",
    sql: (d) => {
      // The plate an object carries (the contract's place), else one on the alert itself (older agents').
      const plate =
        d === 'postgres'
          ? `COALESCE((SELECT o #>> '{plate,text}' FROM jsonb_array_elements((alert_json::jsonb)->'objects') o WHERE o #>> '{plate,text}' IS NOT NULL LIMIT 1), (alert_json::jsonb) #>> '{plate,text}')`
          : `COALESCE((SELECT json_extract(value, '$.plate.text') FROM json_each(alert_json, '$.objects') WHERE json_extract(value, '$.plate.text') IS NOT NULL LIMIT 1), json_extract(alert_json, '$.plate.text'))`;
      const rule = d === 'postgres' ? `(alert_json::jsonb) #>> '{rule,id}'` : `json_extract(alert_json, '$.rule.id')`;
      return [
        'ALTER TABLE events ADD COLUMN plate TEXT',
        'ALTER TABLE events ADD COLUMN rule_id TEXT',
        `UPDATE events SET plate = ${plate}, rule_id = ${rule}`,
        'CREATE INDEX events_plate ON events (plate)',
      ];
    },
  },
  {
    version: 13,
    name: 'archive progress: when each number above the contiguous one was archived, so retention can give up a gap no box can fill any more',
    sql: (d) => [
      'ALTER TABLE archived_publications ADD COLUMN archived_at BIGINT',
      // Numbers archived before this version count from the upgrade: their gaps get the whole window again.
      `UPDATE archived_publications SET archived_at = ${d === 'postgres' ? '(EXTRACT(EPOCH FROM now()) * 1000)::BIGINT' : "CAST(strftime('%s', 'now') AS INTEGER) * 1000"}`,
      'CREATE INDEX archived_publications_at ON archived_publications (archived_at)',
    ],
  },
  {
    version: 14,
    name: "the queue: each event's camera and zone names as columns (the box's, from the alert), so the pages name them",
    sql: (d) => {
      const field = (f: string) => (d === 'postgres' ? `(alert_json::jsonb) ->> '${f}'` : `json_extract(alert_json, '$.${f}')`);
      return [
        'ALTER TABLE events ADD COLUMN camera_name TEXT',
        'ALTER TABLE events ADD COLUMN zone_name TEXT',
        `UPDATE events SET camera_name = ${field('cameraName')}, zone_name = ${field('zoneName')}`,
      ];
    },
  },
];

/** The events columns of version 1, in its order (`INSERT … SELECT` copies by position). */
const V1_EVENT_COLUMNS =
  'id, site, camera, zone, type, category_code, category_name, state, seq, started_at, observed_at, ended_at, dwell_seconds, lon, lat, address, first_snapshot, last_snapshot, cleared_snapshot, operator_action, operator_by, operator_unit, operator_at, dispatched_at, alert_json, first_seen, rev, changed_at';
