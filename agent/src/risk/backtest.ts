import { gridAround, studyArea } from './grid.ts';
import type { Incident } from './incident.ts';
import { bootstrapMean, capturedInTop, type Estimate } from './metrics.ts';
import {
  type Columns,
  cellRates,
  cellRhythms,
  chooseRhythmShrinks,
  columnsOf,
  countBefore,
  type Features,
  featuresAt,
  HALF_LIVES,
  type RiskParams,
  rhythmBlocks,
  slotScores,
} from './model.ts';
import { BLOCKS, localTime, WEEK, weekStart } from './time.ts';

export const METRICS = ['hit1', 'hit5', 'hit10', 'disc100', 'disc300'] as const;
export type Metric = (typeof METRICS)[number];
export type WeekScores = Record<Metric, number>;
export const AREA_SHARES: Record<'hit1' | 'hit5' | 'hit10', number> = { hit1: 0.01, hit5: 0.05, hit10: 0.1 };
const BUDGETS: Record<'disc100' | 'disc300', number> = { disc100: 100, disc300: 300 };

export const BASELINES = ['uniform', 'last week', 'all history', 'weighted history'] as const;
export type Method = 'model' | (typeof BASELINES)[number];

/** What one week's incidents are, in the terms a ranking is judged by. */
interface WeekTargets {
  cells: Float64Array;
  slots: Uint8Array;
  /** Every incident of the week, those outside the study area too (they count as missed). */
  total: number;
}

function targetsOf(cols: Columns, start: number): WeekTargets {
  const n = cols.area.cells.length;
  const t: WeekTargets = { cells: new Float64Array(n), slots: new Uint8Array(n * BLOCKS), total: 0 };
  for (let j = countBefore(cols, start); j < cols.local.length && cols.local[j] < start + WEEK; j++) {
    t.total++;
    const c = cols.cell[j];
    if (c < 0) continue;
    t.cells[c]++;
    t.slots[c * BLOCKS + Math.floor((cols.local[j] - start) / (4 * 3_600_000))] = 1;
  }
  return t;
}

/** A ranking of cells for the week (expected incidents) and of its cell × 4-hour slots. */
interface Ranking {
  cells: ArrayLike<number>;
  slots: ArrayLike<number>;
}

function judge(r: Ranking, t: WeekTargets, metrics: readonly Metric[] = METRICS): WeekScores {
  const n = t.cells.length;
  const out = {} as WeekScores;
  for (const m of metrics) {
    if (m === 'disc100' || m === 'disc300') out[m] = capturedInTop(r.slots, t.slots, BUDGETS[m]) / BUDGETS[m];
    else out[m] = t.total ? capturedInTop(r.cells, t.cells, Math.round(AREA_SHARES[m] * n)) / t.total : 0;
  }
  return out;
}

function baseline(method: (typeof BASELINES)[number], f: Features, halfLife: number): Ranking {
  const k = HALF_LIVES.indexOf(halfLife as (typeof HALF_LIVES)[number]);
  if (method === 'uniform') return { cells: new Float64Array(f.long.length), slots: new Float64Array(f.slotLong.length) };
  if (method === 'last week') return { cells: f.lastWeek, slots: f.slotLastWeek };
  if (method === 'all history') return { cells: f.long, slots: f.slotLong };
  return { cells: f.recent[k], slots: f.slotRecent[k] };
}

const MIXES: readonly (readonly [number, number, number])[] = [
  [1, 0, 0],
  [0, 1, 0],
  [0.5, 0.5, 0],
  [0.25, 0.5, 0.25],
  [0, 0.75, 0.25],
  [0.5, 0.25, 0.25],
];
const SMOOTHINGS = [0, 0.3, 0.6];
/** Rate settings kept from the first stage of the search for the second (which judges their slots too). */
const FINALISTS = 3;

/** Every rate setting of the search: mix × recency half-life × neighbour smoothing. */
function rateGrid(): Omit<RiskParams, 'shrink' | 'cityShrink'>[] {
  return MIXES.flatMap((mix) => HALF_LIVES.flatMap((halfLifeWeeks) => SMOOTHINGS.map((smoothing) => ({ mix, halfLifeWeeks, smoothing }))));
}

export interface Tuned {
  params: RiskParams;
  /** The weighted-history baseline's half-life, chosen on the same weeks by the same yardstick. */
  baselineHalfLife: number;
}

const argmax = (xs: readonly number[]) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

/**
 * Chooses the model's weights on `weeks` (each fitted on all before it), in two stages to stay cheap: rate settings
 * by hit rate at 5 % of the area, then the 3 best of them by hit rate at 5 % + discovery at 100 slots, their slots
 * read with the rhythm's pull chosen by likelihood on the history up to the end of `weeks`.
 */
