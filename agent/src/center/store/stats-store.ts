import type { Incident } from '../../risk/incident.ts';
import type { CloseReason, OrderState } from '../patrol/schema.ts';
import type { StageTimes } from '../patrol/workflow.ts';
import type { EventRow } from '../wire.ts';
import { type Db, num, numOrNull, strOrNull } from './db.ts';
import { EVENT_HEAD_COLUMNS, type EventHead, eventHead } from './event-head.ts';

/** One archived event as the statistics read it: where, what, and when each step of its handling happened. */
export interface StatsEventRow extends EventHead, Pick<EventRow, 'startedAt' | 'firstSeen' | 'operatorAction'> {
  /** The first applied action of each kind (ms), null when none. */
  ackAt: number | null;
  dispatchAt: number | null;
  resolveAt: number | null;
}

/** A work order as the statistics read it: its stage times (ms), its deadlines and how it closed. */
export interface StatsOrderRow {
  id: string;
  state: OrderState;
  category: string;
  unit: string | null;
  openedAt: number;
  due: StageTimes;
  done: Partial<StageTimes>;
  closedAt: number | null;
  closedAs: CloseReason | null;
  warned: boolean;
}

/** A planned patrol slot: its area, its times (ms since the epoch) and its cell's bounds in degrees. */
export interface PlannedSlotRow {
  area: string;
  start: number;
  end: number;
  south: number;
  west: number;
  north: number;
  east: number;
  expected: number;
}

export interface SlotOutcome extends PlannedSlotRow {
  /** Incidents (from any source) inside the cell during the slot. */
  incidents: number;
}

/** The statistics' reads, the planned slots and the archive's events turned incidents. */
export interface StatsStore {
  /** Events started in [since, until), with their first applied ack, dispatch and resolve. */
  statsEvents(f: { since: number; until: number }): Promise<StatsEventRow[]>;
  /** Work orders opened in [since, until), with when they were closed. */
  statsOrders(f: { since: number; until: number }): Promise<StatsOrderRow[]>;
  /** Keeps the slots of a plan; a slot planned again is left as first planned. */
  savePlannedSlots(slots: readonly PlannedSlotRow[], plannedAt: number): Promise<number>;
  /** Slots ended in [since, until), each with how many incidents happened in it. */
  slotOutcomes(f: { since: number; until: number }): Promise<SlotOutcome[]>;
  /**
   * Brings the archive's events changed since the last call into the incidents (source `archive`, id `SITE/ID`): an
   * event an operator called a false positive is taken out again. Returns what changed.
   */
  syncArchiveIncidents(
    offsetMinutes: number,
    save: (incidents: Incident[]) => Promise<unknown>,
  ): Promise<{ seen: number; removed: number }>;
}

const ACTION_TIMES = `SELECT a.event_id, a.site, a.action, MIN(a.requested_at) AS at FROM actions a
  JOIN events e ON e.id = a.event_id AND e.site = a.site
  WHERE a.result = 'ok' AND a.action IN ('ack', 'dispatch', 'resolve') AND e.started_at >= $1 AND e.started_at < $2
  GROUP BY a.event_id, a.site, a.action`;

/** Rows read per round of the archive sync: a year of backlog goes in steps, not one read. */
const SYNC_BATCH = 5000;

/** The statistics' store: its reads by topic, composed into one object over the same database. */
export function createStatsStore(db: Db): StatsStore {
  return {
    ...handlingReads(db),
    ...plannedSlots(db),
    syncArchiveIncidents: (offsetMinutes, save) => syncArchiveIncidents(db, offsetMinutes, save),
  };
}

/** How events and work orders were handled: the rows the handling statistics are counted from. */
function handlingReads(db: Db): Pick<StatsStore, 'statsEvents' | 'statsOrders'> {
  return {
    statsEvents: async ({ since, until }) => {
      const rows = await db.all(
        `SELECT ${EVENT_HEAD_COLUMNS}, started_at, first_seen, operator_action FROM events
         WHERE started_at >= $1 AND started_at < $2 ORDER BY started_at`,
        [since, until],
      );
      const times = new Map<string, number>();
      for (const a of await db.all(ACTION_TIMES, [since, until])) times.set(`${a.site}\u0000${a.event_id}\u0000${a.action}`, num(a.at));
      const at = (r: Record<string, unknown>, action: string) => times.get(`${r.site}\u0000${r.id}\u0000${action}`) ?? null;
      return rows.map((r) => ({
        ...eventHead(r),
        startedAt: num(r.started_at),
        firstSeen: num(r.first_seen),
        operatorAction: strOrNull(r.operator_action),
        ackAt: at(r, 'ack'),
        dispatchAt: at(r, 'dispatch'),
        resolveAt: at(r, 'resolve'),
      }));
    },

    statsOrders: async ({ since, until }) =>
      (
        await db.all(
          `SELECT o.id, o.state, o.category, o.unit, o.opened_at, o.due_json, o.done_json, o.closed_as, o.warned,
             (SELECT MAX(t.at) FROM work_order_transitions t WHERE t.order_id = o.id AND t.to_state = 'closed') AS closed_at
           FROM work_orders o WHERE o.opened_at >= $1 AND o.opened_at < $2 ORDER BY o.opened_at`,
          [since, until],
        )
      ).map((r) => ({
        id: String(r.id),
        state: String(r.state) as OrderState,
        category: String(r.category),
        unit: strOrNull(r.unit),
        openedAt: num(r.opened_at),
        due: JSON.parse(String(r.due_json)) as StageTimes,
        done: JSON.parse(String(r.done_json)) as Partial<StageTimes>,
        // A reopened order is closed when it was closed last.
        closedAt: r.state === 'closed' ? numOrNull(r.closed_at) : null,
        closedAs: strOrNull(r.closed_as) as CloseReason | null,
        warned: num(r.warned) === 1,
      })),
  };
}

