import { describe, expect, it } from 'vitest';
import { computeStats, duration, orderStats, statsCsv } from '../../../agent/src/center/stats.ts';
import type { StatsEventRow, StatsOrderRow } from '../../../agent/src/center/store/stats-store.ts';

/** Beijing time: 2026-11-30 is a Monday. */
const OFFSET = 480;
const at = (local: string) => Date.parse(`${local}+08:00`);

function row(id: string, local: string, o: Partial<StatsEventRow> = {}): StatsEventRow {
  const startedAt = at(local);
  return {
    id,
    site: 'box-a',
    camera: 'cam-1',
    zone: 'kerb',
    cameraName: '东门',
    zoneName: '路边',
    type: 'street_vending',
    categoryCode: '09006',
    categoryName: '占道经营',
    startedAt,
    firstSeen: startedAt + 2000,
    operatorAction: null,
    ackAt: null,
    dispatchAt: null,
    resolveAt: null,
    ...o,
  };
}

const rows: StatsEventRow[] = [
  row('a', '2026-11-30T08:10:00', { ackAt: at('2026-11-30T08:10:02') + 60_000, dispatchAt: at('2026-11-30T08:10:02') + 300_000 }),
  row('b', '2026-11-30T23:59:00', { ackAt: at('2026-11-30T23:59:02') + 120_000 }),
  row('c', '2026-12-01T00:01:00', { operatorAction: 'false_positive', camera: 'cam-2', cameraName: null, zoneName: null }),
  row('d', '2026-12-06T18:30:00', { type: 'illegal_parking', categoryCode: null, categoryName: null, site: 'box-b' }),
  row('e', '2026-12-07T09:00:00', { ackAt: at('2026-12-07T09:00:02') + 180_000, resolveAt: at('2026-12-07T09:00:02') + 3600_000 }),
  row('f', '2026-12-08T09:00:00'),
  // Outside the range on the city's clock (the day after `to`), though still 12-09 in UTC.
  row('g', '2026-12-10T00:30:00'),
];

