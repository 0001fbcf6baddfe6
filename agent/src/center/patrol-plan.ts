import type { LatLon } from '../core/geometry.ts';
import { fitRiskModel, type RiskModel } from '../risk/fit.ts';
import { cellBounds, cellOf } from '../risk/grid.ts';
import type { Incident } from '../risk/incident.ts';
import { DEFAULT_PARAMS } from '../risk/model.ts';
import { type PatrolArea, type PatrolPlan, planPatrols } from '../risk/plan.ts';
import { localTime, WEEK, weekStart } from '../risk/time.ts';
import type { PlannedSlotRow } from './store/stats-store.ts';

/* The patrol plan the center serves: pure steps on a fitted model (the service in ./planner.ts runs them). */

export type CellBounds = ReturnType<typeof cellBounds>;

/** The city's area when no unit has a responsibility area. */
export const CITY = 'city';

/** A plan's slot as the API sends it: times in ms since the epoch, the cell's bounds, and why it was chosen. */
export interface PlanSlotView {
  area: string;
  start: number;
  end: number;
  centre: LatLon;
  bounds: CellBounds;
  expected: number;
  recentPerWeek: number;
  longRunPerWeek: number;
  /** Recent rate ÷ long-run rate: above 1 the place is getting busier. */
  trend: number | null;
}

export interface PlanView {
  /** The city's offset from UTC: the slots are blocks of its clock, and read on it. */
  offsetMinutes: number;
  fittedAt: number;
  cellMeters: number;
  from: number;
  to: number;
  budget: number;
  areas: string[];
  slots: PlanSlotView[];
  thin: { area: string; centre: LatLon; forecastPerWeek: number; longRunPerWeek: number }[];
  /** The busiest cells by forecast, for the map's heat layer: bounds and expected incidents per week. */
  heat: { bounds: CellBounds; perWeek: number }[];
}

const trendOf = (recent: number, long: number) => (long > 0 ? recent / long : null);

/** The plan for [from, to) (ms since the epoch) on a city whose clock is `offsetMinutes` from UTC. */
export function planView(
  model: RiskModel,
  q: { from: number; to: number; budget: number; areas: PatrolArea[]; offsetMinutes: number; heatCells?: number },
): PlanView {
  const shift = q.offsetMinutes * 60_000;
  const plan: PatrolPlan = planPatrols(model, {
    from: q.from + shift,
    to: q.to + shift,
    budget: q.budget,
    ...(q.areas.length ? { areas: q.areas } : {}),
  });
  return {
    offsetMinutes: q.offsetMinutes,
    fittedAt: model.fittedAt - shift,
    cellMeters: model.area.grid.cellMeters,
    from: q.from,
    to: q.to,
    budget: q.budget,
    areas: q.areas.length ? q.areas.map((a) => a.id) : [CITY],
    slots: plan.slots.map((s) => ({
      area: s.area ?? CITY,
      start: s.start - shift,
      end: s.end - shift,
      centre: s.centre,
      bounds: cellBounds(model.area.grid, s.cell),
      expected: s.expected,
      recentPerWeek: s.recentPerWeek,
      longRunPerWeek: s.longRunPerWeek,
      trend: trendOf(s.recentPerWeek, s.longRunPerWeek),
    })),
    thin: plan.thin.map((t) => ({
      area: t.area ?? CITY,
      centre: t.centre,
      forecastPerWeek: t.forecastPerWeek,
      longRunPerWeek: t.longRunPerWeek,
    })),
    heat: heatCells(model, q.heatCells ?? 400),
  };
}

function heatCells(model: RiskModel, count: number): PlanView['heat'] {
  const order = Array.from(model.rates.keys())
    .filter((i) => model.rates[i] > 0)
    .sort((a, b) => model.rates[b] - model.rates[a] || a - b)
    .slice(0, count);
  return order.map((i) => ({ bounds: cellBounds(model.area.grid, model.area.cells[i]), perWeek: model.rates[i] }));
}

export const slotRows = (v: PlanView): PlannedSlotRow[] =>
  v.slots.map((s) => ({ area: s.area, start: s.start, end: s.end, ...s.bounds, expected: s.expected }));

/**
 * Fits the model the center plans with: at `now`, or just after the last incident when the history ends earlier (an
 * imported log of past years). Weights are chosen by backtest on the last 4 weeks when there are 6 weeks of history,
 * else the defaults.
 */