/** The patrol plan's slots: kept when planned, read back with the incidents that fell in them. */
function plannedSlots(db: Db): Pick<StatsStore, 'savePlannedSlots' | 'slotOutcomes'> {
  return {
    savePlannedSlots: (slots, plannedAt) =>
      db.tx(async (t) => {
        let added = 0;
        for (const s of slots)
          added += await t.run(
            `INSERT INTO planned_slots (area, start_ms, end_ms, south, west, north, east, expected, planned_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT DO NOTHING`,
            [s.area, s.start, s.end, s.south, s.west, s.north, s.east, s.expected, plannedAt],
          );
        return added;
      }),

    slotOutcomes: async ({ since, until }) =>
      (
        await db.all(
          `SELECT p.area, p.start_ms, p.end_ms, p.south, p.west, p.north, p.east, p.expected,
             (SELECT COUNT(*) FROM incidents i WHERE i.time_ms >= p.start_ms AND i.time_ms < p.end_ms
                AND i.lat >= p.south AND i.lat < p.north AND i.lon >= p.west AND i.lon < p.east) AS n
           FROM planned_slots p WHERE p.end_ms >= $1 AND p.end_ms < $2 ORDER BY p.start_ms, p.area`,
          [since, until],
        )
      ).map((r) => ({
        area: String(r.area),
        start: num(r.start_ms),
        end: num(r.end_ms),
        south: num(r.south),
        west: num(r.west),
        north: num(r.north),
        east: num(r.east),
        expected: num(r.expected),
        incidents: num(r.n),
      })),
  };
}

/** See {@link StatsStore.syncArchiveIncidents}: rounds of SYNC_BATCH rows from the kept cursor until the archive is caught up. */
async function syncArchiveIncidents(
  db: Db,
  offsetMinutes: number,
  save: (incidents: Incident[]) => Promise<unknown>,
): Promise<{ seen: number; removed: number }> {
  let seen = 0;
  let removed = 0;
  for (;;) {
    const cursor = numOrNull((await db.all("SELECT at FROM risk_cursors WHERE name = 'archive'"))[0]?.at) ?? 0;
    const rows = await db.all(
      `SELECT id, site, type, category_code, started_at, lat, lon, operator_action, changed_at FROM events
       WHERE changed_at >= $1 ORDER BY changed_at LIMIT $2`,
      [cursor, SYNC_BATCH],
    );
    const kept = rows.filter((r) => r.operator_action !== 'false_positive');
    await save(kept.map((r) => archiveIncident(r, offsetMinutes)));
    for (const r of rows.filter((r) => r.operator_action === 'false_positive'))
      removed += await db.run("DELETE FROM incidents WHERE source = 'archive' AND source_id = $1", [`${r.site}/${r.id}`]);
    seen += rows.length;
    const last = rows.length ? num(rows[rows.length - 1].changed_at) : cursor;
    // The cursor moves past the last row only when the next round cannot start on the same ms (rows sharing it).
    const next = rows.length < SYNC_BATCH ? last + 1 : last;
    await db.run('INSERT INTO risk_cursors (name, at) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET at = excluded.at', [
      'archive',
      Math.max(next, cursor),
    ]);
    if (rows.length < SYNC_BATCH || next === cursor) return { seen, removed };
  }
}

function archiveIncident(r: Record<string, unknown>, offsetMinutes: number): Incident {
  return {
    time: num(r.started_at),
    offsetMinutes,
    lat: num(r.lat),
    lon: num(r.lon),
    category: strOrNull(r.category_code) ?? String(r.type),
    source: 'archive',
    sourceId: `${r.site}/${r.id}`,
  };
}
