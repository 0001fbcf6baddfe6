import type { CameraHealth, Status } from '../../contract/health.ts';
import type { BoxRow, CameraRow } from '../wire.ts';
import { type Db, num, numOrNull, strOrNull } from './db.ts';
import type { CenterStore } from './types.ts';

/** Rows per statement: at most eight parameters a row, well under both engines' limits on parameters. */
const ROWS_PER_STATEMENT = 500;

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** `(…), (…)` for `rows` rows of `width` parameters; `repeat` lists columns given the parameter of the one before. */
function placeholders(rows: number, width: number, repeat: readonly number[] = []): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cols: string[] = [];
    for (let k = 1; k <= width; k++) cols.push(`$${r * width + k}`);
    for (const k of repeat) cols.push(`$${r * width + k}`);
    out.push(`(${cols.join(', ')})`);
  }
  return out.join(', ');
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

/** Reads boxes with their cameras; `where` filters the boxes (and so their cameras) with `params`. */
export function boxReader(db: Db): (where: string, params: unknown[]) => Promise<BoxRow[]> {
  const health = healthCache();
  return async (where, params) => {
    const boxes = await db.all(
      `SELECT site, box_id, online, agent_version, started_at, status_json, status_at, last_contact, changed_at FROM boxes ${where} ORDER BY site`,
      params,
    );
    if (!boxes.length) return [];
    const cams = await db.all(
      `SELECT site, camera, name, state, reason, health_json, health_at, changed_at FROM cameras ${where ? `WHERE site IN (SELECT site FROM boxes ${where})` : ''} ORDER BY site, camera`,
      params,
    );
    const bySite = new Map<string, CameraRow[]>();
    // A box has changed when one of its cameras has: their health does not touch the box's row (ContactLedger).
    const camerasChanged = new Map<string, number>();
    for (const c of cams) {
      camerasChanged.set(String(c.site), Math.max(camerasChanged.get(String(c.site)) ?? 0, num(c.changed_at)));
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
      changedAt: Math.max(num(b.changed_at), camerasChanged.get(String(b.site)) ?? 0),
      location: b.status_json ? ((JSON.parse(String(b.status_json)) as Partial<Status>).location ?? null) : null,
      cameras: bySite.get(String(b.site)) ?? [],
    }));
  };
}

/** Counts a contact from the box at `at`, never moving its last contact back. */
export function touchIn(t: Db, site: string, at: number): Promise<number> {
  return t.run(
    `INSERT INTO boxes (site, last_contact, changed_at) VALUES ($1, $2, $2)
     ON CONFLICT (site) DO UPDATE SET last_contact = CASE WHEN boxes.last_contact > excluded.last_contact THEN boxes.last_contact ELSE excluded.last_contact END`,
    [site, at],
  );
}

/** What a box says about itself: its status, its cameras' health, and that it is there. */
export function boxStore(db: Db): Pick<CenterStore, 'saveStatus' | 'saveHealth' | 'touch'> {
  return {
    saveStatus: (site, status, receivedAt) => db.tx((t) => saveStatusesIn(t, [{ site, status, receivedAt }])),

    saveHealth: (site, h, receivedAt) => db.tx((t) => saveContactsIn(t, [{ site, health: h, receivedAt }], [])),

    touch: (site, at) => db.tx((t) => touchIn(t, site, at).then(() => undefined)),
  };
}

export interface StatusWrite {
  site: string;
  status: Status;
  receivedAt: number;
}

/**
 * The statuses of many boxes in two statements (boxes, then their cameras), sorted by key like the health below. The
 * latest status to arrive is the truth (retained, so a reconnect replays the current one): for a box given twice, the
 * last one given wins. Its `at` cannot order them: the Last Will is written when the box connects, before the online
 * status it later replaces. Either one changes the row when it arrives, so the live feed sends a box going offline as
 * it goes.
 */