export function tune(cols: Columns, weeks: readonly number[], holidays?: ReadonlySet<string>): Tuned {
  const grid = rateGrid();
  const hit = new Array<number>(grid.length).fill(0);
  const ewScore = new Array<number>(HALF_LIVES.length).fill(0);
  // Features of a week are recomputed in the second pass: holding them all would take ~20 MB a week.
  const targets = weeks.map((w) => targetsOf(cols, w));
  weeks.forEach((w, i) => {
    const f = featuresAt(cols, w);
    grid.forEach((g, k) => {
      hit[k] += judge({ cells: cellRates(f, cols.area, { ...g, shrink: 0, cityShrink: 0 }), slots: [] }, targets[i], ['hit5']).hit5;
    });
    HALF_LIVES.forEach((h, k) => {
      const s = judge(baseline('weighted history', f, h), targets[i], ['hit5', 'disc100']);
      ewScore[k] += s.hit5 + s.disc100;
    });
  });
  const finalists = grid
    .map((g, k) => ({ g, score: hit[k] }))
    .sort((a, b) => b.score - a.score)
    .slice(0, FINALISTS);
  const rhythm = chooseRhythmShrinks(cols, weeks[weeks.length - 1] + WEEK);
  const candidates = finalists.map(({ g }) => ({ ...g, ...rhythm }));
  const score = new Array<number>(candidates.length).fill(0);
  const slots = new Float64Array(cols.area.cells.length * BLOCKS);
  weeks.forEach((w, i) => {
    const f = featuresAt(cols, w);
    const profiles = cellRhythms(f, cols.area, rhythm);
    candidates.forEach((p, k) => {
      const cells = cellRates(f, cols.area, p);
      slotScores(cells, profiles, rhythmBlocks(w, holidays), slots);
      const s = judge({ cells, slots }, targets[i], ['hit5', 'disc100']);
      score[k] += s.hit5 + s.disc100;
    });
  });
  return { params: candidates[argmax(score)], baselineHalfLife: HALF_LIVES[argmax(ewScore)] };
}

export interface BacktestOptions {
  cellMeters: number;
  /** Local time; the first reported week is the first starting on or after it. Default: half the weeks after burn-in. */
  from?: number;
  /** How many weeks to report (default: all to the end of the data). */
  weeks?: number;
  holidays?: ReadonlySet<string>;
}

export interface BacktestResult {
  incidents: number;
  cellMeters: number;
  areaCells: number;
  tuningWeeks: number[];
  reportWeeks: number[];
  tuned: Tuned;
  perWeek: Record<Method, WeekScores[]>;
  summary: Record<Method, Record<Metric, Estimate>>;
  /** Per metric: model minus the best baseline on it, paired week by week. */
  paired: Record<Metric, { against: Method; diff: Estimate }>;
}

/** Weeks of history before the first week a method is judged on: a fit on less says little. */
const BURN_IN_WEEKS = 4;

/** The complete local weeks (Monday to Monday) of the data, split into burn-in, tuning and reported weeks. */
function splitWeeks(first: number, last: number, o: BacktestOptions): { tuning: number[]; report: number[] } {
  const start = weekStart(first) === first ? first : weekStart(first) + WEEK;
  const weeks: number[] = [];
  for (let w = start; w + WEEK <= last + 1; w += WEEK) weeks.push(w);
  const usable = weeks.slice(BURN_IN_WEEKS);
  const fromIndex = o.from === undefined ? Math.floor(usable.length / 2) : usable.findIndex((w) => w >= o.from!);
  const tuning = usable.slice(0, Math.max(0, fromIndex));
  const report = fromIndex < 0 ? [] : usable.slice(fromIndex, o.weeks === undefined ? undefined : fromIndex + o.weeks);
  if (tuning.length < 2)
    throw new Error(
      `need at least 2 weeks to choose the weights on after ${BURN_IN_WEEKS} weeks of burn-in before the first reported week`,
    );
  if (report.length === 0) throw new Error('no complete week to report on from the given date');
  return { tuning, report };
}

/**
 * Replays history week by week: tunes the model on the early weeks, then for every reported week fits the model and
 * the baselines on everything before it and judges them on that week. Same incidents → same figures.
 */
export function runBacktest(incidents: readonly Incident[], o: BacktestOptions): BacktestResult {
  if (incidents.length === 0) throw new Error('no incidents to replay');
  let first = Infinity;
  let last = -Infinity;
  for (const i of incidents) (first = Math.min(first, localTime(i))), (last = Math.max(last, localTime(i)));
  const { tuning, report } = splitWeeks(first, last, o);
  const grid = gridAround(incidents, o.cellMeters);
  const area = studyArea(
    grid,
    incidents.filter((i) => localTime(i) < report[0]),
  );
  const cols = columnsOf(incidents, area, o.holidays);
  const tuned = tune(cols, tuning, o.holidays);
  const methods: Method[] = ['model', ...BASELINES];
  const perWeek = Object.fromEntries(methods.map((m) => [m, [] as WeekScores[]])) as Record<Method, WeekScores[]>;
  const slots = new Float64Array(area.cells.length * BLOCKS);
  for (const w of report) {
    const f = featuresAt(cols, w);
    const t = targetsOf(cols, w);
    const cells = cellRates(f, area, tuned.params);
    slotScores(cells, cellRhythms(f, area, tuned.params), rhythmBlocks(w, o.holidays), slots);
    perWeek.model.push(judge({ cells, slots }, t));
    for (const b of BASELINES) perWeek[b].push(judge(baseline(b, f, tuned.baselineHalfLife), t));
  }
  const summary = Object.fromEntries(
    methods.map((m) => [m, Object.fromEntries(METRICS.map((k) => [k, bootstrapMean(perWeek[m].map((s) => s[k]))]))]),
  ) as BacktestResult['summary'];
  const paired = Object.fromEntries(
    METRICS.map((k) => {
      const against = BASELINES.reduce((best, b) => (summary[b][k].mean > summary[best][k].mean ? b : best));
      return [k, { against, diff: bootstrapMean(perWeek.model.map((s, i) => s[k] - perWeek[against][i][k])) }];
    }),
  ) as BacktestResult['paired'];
  return {
    incidents: incidents.length,
    cellMeters: o.cellMeters,
    areaCells: area.cells.length,
    tuningWeeks: tuning,
    reportWeeks: report,
    tuned,
    perWeek,
    summary,
    paired,
  };
}