describe('the bureau statistics of archived events', () => {
  const r = computeStats(rows, { from: '2026-11-30', to: '2026-12-09', categories: [], offsetMinutes: OFFSET });

  it('counts by category with its standard code and name, by site, camera, and the false-positive share', () => {
    expect(r.total).toBe(6);
    expect(r.falsePositives).toBe(1);
    expect(r.byCategory.map((c) => [c.key, c.code, c.name, c.count, c.falsePositives])).toEqual([
      ['09006', '09006', '占道经营', 5, 1],
      ['illegal_parking', null, 'illegal_parking', 1, 0],
    ]);
    expect(r.bySite.map((c) => [c.key, c.count])).toEqual([
      ['box-a', 5],
      ['box-b', 1],
    ]);
    expect(r.byCamera.find((c) => c.key === 'box-a/cam-2')).toEqual({ key: 'box-a/cam-2', name: null, count: 1, falsePositives: 1 });
  });

  it('names a camera and a zone as the boxes named them, keyed by their ids (an older box named none)', () => {
    expect(r.byCamera.map((c) => [c.key, c.name])).toEqual([
      ['box-a/cam-1', '东门'],
      ['box-a/cam-2', null],
      ['box-b/cam-1', '东门'],
    ]);
    expect(r.byZone.find((c) => c.key === 'box-a/cam-1/kerb')).toMatchObject({ name: '东门 / 路边', count: 4 });
    expect(r.byZone.find((c) => c.key === 'box-a/cam-2/kerb')?.name).toBeNull();
  });

  it('reads days and hours on the city clock, not UTC: 23:59 Monday stays Monday, 00:01 is Tuesday', () => {
    expect(r.byDay).toHaveLength(10);
    expect(r.byDay.slice(0, 2)).toEqual([
      { date: '2026-11-30', count: 2 },
      { date: '2026-12-01', count: 1 },
    ]);
    expect(r.hourOfWeek[0][8]).toBe(1);
    expect(r.hourOfWeek[0][23]).toBe(1);
    expect(r.hourOfWeek[1][0]).toBe(1);
    expect(r.hourOfWeek[6][18]).toBe(1);
    expect(r.hourOfWeek.flat().reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('gives each week its count and its change on the week before', () => {
    expect(r.weeks).toEqual([
      { week: '2026-11-30', count: 4, change: null },
      { week: '2026-12-07', count: 2, change: -0.5 },
    ]);
  });

  it('measures handling from the alert reaching the center to each first applied action', () => {
    expect(r.handling.ack).toEqual({ n: 3, medianSeconds: 120, p90Seconds: 180 });
    expect(r.handling.dispatch).toEqual({ n: 1, medianSeconds: 300, p90Seconds: 300 });
    expect(r.handling.resolve).toEqual({ n: 1, medianSeconds: 3600, p90Seconds: 3600 });
    expect(duration([])).toEqual({ n: 0, medianSeconds: null, p90Seconds: null });
  });

  it('filters by category code or event type', () => {
    const parking = computeStats(rows, { from: '2026-11-30', to: '2026-12-09', categories: ['illegal_parking'], offsetMinutes: OFFSET });
    expect(parking.total).toBe(1);
    const vending = computeStats(rows, { from: '2026-12-01', to: '2026-12-01', categories: ['09006'], offsetMinutes: OFFSET });
    expect(vending.total).toBe(1);
    expect(vending.falsePositives).toBe(1);
  });

  it('refuses a range that ends before it starts or is not dates', () => {
    expect(() => computeStats(rows, { from: '2026-12-09', to: '2026-12-01', categories: [], offsetMinutes: OFFSET })).toThrow(/before/);
    expect(() => computeStats(rows, { from: 'monday', to: '2026-12-01', categories: [], offsetMinutes: OFFSET })).toThrow(/YYYY-MM-DD/);
  });

  it('exports a CSV a spreadsheet opens: UTF-8 mark, Chinese names, one line per figure', () => {
    const csv = statsCsv(r);
    expect(csv.startsWith('\uFEFFsection,key,name,count,false_positives\r\n')).toBe(true);
    expect(csv).toContain('\r\ncategory,09006,占道经营,5,1\r\n');
    expect(csv).toContain('\r\ncamera,box-a/cam-1,东门,4,0\r\n');
    expect(csv).toContain('\r\nzone,box-a/cam-1/kerb,东门 / 路边,4,0\r\n');
    expect(csv).toContain('\r\ncamera,box-a/cam-2,,1,1\r\n');
    expect(csv).toContain('\r\nday,2026-11-30,,2,\r\n');
    expect(csv).toContain('\r\nhandling_ack,median_s / p90_s,120 / 180,3,\r\n');
    expect(csv.split('\r\n').filter((l) => l.startsWith('hour_of_week,'))).toHaveLength(7 * 24);
  });
});

describe('the work orders in the statistics', () => {
  const T = at('2026-12-01T09:00:00');
  const MIN = 60_000;
  const due = { dispatch: T + 10 * MIN, arrive: T + 40 * MIN, handle: T + 100 * MIN };
  const order = (id: string, o: Partial<StatsOrderRow>): StatsOrderRow => ({
    id,
    state: 'closed',
    category: 'street_vending',
    unit: 'u1',
    openedAt: T,
    due,
    done: {},
    closedAt: null,
    closedAs: null,
    warned: false,
    ...o,
  });
  const orders = [
    // 立案 → 派遣 5 min → 到场 20 min → 处置 30 min, 结案 60 min after 立案.
    order('a', {
      done: { dispatch: T + 5 * MIN, arrive: T + 25 * MIN, handle: T + 55 * MIN },
      closedAt: T + 60 * MIN,
      closedAs: 'handled',
    }),
    // Dispatched late (15 min), arrived 30 min later (on time: due at 40), handled 90 min after (late), closed at 3 h.
    order('b', {
      done: { dispatch: T + 15 * MIN, arrive: T + 45 * MIN, handle: T + 135 * MIN },
      closedAt: T + 180 * MIN,
      closedAs: 'handled',
    }),
    // Warned, the vendor left: closed without a patrol.
    order('c', { warned: true, closedAt: T + 8 * MIN, closedAs: 'corrected_after_warning' }),
    // Still open, dispatched, not arrived, its arrival deadline passed.
    order('d', { state: 'dispatched', done: { dispatch: T + 2 * MIN } }),
  ];

  it('times each stage, counts "corrected after warning" apart, and the overdue share per stage', () => {
    const s = orderStats(orders, T + 120 * MIN);
    expect(s).toMatchObject({ total: 4, open: 1, warned: 1, closedAs: { handled: 2, corrected_after_warning: 1 } });
    expect(s.times.dispatch).toEqual({ n: 3, medianSeconds: 300, p90Seconds: 900 });
    expect(s.times.arrive).toEqual({ n: 2, medianSeconds: 1200, p90Seconds: 1800 });
    expect(s.times.handle).toEqual({ n: 2, medianSeconds: 1800, p90Seconds: 5400 });
    expect(s.times.close).toEqual({ n: 3, medianSeconds: 3600, p90Seconds: 10800 });
    // b dispatched late, arrived late (45 > 40) and handled late; d, open at 2 h, past its arrival and handling
    // deadlines; c, closed on the warning, was never due to be patrolled.
    expect(s.overdue).toEqual({ dispatch: { late: 1, of: 3 }, arrive: { late: 2, of: 3 }, handle: { late: 2, of: 3 } });
  });

  it('filters the orders by range and category with the events', () => {
    const r = computeStats(
      rows,
      { from: '2026-12-01', to: '2026-12-01', categories: ['illegal_parking'], offsetMinutes: OFFSET },
      orders,
      T,
    );
    expect(r.orders.total).toBe(0);
    const all = computeStats(rows, { from: '2026-12-01', to: '2026-12-01', categories: [], offsetMinutes: OFFSET }, orders, T + 120 * MIN);
    expect(all.orders.total).toBe(4);
    expect(statsCsv(all)).toContain('\r\norders_closed_as,corrected_after_warning,,1,\r\n');
  });
});