export function fitForPlan(incidents: readonly Incident[], now: number, cellMeters: number): RiskModel {
  let first = Infinity;
  let last = -Infinity;
  for (const i of incidents) (first = Math.min(first, localTime(i))), (last = Math.max(last, localTime(i)));
  const at = Math.min(now, last + 1);
  const tunable = weekStart(at) - first >= 7 * WEEK;
  return fitRiskModel(incidents, { cellMeters, at, tuneWeeks: 4, ...(tunable ? {} : { params: DEFAULT_PARAMS }) });
}

/** What the refit worker is given (./refit-worker.ts) and what it answers. */
export interface RefitInput {
  incidents: Incident[];
  /** Local time to fit at. */
  at: number;
  cellMeters: number;
  /** Slots per week of the replayed plans (the backtest's figure). */
  budget: number;
  weeks: number;
}

export interface RefitOutput {
  model: RiskModel;
  backtest: DiscoveryWeek[];
}

/** Degrees of latitude from the city's middle an incident may lie (about 110 km): the city, its counties, no further. */
const CITY_REACH_DEGREES = 1;

/**
 * The incidents around the city's middle (the median place): one record at 0,0 or in another city would stretch the
 * grid over thousands of kilometres, and a grid that size does not fit in memory.
 */
export function nearTheCity(incidents: readonly Incident[]): Incident[] {
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
  const lat = median(incidents.map((i) => i.lat));
  const lon = median(incidents.map((i) => i.lon));
  const lonReach = CITY_REACH_DEGREES / Math.max(0.1, Math.cos((lat * Math.PI) / 180));
  return incidents.filter((i) => Math.abs(i.lat - lat) <= CITY_REACH_DEGREES && Math.abs(i.lon - lon) <= lonReach);
}

export interface DiscoveryWeek {
  /** Local Monday, YYYY-MM-DD. */
  week: string;
  slots: number;
  found: number;
  share: number | null;
}

/** The share of slots with at least one incident, per local week (Monday to Sunday), oldest first. */
export function discoveryByWeek(outcomes: readonly { start: number; incidents: number }[], offsetMinutes: number): DiscoveryWeek[] {
  const shift = offsetMinutes * 60_000;
  const weeks = new Map<number, { slots: number; found: number }>();
  for (const o of outcomes) {
    const w = weekStart(o.start + shift);
    const c = weeks.get(w) ?? { slots: 0, found: 0 };
    c.slots++;
    if (o.incidents > 0) c.found++;
    weeks.set(w, c);
  }
  return [...weeks.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([w, c]) => ({ week: new Date(w).toISOString().slice(0, 10), ...c, share: c.slots ? c.found / c.slots : null }));
}

/**
 * The backtest's figure for the plan as the center makes it: for each of the last `weeks` complete weeks before the
 * model's fit, a model fitted on everything before that week (same weights) plans `budget` slots for it, and the
 * share of those slots in which an incident happened is counted.
 */
export function replayDiscovery(incidents: readonly Incident[], model: RiskModel, budget: number, weeks = 4): DiscoveryWeek[] {
  const out: DiscoveryWeek[] = [];
  const lastWeek = weekStart(model.fittedAt) - WEEK;
  let first = Infinity;
  for (const i of incidents) first = Math.min(first, localTime(i));
  for (let w = lastWeek - (weeks - 1) * WEEK; w <= lastWeek; w += WEEK) {
    if (w - first < 2 * WEEK) continue;
    const m = fitRiskModel(incidents, { cellMeters: model.area.grid.cellMeters, at: w, params: model.params });
    const plan = planPatrols(m, { from: w, to: w + WEEK, budget });
    const hits = new Set<string>();
    for (const i of incidents) {
      const t = localTime(i);
      if (t >= w && t < w + WEEK) hits.add(`${cellOf(m.area.grid, i.lat, i.lon)}|${Math.floor((t - w) / (4 * 3_600_000))}`);
    }
    const found = plan.slots.filter((s) => hits.has(`${s.cell}|${Math.floor((s.start - w) / (4 * 3_600_000))}`)).length;
    out.push({
      week: new Date(w).toISOString().slice(0, 10),
      slots: plan.slots.length,
      found,
      share: plan.slots.length ? found / plan.slots.length : null,
    });
  }
  return out;
}

/** Totals of a list of weeks. */
export function overall(weeks: readonly DiscoveryWeek[]): { slots: number; found: number; share: number | null } {
  const slots = weeks.reduce((s, w) => s + w.slots, 0);
  const found = weeks.reduce((s, w) => s + w.found, 0);
  return { slots, found, share: slots ? found / slots : null };
}
