import { overdueStages } from './patrol/workflow.ts';
import type { StatsEventRow, StatsOrderRow } from './store/stats-store.ts';

/* The bureau's statistics over archived events: pure, on the local clock of the city (its UTC offset). */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface StatsQuery {
  /** Local dates, both included: `2026-12-01`. */
  from: string;
  to: string;
  /** Category codes or event types; empty: all. */
  categories: readonly string[];
  offsetMinutes: number;
}

export interface Count {
  key: string;
  count: number;
  falsePositives: number;
}

/** A camera or a zone: its key is its ids (`site/camera`, `site/camera/zone`), its name the box's config's words. */
export interface PlaceCount extends Count {
  /** "东门 / 路边" for a zone; null when no alert of it named it. */
  name: string | null;
}

/** A category: the standard's code and Chinese name as the alerts carried them (the event type when they did not). */
export interface CategoryCount extends Count {
  code: string | null;
  type: string;
  name: string;
}

/** Seconds from the center's receipt of an alert to a step of its handling. */
export interface Duration {
  n: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface StatsReport {
  from: string;
  to: string;
  /** The city's offset from UTC the days and hours are read on. */
  offsetMinutes: number;
  categories: string[];
  total: number;
  falsePositives: number;
  byCategory: CategoryCount[];
  bySite: Count[];
  byCamera: PlaceCount[];
  byZone: PlaceCount[];
  /** One per local day of the range, empty days included. */
  byDay: { date: string; count: number }[];
  /** [weekday 0 = Monday][hour 0–23] on the local clock. */
  hourOfWeek: number[][];
  /** Monday-to-Sunday weeks touching the range, oldest first, each with its change on the week before. */
  weeks: { week: string; count: number; change: number | null }[];
  handling: { ack: Duration; dispatch: Duration; resolve: Duration };
  orders: OrderStats;
}

/** The work orders of the range: each stage's time (立案 → 派遣 → 到场 → 处置, 立案 → 结案), overdue shares, how they closed. */
export interface OrderStats {
  total: number;
  open: number;
  /** Orders where a warning came before any dispatch (无事不扰). */
  warned: number;
  /** Closed per reason; `corrected_after_warning` counted apart from `handled`. */
  closedAs: Record<string, number>;
  times: { dispatch: Duration; arrive: Duration; handle: Duration; close: Duration };
  /** Per stage: orders late on it (done after its deadline, or still not done past it) and orders it was due for. */
  overdue: Record<'dispatch' | 'arrive' | 'handle', { late: number; of: number }>;
}

/** Local midnight of a `YYYY-MM-DD` date as ms since the epoch; undefined when it is not a date. */
export function localMidnight(date: string, offsetMinutes: number): number | undefined {
  if (!/^\d{4}-\d\d-\d\d$/.test(date)) return undefined;
  const ms = Date.parse(`${date}T00:00Z`);
  return Number.isNaN(ms) ? undefined : ms - offsetMinutes * 60_000;
}

/** The events' span the query covers: [since, until) in ms since the epoch. */
export function querySpan(q: StatsQuery): { since: number; until: number } {
  const since = localMidnight(q.from, q.offsetMinutes);
  const until = localMidnight(q.to, q.offsetMinutes);
  if (since === undefined || until === undefined) throw new Error('from, to: expected dates YYYY-MM-DD');
  if (until < since) throw new Error(`to (${q.to}) is before from (${q.from})`);
  return { since, until: until + DAY };
}

const localDate = (ms: number, offsetMinutes: number) => new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
/** 0 = Monday. */
const weekday = (ms: number, offsetMinutes: number) => (new Date(ms + offsetMinutes * 60_000).getUTCDay() + 6) % 7;
const isFalse = (e: StatsEventRow) => e.operatorAction === 'false_positive';

function counted(events: readonly StatsEventRow[], key: (e: StatsEventRow) => string): Count[] {
  const out = new Map<string, Count>();
  for (const e of events) {
    const k = key(e);
    const c = out.get(k) ?? { key: k, count: 0, falsePositives: 0 };
    c.count++;
    if (isFalse(e)) c.falsePositives++;
    out.set(k, c);
  }
  return [...out.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** Counts by place, each named as its newest event (the input is by start time) named it. */
function placeCounts(events: readonly StatsEventRow[], key: (e: StatsEventRow) => string, name: (e: StatsEventRow) => string | null) {
  const names = new Map<string, string>();
  for (const e of events) {
    const n = name(e);
    if (n) names.set(key(e), n);
  }
  return counted(events, key).map((c): PlaceCount => ({ ...c, name: names.get(c.key) ?? null }));
}

const zoneName = (e: StatsEventRow) => (e.cameraName || e.zoneName ? `${e.cameraName ?? e.camera} / ${e.zoneName ?? e.zone}` : null);

/** The nearest-rank quantile of sorted values. */
const quantile = (sorted: readonly number[], q: number) => (sorted.length ? sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] : null);

export function duration(seconds: number[]): Duration {
  const sorted = seconds.filter((s) => s >= 0).sort((a, b) => a - b);
  return { n: sorted.length, medianSeconds: quantile(sorted, 0.5), p90Seconds: quantile(sorted, 0.9) };
}

const categoryKey = (e: StatsEventRow) => e.categoryCode ?? e.type;

function byCategory(events: readonly StatsEventRow[]): CategoryCount[] {
  const first = new Map<string, StatsEventRow>();
  for (const e of events) if (!first.has(categoryKey(e))) first.set(categoryKey(e), e);
  return counted(events, categoryKey).map((c) => {
    const e = first.get(c.key)!;
    return { ...c, type: e.type, code: e.categoryCode, name: e.categoryName ?? e.type };
  });
}

function weeks(events: readonly StatsEventRow[], since: number, until: number, offsetMinutes: number): StatsReport['weeks'] {
  const monday = (ms: number) => {
    const day = localMidnight(localDate(ms, offsetMinutes), offsetMinutes)!;
    return day - weekday(ms, offsetMinutes) * DAY;
  };
  const counts = new Map<number, number>();
  for (let w = monday(since); w < until; w += 7 * DAY) counts.set(w, 0);
  for (const e of events) counts.set(monday(e.startedAt), (counts.get(monday(e.startedAt)) ?? 0) + 1);
  let before: number | null = null;
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([w, count]) => {
      const change = before === null || before === 0 ? null : (count - before) / before;
      before = count;
      return { week: localDate(w, offsetMinutes), count, change };
    });
}

const between = (from: number | undefined, to: number | undefined | null) =>
  from === undefined || to === undefined || to === null ? [] : [(to - from) / 1000];

export function orderStats(orders: readonly StatsOrderRow[], now: number): OrderStats {
  const closedAs: Record<string, number> = {};
  for (const o of orders) if (o.state === 'closed' && o.closedAs) closedAs[o.closedAs] = (closedAs[o.closedAs] ?? 0) + 1;
  const overdue = { dispatch: { late: 0, of: 0 }, arrive: { late: 0, of: 0 }, handle: { late: 0, of: 0 } };
  for (const o of orders) {
    const late = overdueStages(o, now);
    for (const stage of ['dispatch', 'arrive', 'handle'] as const) {
      if (o.done[stage] === undefined && o.due[stage] > now) continue;
      if (o.done[stage] === undefined && o.state === 'closed') continue;
      overdue[stage].of++;
      if (late.includes(stage)) overdue[stage].late++;
    }
  }
  return {
    total: orders.length,
    open: orders.filter((o) => o.state !== 'closed').length,
    warned: orders.filter((o) => o.warned).length,
    closedAs,
    times: {
      dispatch: duration(orders.flatMap((o) => between(o.openedAt, o.done.dispatch))),
      arrive: duration(orders.flatMap((o) => between(o.done.dispatch, o.done.arrive))),
      handle: duration(orders.flatMap((o) => between(o.done.arrive, o.done.handle))),
      close: duration(orders.flatMap((o) => between(o.openedAt, o.closedAt))),
    },
    overdue,
  };
}

/** The report of the events and orders of the query's span (already read for it) that match its categories. */
export function computeStats(
  all: readonly StatsEventRow[],
  q: StatsQuery,
  allOrders: readonly StatsOrderRow[] = [],
  now = Date.now(),
): StatsReport {
  const { since, until } = querySpan(q);
  const wanted = new Set(q.categories);
  const events = all.filter(
    (e) => e.startedAt >= since && e.startedAt < until && (!wanted.size || wanted.has(categoryKey(e)) || wanted.has(e.type)),
  );
  const orders = allOrders.filter((o) => o.openedAt >= since && o.openedAt < until && (!wanted.size || wanted.has(o.category)));
  const days = new Map<string, number>();
  for (let d = since; d < until; d += DAY) days.set(localDate(d, q.offsetMinutes), 0);
  const hourOfWeek = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const e of events) {
    const date = localDate(e.startedAt, q.offsetMinutes);
    days.set(date, (days.get(date) ?? 0) + 1);
    const hour = new Date(e.startedAt + q.offsetMinutes * 60_000).getUTCHours();
    hourOfWeek[weekday(e.startedAt, q.offsetMinutes)][hour]++;
  }
  const since0 = (at: number | null, e: StatsEventRow) => (at === null ? [] : [(at - e.firstSeen) / 1000]);
  return {
    from: q.from,
    to: q.to,
    offsetMinutes: q.offsetMinutes,
    categories: [...q.categories],
    total: events.length,
    falsePositives: events.filter(isFalse).length,
    byCategory: byCategory(events),
    bySite: counted(events, (e) => e.site),
    byCamera: placeCounts(
      events,
      (e) => `${e.site}/${e.camera}`,
      (e) => e.cameraName,
    ),
    byZone: placeCounts(events, (e) => `${e.site}/${e.camera}/${e.zone}`, zoneName),
    byDay: [...days.entries()].map(([date, count]) => ({ date, count })),
    hourOfWeek,
    weeks: weeks(events, since, until, q.offsetMinutes),
    handling: {
      ack: duration(events.flatMap((e) => since0(e.ackAt, e))),
      dispatch: duration(events.flatMap((e) => since0(e.dispatchAt, e))),
      resolve: duration(events.flatMap((e) => since0(e.resolveAt, e))),
    },
    orders: orderStats(orders, now),
  };
}

