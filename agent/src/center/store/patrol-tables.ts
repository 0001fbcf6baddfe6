/**
 * Migration 5 (patrol, issue 24). Lists and records are JSON text (read whole, never queried inside); an order's
 * alerts have their own table so an alert finds its orders. A transition's `client_id` is unique: a retried action
 * from the phone finds its first record.
 */
export const patrolTables = (d: 'sqlite' | 'postgres'): string[] => [
  `CREATE TABLE patrol_units (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, members_json TEXT NOT NULL, area_json TEXT NOT NULL,
    duty_json TEXT NOT NULL, on_duty INTEGER, lon DOUBLE PRECISION, lat DOUBLE PRECISION, accuracy_m DOUBLE PRECISION,
    position_at BIGINT, updated_at BIGINT NOT NULL)`,
  `CREATE TABLE work_orders (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, category TEXT NOT NULL, lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL,
    address TEXT, unit TEXT, outcome TEXT, closed_as TEXT, note TEXT, photos_json TEXT NOT NULL, opened_by TEXT NOT NULL,
    opened_at BIGINT NOT NULL, due_json TEXT NOT NULL, done_json TEXT NOT NULL, escalated_json TEXT NOT NULL,
    warned INTEGER NOT NULL, repeat_of TEXT, handled_by TEXT, updated_at BIGINT NOT NULL, rev INTEGER NOT NULL)`,
  'CREATE INDEX work_orders_state ON work_orders (state)',
  'CREATE INDEX work_orders_unit ON work_orders (unit)',
  'CREATE INDEX work_orders_updated ON work_orders (updated_at)',
  `CREATE TABLE work_order_events (
    order_id TEXT NOT NULL, site TEXT NOT NULL, event_id TEXT NOT NULL, linked_at BIGINT NOT NULL,
    PRIMARY KEY (order_id, site, event_id))`,
  'CREATE INDEX work_order_events_event ON work_order_events (site, event_id)',
  `CREATE TABLE work_order_transitions (
    id ${d === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT'}, order_id TEXT NOT NULL,
    from_state TEXT, to_state TEXT NOT NULL, action TEXT NOT NULL, by_user TEXT NOT NULL, at BIGINT NOT NULL,
    lon DOUBLE PRECISION, lat DOUBLE PRECISION, accuracy_m DOUBLE PRECISION, note TEXT, unit TEXT, outcome TEXT, reason TEXT,
    client_id TEXT UNIQUE)`,
  'CREATE INDEX work_order_transitions_order ON work_order_transitions (order_id)',
  `CREATE TABLE work_order_photos (
    order_id TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, by_user TEXT NOT NULL, at BIGINT NOT NULL,
    client_id TEXT UNIQUE, PRIMARY KEY (order_id, sha256))`,
  `CREATE TABLE work_order_escalations (
    order_id TEXT NOT NULL, stage TEXT NOT NULL, due BIGINT NOT NULL, at BIGINT NOT NULL, unit TEXT, category TEXT NOT NULL,
    PRIMARY KEY (order_id, stage))`,
];
