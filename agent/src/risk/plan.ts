import { type LatLon, latLonInPolygon } from '../core/geometry.ts';
import type { RiskModel } from './fit.ts';
import { cellCentre } from './grid.ts';
import { kthLargest } from './metrics.ts';
import { BLOCK_HOURS, BLOCKS, blockOf, HOUR } from './time.ts';

/** A responsibility area: the plan gives each its own budget of slots. */
export interface PatrolArea {
  id: string;
  polygon: LatLon[];
}

export interface PlanRequest {
  /** Local times; slots are the 4-hour blocks of the local clock from `from` (rounded up) to `to`. */
  from: number;
  to: number;
  /** Slots (cell × 4-hour block) to patrol, per area when areas are given. */
  budget: number;
  areas?: PatrolArea[];
  /** How many cells where patrols can be thinned to list per area (default 10). */
  thin?: number;
}

export interface PlanSlot {
  area?: string;
  cell: number;
  centre: LatLon;
  start: number;
  end: number;
  /** Expected incidents in this cell during this slot. */
  expected: number;
  /** The cell's recent rate (4-week half-life) and long-run rate, incidents per week: the trend is their ratio. */
  recentPerWeek: number;
  longRunPerWeek: number;
}

/** A cell that used to be busy and is now quiet: its forecast is under half of its long-run rate. */
export interface ThinCell {
  area?: string;
  cell: number;
  centre: LatLon;
  forecastPerWeek: number;
  longRunPerWeek: number;
}

export interface PatrolPlan {
  from: number;
  to: number;
  slots: PlanSlot[];
  thin: ThinCell[];
}

const SLOT = BLOCK_HOURS * HOUR;

/** The plan: the budget's best slots of each area by expected incidents, and where patrols can be thinned. */
export function planPatrols(model: RiskModel, req: PlanRequest): PatrolPlan {
  if (!(req.budget >= 0) || !Number.isInteger(req.budget)) throw new Error(`budget: expected a whole number ≥ 0, got ${req.budget}`);
  const starts: number[] = [];
  for (let s = Math.ceil(req.from / SLOT) * SLOT; s + SLOT <= req.to; s += SLOT) starts.push(s);
  const groups = req.areas?.length
    ? req.areas.map((a) => ({ id: a.id as string | undefined, cells: cellsInside(model, a.polygon) }))
    : [{ id: undefined, cells: Array.from(model.area.cells.keys()) }];
  const plan: PatrolPlan = { from: req.from, to: req.to, slots: [], thin: [] };
  for (const g of groups) {
    plan.slots.push(...bestSlots(model, g.cells, starts, req.budget, g.id));
    plan.thin.push(...thinCells(model, g.cells, req.thin ?? 10, g.id));
  }
  return plan;
}

function cellsInside(model: RiskModel, polygon: readonly LatLon[]): number[] {
  const out: number[] = [];
  model.area.cells.forEach((cell, i) => {
    if (latLonInPolygon(cellCentre(model.area.grid, cell), polygon)) out.push(i);
  });
  return out;
}

function bestSlots(model: RiskModel, cells: readonly number[], starts: readonly number[], budget: number, area?: string): PlanSlot[] {
  if (budget === 0 || cells.length === 0 || starts.length === 0) return [];
  const rhythm = starts.map((s) => blockOf(s, model.holidays));
  const score = new Float64Array(cells.length * starts.length);
  cells.forEach((c, i) => {
    for (let k = 0; k < starts.length; k++) score[i * starts.length + k] = model.rates[c] * model.profiles[c * BLOCKS + rhythm[k]];
  });
  const cut = kthLargest(score, Math.min(budget, score.length));
  const chosen: number[] = [];
  for (let j = 0; j < score.length; j++) if (score[j] >= cut) chosen.push(j);
  chosen.sort((a, b) => score[b] - score[a] || a - b);
  return chosen.slice(0, budget).map((j) => {
    const c = cells[Math.floor(j / starts.length)];
    const start = starts[j % starts.length];
    return {
      ...(area === undefined ? {} : { area }),
      cell: model.area.cells[c],
      centre: cellCentre(model.area.grid, model.area.cells[c]),
      start,
      end: start + SLOT,
      expected: score[j],
      recentPerWeek: model.recent[c],
      longRunPerWeek: model.longRun[c],
    };
  });
}

/** Among the area's busiest tenth by long-run rate, the cells whose forecast fell under half of it, biggest fall first. */
function thinCells(model: RiskModel, cells: readonly number[], count: number, area?: string): ThinCell[] {
  const busy = cells.filter((c) => model.longRun[c] > 0).sort((a, b) => model.longRun[b] - model.longRun[a] || a - b);
  return busy
    .slice(0, Math.ceil(busy.length / 10))
    .filter((c) => model.rates[c] < model.longRun[c] / 2)
    .sort((a, b) => model.longRun[b] - model.rates[b] - (model.longRun[a] - model.rates[a]) || a - b)
    .slice(0, count)
    .map((c) => ({
      ...(area === undefined ? {} : { area }),
      cell: model.area.cells[c],
      centre: cellCentre(model.area.grid, model.area.cells[c]),
      forecastPerWeek: model.rates[c],
      longRunPerWeek: model.longRun[c],
    }));
}
