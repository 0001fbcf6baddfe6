import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { writeFileAtomicSync } from '../core/durable.ts';
import type { Logger } from '../core/log.ts';
import type { PublishProperties } from './properties.ts';

export type OutboxKind = 'event' | 'snapshot';

/** A queued message without its payload (the payload of a snapshot lives in a file). */
export interface OutboxMessage {
  id: number;
  kind: OutboxKind;
  camera: string;
  eventId: string;
  /** The alert's lifecycle state for events; null for snapshots. */
  state: string | null;
  topic: string;
  properties: PublishProperties;
  bytes: number;
  createdAt: number;
  /** The alert's publication number (its snapshot carries the alert's); null for messages queued before numbering. */
  publication: number | null;
}

export interface NewOutboxMessage {
  kind: OutboxKind;
  camera: string;
  eventId: string;
  state?: string;
  topic: string;
  properties: PublishProperties;
  payload: Buffer;
  publication?: number;
}

/**
 * Why a message left the outbox without a PUBACK:
 * `expired` older than maxAge; `full` pushed out by the size policy; `too_large` alone larger than the whole outbox;
 * `rejected` refused by the broker (MQTT 5 PUBACK reason ≥ 0x80, e.g. not authorised); `missing` its snapshot file was gone.
 */
export type DropReason = 'expired' | 'full' | 'too_large' | 'rejected' | 'missing';
export const DROP_REASONS: readonly DropReason[] = ['expired', 'full', 'too_large', 'rejected', 'missing'];

export interface OutboxDrop {
  reason: DropReason;
  /** Plain words for the audit log. */
  detail: string;
  message: Omit<OutboxMessage, 'id'> & { id: number | null };
  at: number;
}

export interface OutboxLimits {
  maxMessages: number;
  maxBytes: number;
  maxAgeMs: number;
  /** How long, and how many bytes of, delivered numbered messages are kept for a re-send; 0 keeps none. */
  keepDeliveredMs: number;
  keepDeliveredBytes: number;
}

/** Delivered messages still kept, by publication number, for `cmd/resend`. */
/** An event's alerts the outbox holds: the highest seq, and whether one of them ended or cleared the event. */
export interface SentAlerts {
  seq: number;
  closed: boolean;
}