export async function saveStatusesIn(t: Db, writes: readonly StatusWrite[]): Promise<void> {
  const latest = new Map<string, StatusWrite>();
  for (const w of writes) latest.set(w.site, w);
  const boxes = [...latest.values()].sort((a, b) => byKey(a.site, b.site));
  // A camera named twice in one status: its last name given, its first state (a stored state wins anyway).
  const cams = new Map<string, { site: string; id: string; name: string | null; state: string | null; at: number }>();
  for (const b of boxes)
    for (const c of b.status.cameras) {
      const key = `${b.site}\u0000${c.id}`;
      const had = cams.get(key);
      cams.set(key, { site: b.site, id: c.id, name: c.name ?? had?.name ?? null, state: had?.state ?? c.state ?? null, at: b.receivedAt });
    }
  const sortedCams = [...cams].sort(([a], [b]) => byKey(a, b)).map(([, c]) => c);
  for (let i = 0; i < boxes.length; i += ROWS_PER_STATEMENT) {
    const chunk = boxes.slice(i, i + ROWS_PER_STATEMENT);
    await t.run(
      `INSERT INTO boxes (site, box_id, online, agent_version, started_at, status_json, status_at, last_contact, changed_at) VALUES ${placeholders(chunk.length, 8, [8])}
       ON CONFLICT (site) DO UPDATE SET box_id = excluded.box_id, online = excluded.online, agent_version = excluded.agent_version, started_at = excluded.started_at,
         status_json = excluded.status_json, status_at = excluded.status_at, changed_at = excluded.changed_at,
         last_contact = CASE WHEN boxes.last_contact > excluded.last_contact THEN boxes.last_contact ELSE excluded.last_contact END`,
      chunk.flatMap(({ site, status: s, receivedAt }) => [
        site,
        s.boxId,
        s.online ? 1 : 0,
        s.agentVersion,
        s.startedAt ?? null,
        JSON.stringify(s),
        Date.parse(s.at),
        receivedAt,
      ]),
    );
  }
  for (let i = 0; i < sortedCams.length; i += ROWS_PER_STATEMENT) {
    const chunk = sortedCams.slice(i, i + ROWS_PER_STATEMENT);
    await t.run(
      `INSERT INTO cameras (site, camera, name, state, changed_at) VALUES ${placeholders(chunk.length, 5)}
       ON CONFLICT (site, camera) DO UPDATE SET name = COALESCE(excluded.name, cameras.name), state = COALESCE(cameras.state, excluded.state), changed_at = excluded.changed_at`,
      chunk.flatMap((c) => [c.site, c.id, c.name, c.state, c.at]),
    );
  }
}

export interface HealthWrite {
  site: string;
  health: CameraHealth;
  receivedAt: number;
}

/** How often boxes' contacts are written, apart from the batches (ContactLedger). */
export const CONTACT_FLUSH_MS = 1_000;

/**
 * Boxes' last contacts, written apart from the batches that archive their messages. Every health message is a contact
 * of its box, and a box's cameras land in every instance's batches: written in each batch, two instances' open
 * transactions waited on each other's lock of the same box's row (a quarter of their time at 1,000 boxes, and two
 * instances archived no more than one). Here the latest contact per box is kept and written every CONTACT_FLUSH_MS in
 * a short transaction of its own, sorted like the batches' writes. A box new to this instance still gets its row in
 * the batch (if it has none: no lock on a row that is there), so the Boxes page and the live feed have it with its
 * first health. A crash loses at most a second of a box's last contact, never a message: the contact is when the
 * center last heard the box, not something the box said.
 */
export interface ContactLedger {
  /** Keeps a batch's contacts; returns those of boxes new to this instance, whose rows the batch makes if missing. */
  take(contacts: ReadonlyMap<string, number>): [string, number][];
  /** Writes the contacts kept so far; those it could not write are kept for the next time. */
  flush(): Promise<void>;
  /** Stops the timer after a last flush. */
  close(): Promise<void>;
}

