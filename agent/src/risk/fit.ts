import { tune } from './backtest.ts';
import { gridAround, type StudyArea, studyArea } from './grid.ts';
import type { Incident } from './incident.ts';
import { cellRates, cellRhythms, columnsOf, featuresAt, HALF_LIVES, type RiskParams } from './model.ts';
import { localTime, WEEK, weekStart } from './time.ts';

/** A fitted model: what the plan reads. Rates are expected incidents per week. */
export interface RiskModel {
  area: StudyArea;
  params: RiskParams;
  /** Local time the model was fitted at: it knows the incidents before it. */
  fittedAt: number;
  rates: Float64Array;
  /** Area cells × 42 blocks: each cell's share of its week in each 4-hour block (rhythm blocks: a holiday is a Sunday). */
  profiles: Float32Array;
  longRun: Float64Array;
  /** Recency-weighted rate (4-week half-life): set beside the long run it gives the trend. */
  recent: Float64Array;
  holidays?: ReadonlySet<string>;
}

export interface FitOptions {
  cellMeters?: number;
  /** Local time to fit at (default: just after the last incident). */
  at?: number;
  /** The weights; without them they are tuned by backtest on the last `tuneWeeks` complete weeks before `at`. */
  params?: RiskParams;
  tuneWeeks?: number;
  holidays?: ReadonlySet<string>;
}

/** Fits the model on the incidents before `at` (the nightly refit of the center). */
export function fitRiskModel(incidents: readonly Incident[], o: FitOptions = {}): RiskModel {
  const at = o.at ?? incidents.reduce((m, i) => Math.max(m, localTime(i)), -Infinity) + 1;
  const before = incidents.filter((i) => localTime(i) < at);
  if (before.length === 0) throw new Error('no incidents before the time to fit at');
  const area = studyArea(gridAround(before, o.cellMeters ?? 250), before);
  const cols = columnsOf(before, area, o.holidays);
  const params = o.params ?? tune(cols, tuningWeeks(cols.local[0], at, o.tuneWeeks ?? 8), o.holidays).params;
  const f = featuresAt(cols, at);
  return {
    area,
    params,
    fittedAt: at,
    rates: cellRates(f, area, params),
    profiles: cellRhythms(f, area, params),
    longRun: f.long,
    recent: f.recent[HALF_LIVES.indexOf(4)],
    holidays: o.holidays,
  };
}

/** The last `count` complete weeks before `at`, leaving 4 weeks of history before the first. */
function tuningWeeks(first: number, at: number, count: number): number[] {
  const out: number[] = [];
  for (let w = weekStart(at) - WEEK; w >= first + 4 * WEEK && out.length < count; w -= WEEK) out.unshift(w);
  if (out.length < 2) throw new Error('need at least 6 weeks of history to choose the weights: pass them (params)');
  return out;
}