/** The `seq` of an alert payload, or undefined for a payload that is not one. */
function seqOf(payload: Buffer): number | undefined {
  try {
    const seq = (JSON.parse(payload.toString('utf8')) as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isInteger(seq) ? seq : undefined;
  } catch {
    return undefined;
  }
}

export interface KeptRange {
  /** Messages of the publications `from`…`through`, in the order they were first published. */
  messages: { message: OutboxMessage; payload: Buffer }[];
  /** The distinct publication numbers of `messages`, ascending. */
  resent: number[];
  /** The publication numbers of the range still queued (not yet delivered), ascending. */
  queued: number[];
  through: number;
}

export interface OutboxStats {
  messages: number;
  bytes: number;
  oldestCreatedAt: number | null;
  /** Drops since the outbox was opened, per reason. */
  dropped: Record<DropReason, number>;
  /** Bytes of delivered alerts and snapshots kept for a re-send. */
  keptBytes: number;
  /** The highest publication number given so far (0 before the first alert). */
  latestPublication: number;
}

interface Row {
  id: number;
  kind: OutboxKind;
  camera: string;
  event_id: string;
  state: string | null;
  topic: string;
  properties: string;
  payload: Buffer | null;
  file: string | null;
  bytes: number;
  created_at: number;
  publication: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('event', 'snapshot')),
  camera TEXT NOT NULL,
  event_id TEXT NOT NULL,
  state TEXT,
  topic TEXT NOT NULL,
  properties TEXT NOT NULL,
  payload BLOB,
  file TEXT,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_kind ON outbox (kind, state, id);
CREATE TABLE IF NOT EXISTS delivered (
  id INTEGER PRIMARY KEY,
  publication INTEGER NOT NULL,
  kind TEXT NOT NULL,
  camera TEXT NOT NULL,
  event_id TEXT NOT NULL,
  state TEXT,
  topic TEXT NOT NULL,
  properties TEXT NOT NULL,
  payload BLOB,
  file TEXT,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS delivered_publication ON delivered (publication);
CREATE TABLE IF NOT EXISTS publication_counter (one INTEGER PRIMARY KEY CHECK (one = 1), last INTEGER NOT NULL);
`;

/** Outboxes made before alerts were numbered have no `publication` column: added in place, their rows stay unnumbered. */
function addPublicationColumn(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(outbox)').all();
  if (!columns.some((c) => c.name === 'publication')) db.exec('ALTER TABLE outbox ADD COLUMN publication INTEGER');
  db.exec('CREATE INDEX IF NOT EXISTS outbox_publication ON outbox (publication)');
}

/** Victim choice when full, best first: see `outboxConfigSchema` for the documented policy. */
const VICTIM_QUERIES = [
  `SELECT * FROM outbox WHERE id > ? AND kind = 'snapshot' ORDER BY id LIMIT 1`,
  `SELECT * FROM outbox WHERE id > ? AND kind = 'event' AND state = 'updated' ORDER BY id LIMIT 1`,
  `SELECT * FROM outbox WHERE id > ? ORDER BY id LIMIT 1`,
];

/**
 * The durable outbox: events and snapshots are written here (fsynced) before they are published and removed
 * only after the broker's PUBACK, so a broker outage or a `kill -9` loses nothing. Replay is in id order,
 * which is the order messages were added, hence in order per camera.
 *
 * `protectUpTo` in the dropping methods is the highest id already handed to the MQTT client: those messages
 * are in flight and must not be dropped behind the client's back.
 */
export class Outbox {
  private readonly dropped: Record<DropReason, number> = { expired: 0, full: 0, too_large: 0, rejected: 0, missing: 0 };
  private count = 0;
  private totalBytes = 0;
  private keptBytes = 0;
  private lastPublication = 0;
  private readonly stmt;

  private constructor(
    private readonly db: Database.Database,
    private readonly snapshotDir: string,
    private readonly limits: OutboxLimits,
    private readonly log: Logger,
  ) {
    this.stmt = {
      insert: db.prepare<
        [string, string, string, string | null, string, string, Buffer | null, string | null, number, number, number | null]
      >(
        'INSERT INTO outbox (kind, camera, event_id, state, topic, properties, payload, file, bytes, created_at, publication) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      keep: db.prepare<[number, number]>(
        'INSERT INTO delivered (id, publication, kind, camera, event_id, state, topic, properties, payload, file, bytes, created_at, delivered_at) SELECT id, publication, kind, camera, event_id, state, topic, properties, payload, file, bytes, created_at, ? FROM outbox WHERE id = ?',
      ),
      keptOldest: db.prepare<[], Pick<Row, 'id' | 'file' | 'bytes'> & { delivered_at: number }>(
        'SELECT id, file, bytes, delivered_at FROM delivered ORDER BY id',
      ),
      forget: db.prepare<[number]>('DELETE FROM delivered WHERE id = ?'),
      keptNumbers: db.prepare<[number, number, number], { publication: number }>(
        'SELECT DISTINCT publication FROM delivered WHERE publication BETWEEN ? AND ? ORDER BY publication LIMIT ?',
      ),
      keptRows: db.prepare<[number, number], Row>('SELECT * FROM delivered WHERE publication BETWEEN ? AND ? ORDER BY id'),
      queuedNumbers: db.prepare<[number, number], { publication: number }>(
        'SELECT DISTINCT publication FROM outbox WHERE publication BETWEEN ? AND ? ORDER BY publication',
      ),
      counter: db.prepare<[number]>(
        'INSERT INTO publication_counter (one, last) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET last = MAX(last, excluded.last)',
      ),
      pending: db.prepare<[number, number], Row>('SELECT * FROM outbox WHERE id > ? ORDER BY id LIMIT ?'),
      get: db.prepare<[number], Row>('SELECT * FROM outbox WHERE id = ?'),
      remove: db.prepare<[number]>('DELETE FROM outbox WHERE id = ?'),
      expired: db.prepare<[number, number], Row>('SELECT * FROM outbox WHERE id > ? AND created_at < ? ORDER BY id'),
      victims: VICTIM_QUERIES.map((q) => db.prepare<[number], Row>(q)),
      totals: db.prepare<[], { n: number; bytes: number | null; oldest: number | null }>(
        'SELECT COUNT(*) AS n, SUM(bytes) AS bytes, MIN(created_at) AS oldest FROM outbox',
      ),
      sentOf: db.prepare<[string, string], { state: string | null; payload: Buffer | null }>(
        "SELECT state, payload FROM outbox WHERE kind = 'event' AND event_id = ? UNION ALL SELECT state, payload FROM delivered WHERE kind = 'event' AND event_id = ?",
      ),
      files: db.prepare<[], { file: string }>(
        'SELECT file FROM outbox WHERE file IS NOT NULL UNION ALL SELECT file FROM delivered WHERE file IS NOT NULL',
      ),
    };
    const t = this.stmt.totals.get();
    this.count = t?.n ?? 0;
    this.totalBytes = t?.bytes ?? 0;
    const k = db
      .prepare<[], { bytes: number | null; last: number | null }>(
        `SELECT (SELECT SUM(bytes) FROM delivered) AS bytes, MAX(
           COALESCE((SELECT last FROM publication_counter), 0),
           COALESCE((SELECT MAX(publication) FROM outbox), 0),
           COALESCE((SELECT MAX(publication) FROM delivered), 0)) AS last`,
      )
      .get();
    this.keptBytes = k?.bytes ?? 0;
    this.lastPublication = k?.last ?? 0;
  }

  /** Opens (or creates) `dir/outbox.db` and `dir/snapshots/`, and deletes snapshot files no message references (a crash mid-write). */
  static open(dir: string, limits: OutboxLimits, log: Logger): Outbox {
    const snapshotDir = join(dir, 'snapshots');
    // Evidence waiting to be sent: readable by the agent's user only.
    mkdirSync(snapshotDir, { recursive: true, mode: 0o700 });
    const db = new Database(join(dir, 'outbox.db'));
    db.pragma('journal_mode = WAL');
    // FULL: a committed message survives a power cut, not only a process crash. Events are rare, the fsync is cheap.
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    addPublicationColumn(db);
    const outbox = new Outbox(db, snapshotDir, limits, log);
    outbox.removeOrphanFiles();
    log.info({ messages: outbox.count, bytes: outbox.totalBytes, dir }, 'outbox opened');
    return outbox;
  }

  /**
   * Durably adds messages (one transaction, consecutive ids) and applies the size policy.
   * Returns the stored messages and whatever had to be dropped to stay within bounds.
   */
  add(items: NewOutboxMessage[], protectUpTo: number, now = Date.now()): { added: OutboxMessage[]; dropped: OutboxDrop[] } {
    const dropped: OutboxDrop[] = [];
    const accepted: NewOutboxMessage[] = [];
    for (const item of items) {
      if (item.payload.length > this.limits.maxBytes) {
        dropped.push(
          this.drop(
            { id: null, ...metadataOf(item, now) },
            'too_large',
            `${item.payload.length} bytes exceed the whole outbox (${this.limits.maxBytes} bytes)`,
            now,
          ),
        );
      } else {
        accepted.push(item);
      }
    }
    const files = accepted.map((item) => (item.kind === 'snapshot' ? this.writeSnapshotFile(item.payload) : null));
    const added = this.db.transaction(() =>
      accepted.map((item, i) => {
        const r = this.stmt.insert.run(
          item.kind,
          item.camera,
          item.eventId,
          item.state ?? null,
          item.topic,
          JSON.stringify(item.properties),
          files[i] ? null : item.payload,
          files[i],
          item.payload.length,
          now,
          item.publication ?? null,
        );
        if (item.publication !== undefined) this.stmt.counter.run(item.publication);
        return { id: Number(r.lastInsertRowid), ...metadataOf(item, now) };
      }),
    )();
    for (const m of added) {
      this.count++;
      this.totalBytes += m.bytes;
    }
    dropped.push(...this.enforceBounds(protectUpTo, now));
    return { added, dropped };
  }

  /** Up to `limit` messages after `afterId`, oldest first, with their payloads. A snapshot whose file vanished is dropped as `missing`. */
  pending(
    afterId: number,
    limit: number,
    now = Date.now(),
  ): { messages: { message: OutboxMessage; payload: Buffer }[]; dropped: OutboxDrop[] } {
    const messages: { message: OutboxMessage; payload: Buffer }[] = [];
    const dropped: OutboxDrop[] = [];
    for (const row of this.stmt.pending.all(afterId, limit)) {
      const payload = row.file ? this.readSnapshotFile(row.file) : row.payload;
      if (payload) {
        messages.push({ message: fromRow(row), payload });
      } else {
        this.delete(row);
        dropped.push(this.drop(fromRow(row), 'missing', `snapshot file ${row.file} is gone`, now));
      }
    }
    return { messages, dropped };
  }

  /**
   * The broker acknowledged the message: out of the queue. A numbered one is kept for the delivered window (a re-send
   * the center may ask for), the rest forgotten. False when it was no longer queued.
   */
  remove(id: number, now = Date.now()): boolean {
    const row = this.stmt.get.get(id);
    if (!row) return false;
    if (row.publication === null || this.limits.keepDeliveredMs <= 0 || this.limits.keepDeliveredBytes <= 0) {
      this.delete(row);
      return true;
    }
    this.db.transaction(() => {
      this.stmt.keep.run(now, id);
      this.stmt.remove.run(id);
    })();
    this.count--;
    this.totalBytes -= row.bytes;
    this.keptBytes += row.bytes;
    this.pruneDelivered(now);
    return true;
  }

  /** The next publication number: one more than any this outbox has given, across restarts. */
  nextPublication(): number {
    return ++this.lastPublication;
  }

  /** A publication number given by a previous run to an alert the outbox never took (held on a full disk). */
  notePublication(n: number): void {
    this.lastPublication = Math.max(this.lastPublication, n);
  }

  get latestPublication(): number {
    return this.lastPublication;
  }

  /**
   * The delivered messages of publications `from`…`to` still kept, at most `limit` publications (then `through` is
   * the last of them), and the publications of the range still queued. The window is trimmed first.
   */
  kept(from: number, to: number, limit: number, now = Date.now()): KeptRange {
    this.pruneDelivered(now);
    const numbers = this.stmt.keptNumbers.all(from, to, limit).map((r) => r.publication);
    const through = numbers.length === limit ? numbers[numbers.length - 1] : to;
    const messages: KeptRange['messages'] = [];
    for (const row of this.stmt.keptRows.all(from, through)) {
      const payload = row.file ? this.readSnapshotFile(row.file) : row.payload;
      if (payload) messages.push({ message: fromRow(row), payload });
    }
    const queued = this.stmt.queuedNumbers.all(from, through).map((r) => r.publication);
    return { messages, resent: numbers.filter((n) => n <= through), queued, through };
  }

  /**
   * Frees the disk of the delivered window (a full disk): the snapshot files go first, so space returns even when
   * SQLite cannot write the delete yet (a kept row whose file is gone is not re-sent). Returns how many went.
   */
  shedDelivered(): number {
    const rows = [...this.stmt.keptOldest.iterate()];
    for (const r of rows) if (r.file) rmSync(join(this.snapshotDir, r.file), { force: true });
    try {
      this.db.transaction(() => rows.forEach((r) => this.stmt.forget.run(r.id)))();
      this.keptBytes = 0;
    } catch (err) {
      this.log.warn({ err, rows: rows.length }, 'delivered rows not removed from the full outbox: their files are gone');
    }
    return rows.length;
  }

  /** Delivered messages past the window's age or bytes go, oldest first. */
  private pruneDelivered(now: number): void {
    const cutoff = now - this.limits.keepDeliveredMs;
    let bytes = this.keptBytes;
    const victims: { id: number; file: string | null; bytes: number }[] = [];
    for (const row of this.stmt.keptOldest.iterate()) {
      if (row.delivered_at >= cutoff && bytes <= this.limits.keepDeliveredBytes) break;
      victims.push(row);
      bytes -= row.bytes;
    }
    if (victims.length === 0) return;
    this.db.transaction(() => victims.forEach((v) => this.stmt.forget.run(v.id)))();
    for (const v of victims) {
      this.keptBytes -= v.bytes;
      if (v.file) rmSync(join(this.snapshotDir, v.file), { force: true });
    }
  }

  /** The broker refused the message for good (PUBACK reason ≥ 0x80): keeping it would block everything behind it. */
  reject(id: number, detail: string, now = Date.now()): OutboxDrop | null {
    const row = this.stmt.get.get(id);
    if (!row) return null;
    this.delete(row);
    return this.drop(fromRow(row), 'rejected', detail, now);
  }

  /** Drops messages older than maxAge (not the ones in flight), and delivered ones past their window. */
  expire(protectUpTo: number, now = Date.now()): OutboxDrop[] {
    this.pruneDelivered(now);
    const rows = this.stmt.expired.all(protectUpTo, now - this.limits.maxAgeMs);
    this.db.transaction(() => rows.forEach((r) => this.stmt.remove.run(r.id)))();
    return rows.map((row) => {
      this.afterDelete(row);
      const ageHours = ((now - row.created_at) / 3_600_000).toFixed(1);
      return this.drop(
        fromRow(row),
        'expired',
        `queued ${ageHours} h, longer than the outbox's ${(this.limits.maxAgeMs / 3_600_000).toFixed(1)} h`,
        now,
      );
    });
  }

  /**
   * What the outbox holds of an event's alerts (queued, or delivered and kept): the highest `seq` and whether one of
   * them closed the event; undefined when it holds none.
   */
  sentOf(eventId: string): SentAlerts | undefined {
    let sent: SentAlerts | undefined;
    for (const row of this.stmt.sentOf.all(eventId, eventId)) {
      const seq = row.payload ? seqOf(row.payload) : undefined;
      if (seq === undefined) continue;
      const closed = row.state === 'ended' || row.state === 'cleared';
      sent = { seq: Math.max(sent?.seq ?? -1, seq), closed: (sent?.closed ?? false) || closed };
    }
    return sent;
  }

  stats(): OutboxStats {
    const t = this.stmt.totals.get();
    return {
      messages: this.count,
      bytes: this.totalBytes,
      oldestCreatedAt: t?.oldest ?? null,
      dropped: { ...this.dropped },
      keptBytes: this.keptBytes,
      latestPublication: this.lastPublication,
    };
  }

  close(): void {
    this.db.close();
  }

  private enforceBounds(protectUpTo: number, now: number): OutboxDrop[] {
    const dropped: OutboxDrop[] = [];
    while (this.count > this.limits.maxMessages || this.totalBytes > this.limits.maxBytes) {
      const bound = this.count > this.limits.maxMessages ? `${this.limits.maxMessages} messages` : `${this.limits.maxBytes} bytes`;
      const victim = this.nextVictim(protectUpTo);
      if (!victim) break;
      this.delete(victim);
      dropped.push(this.drop(fromRow(victim), 'full', `outbox over its bound of ${bound}`, now));
    }
    return dropped;
  }

  private nextVictim(protectUpTo: number): Row | undefined {
    for (const query of this.stmt.victims) {
      const row = query.get(protectUpTo);
      if (row) return row;
    }
    return undefined;
  }

  private delete(row: Row): void {
    this.stmt.remove.run(row.id);
    this.afterDelete(row);
  }

  private afterDelete(row: Row): void {
    this.count--;
    this.totalBytes -= row.bytes;
    if (row.file) rmSync(join(this.snapshotDir, row.file), { force: true });
  }

  private drop(message: OutboxDrop['message'], reason: DropReason, detail: string, at: number): OutboxDrop {
    this.dropped[reason]++;
    this.log.warn(
      { camera: message.camera, eventId: message.eventId, kind: message.kind, topic: message.topic, reason, detail },
      'outbox dropped a message',
    );
    return { reason, detail, message, at };
  }

  /** Written and fsynced (file and folder) before the row that references it is committed. */
  private writeSnapshotFile(data: Buffer): string {
    const name = `${randomUUID()}.jpg`;
    writeFileAtomicSync(join(this.snapshotDir, name), data);
    return name;
  }

  private readSnapshotFile(name: string): Buffer | null {
    try {
      return readFileSync(join(this.snapshotDir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private removeOrphanFiles(): void {
    const referenced = new Set(this.stmt.files.all().map((r) => r.file));
    for (const name of readdirSync(this.snapshotDir)) {
      if (!referenced.has(name)) rmSync(join(this.snapshotDir, name), { force: true });
    }
  }
}

/** A message's metadata as the outbox reports it (drops, deliveries). */
export function metadataOf(item: NewOutboxMessage, now: number): Omit<OutboxMessage, 'id'> {
  return {
    kind: item.kind,
    camera: item.camera,
    eventId: item.eventId,
    state: item.state ?? null,
    topic: item.topic,
    properties: item.properties,
    bytes: item.payload.length,
    createdAt: now,
    publication: item.publication ?? null,
  };
}

function fromRow(row: Row): OutboxMessage {
  return {
    id: row.id,
    kind: row.kind,
    camera: row.camera,
    eventId: row.event_id,
    state: row.state,
    topic: row.topic,
    properties: JSON.parse(row.properties) as PublishProperties,
    bytes: row.bytes,
    createdAt: row.created_at,
    publication: row.publication,
  };
}