export function contactLedger(db: Db, everyMs = CONTACT_FLUSH_MS): ContactLedger {
  const known = new Set<string>();
  let kept = new Map<string, number>();
  let running: Promise<void> | null = null;
  const keep = (site: string, at: number) => kept.set(site, Math.max(kept.get(site) ?? 0, at));
  const write = async () => {
    const due = kept;
    kept = new Map();
    try {
      await db.tx((t) => writeContacts(t, sortedByKey([...due]), 'moveOn'));
    } catch (err) {
      for (const [site, at] of due) keep(site, at);
      throw err;
    }
  };
  const flush = (): Promise<void> => {
    if (running) return running.catch(() => undefined).then(flush);
    if (!kept.size) return Promise.resolve();
    running = write().finally(() => {
      running = null;
    });
    return running;
  };
  // A flush that fails (the archive down) keeps its contacts; the archive's state is the batches' to report.
  const timer = setInterval(() => {
    if (!running) void flush().catch(() => undefined);
  }, everyMs);
  timer.unref();
  return {
    take(contacts) {
      const fresh: [string, number][] = [];
      for (const [site, at] of contacts) {
        keep(site, at);
        if (!known.has(site)) {
          // Known from now: a batch that then rolls back leaves the row to the flush, which makes it too.
          known.add(site);
          fresh.push([site, at]);
        }
      }
      return fresh;
    },
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}

const sortedByKey = <T>(pairs: [string, T][]) => pairs.sort(([a], [b]) => byKey(a, b));

/**
 * Boxes' contacts, sorted by site: `ensure` makes a missing row and leaves one that is there alone (no lock taken on
 * it); `moveOn` also moves an existing row's last contact on (never back); `touch` moves it on and marks the box changed.
 */
async function writeContacts(t: Db, sorted: readonly [string, number][], how: 'ensure' | 'moveOn' | 'touch'): Promise<void> {
  const onConflict = {
    ensure: 'DO NOTHING',
    moveOn: 'DO UPDATE SET last_contact = excluded.last_contact WHERE boxes.last_contact < excluded.last_contact',
    touch: `DO UPDATE SET changed_at = excluded.changed_at,
         last_contact = CASE WHEN boxes.last_contact > excluded.last_contact THEN boxes.last_contact ELSE excluded.last_contact END`,
  }[how];
  for (let i = 0; i < sorted.length; i += ROWS_PER_STATEMENT) {
    const chunk = sorted.slice(i, i + ROWS_PER_STATEMENT);
    await t.run(
      `INSERT INTO boxes (site, last_contact, changed_at) VALUES ${placeholders(chunk.length, 2, [2])} ON CONFLICT (site) ${onConflict}`,
      chunk.flat(),
    );
  }
}

/**
 * The contacts of many boxes (their health, their alerts) and the health of their cameras in two statements (boxes,
 * then cameras), sorted by key: two instances writing the same rows take their locks in the same order and so never
 * wait on each other in a circle. A row appears once per statement (PostgreSQL refuses to update one row twice in
 * one), with the newest health given for a camera and the latest contact for a box. With a `ledger`, the contacts
 * are the ledger's to write; here only a box new to this instance gets its row if it has none.
 */
export async function saveContactsIn(
  t: Db,
  writes: readonly HealthWrite[],
  contacts: readonly { site: string; at: number }[],
  ledger?: ContactLedger,
): Promise<void> {
  const cams = new Map<string, HealthWrite>();
  const boxes = new Map<string, number>();
  for (const c of contacts) boxes.set(c.site, Math.max(boxes.get(c.site) ?? 0, c.at));
  for (const w of writes) {
    const key = `${w.site}\u0000${w.health.camera}`;
    const had = cams.get(key);
    if (!had || Date.parse(had.health.at) <= Date.parse(w.health.at)) cams.set(key, w);
    boxes.set(w.site, Math.max(boxes.get(w.site) ?? 0, w.receivedAt));
  }
  const sortedCams = [...cams].sort(([a], [b]) => byKey(a, b)).map(([, w]) => w);
  if (ledger) await writeContacts(t, sortedByKey(ledger.take(boxes)), 'ensure');
  else await writeContacts(t, sortedByKey([...boxes]), 'touch');
  for (let i = 0; i < sortedCams.length; i += ROWS_PER_STATEMENT) {
    const chunk = sortedCams.slice(i, i + ROWS_PER_STATEMENT);
    await t.run(
      `INSERT INTO cameras (site, camera, state, reason, health_json, health_at, changed_at) VALUES ${placeholders(chunk.length, 7)}
       ON CONFLICT (site, camera) DO UPDATE SET state = excluded.state, reason = excluded.reason, health_json = excluded.health_json,
         health_at = excluded.health_at, changed_at = excluded.changed_at
       WHERE cameras.health_at IS NULL OR cameras.health_at <= excluded.health_at`,
      chunk.flatMap((w) => [
        w.site,
        w.health.camera,
        w.health.state,
        w.health.reason ?? null,
        JSON.stringify(w.health),
        Date.parse(w.health.at),
        w.receivedAt,
      ]),
    );
  }
}