const csvCell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The report as one CSV table: `section,key,name,count,false_positives` (a spreadsheet reads it as it is). */
export function statsCsv(r: StatsReport): string {
  const rows: (string | number | null)[][] = [['section', 'key', 'name', 'count', 'false_positives']];
  rows.push(['total', `${r.from}..${r.to}`, r.categories.join(' '), r.total, r.falsePositives]);
  for (const c of r.byCategory) rows.push(['category', c.code ?? c.type, c.name, c.count, c.falsePositives]);
  for (const c of r.bySite) rows.push(['site', c.key, '', c.count, c.falsePositives]);
  for (const [section, list] of [
    ['camera', r.byCamera],
    ['zone', r.byZone],
  ] as const)
    for (const c of list) rows.push([section, c.key, c.name, c.count, c.falsePositives]);
  for (const d of r.byDay) rows.push(['day', d.date, '', d.count, null]);
  for (const w of r.weeks) rows.push(['week', w.week, w.change === null ? '' : `${Math.round(w.change * 100)}%`, w.count, null]);
  r.hourOfWeek.forEach((hours, day) =>
    hours.forEach((n, hour) => rows.push(['hour_of_week', `${day + 1}-${String(hour).padStart(2, '0')}`, '', n, null])),
  );
  for (const [step, d] of Object.entries(r.handling))
    rows.push([`handling_${step}`, 'median_s / p90_s', `${d.medianSeconds ?? ''} / ${d.p90Seconds ?? ''}`, d.n, null]);
  rows.push(['orders', 'total / open / warned', `${r.orders.open} open, ${r.orders.warned} warned`, r.orders.total, null]);
  for (const [reason, n] of Object.entries(r.orders.closedAs)) rows.push(['orders_closed_as', reason, '', n, null]);
  for (const [stage, d] of Object.entries(r.orders.times))
    rows.push([`orders_time_${stage}`, 'median_s / p90_s', `${d.medianSeconds ?? ''} / ${d.p90Seconds ?? ''}`, d.n, null]);
  for (const [stage, o] of Object.entries(r.orders.overdue)) rows.push([`orders_overdue_${stage}`, 'late / due', '', o.late, o.of]);
  // A BOM so a spreadsheet opens the Chinese names as UTF-8.
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
