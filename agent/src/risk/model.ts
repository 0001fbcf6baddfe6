import { cellOf, type StudyArea } from './grid.ts';
import type { Incident } from './incident.ts';
import { BLOCKS, blockOf, DAY, localDate, localTime, WEEK } from './time.ts';

/** Half-lives (weeks) of the recency-weighted rates the model and the weighted-history baseline choose from. */
export const HALF_LIVES = [2, 4, 8, 16] as const;
/** Near-repeat: the last few days' incidents, half-life 3.5 days (burglary and theft research: the raised risk fades within a few weeks). */
const NEAR_REPEAT_HALF_LIFE = 0.5;

/** Incidents as columns sorted by local time: a fit at time T reads the prefix before T, with plain loops. */
export interface Columns {
  area: StudyArea;
  local: Float64Array;
  /** Area index, -1 outside the study area. */
  cell: Int32Array;
  block: Uint8Array;
}

export function columnsOf(incidents: readonly Incident[], area: StudyArea, holidays?: ReadonlySet<string>): Columns {
  const order = incidents.map((i, k) => [localTime(i), k] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const n = order.length;
  const local = new Float64Array(n);
  const cell = new Int32Array(n);
  const block = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const i = incidents[order[j][1]];
    local[j] = order[j][0];
    const c = cellOf(area.grid, i.lat, i.lon);
    cell[j] = c < 0 ? -1 : area.indexOf[c];
    block[j] = blockOf(local[j], holidays);
  }
  return { area, local, cell, block };
}

/** How many incidents happened before local time `at` (the columns are sorted). */
export function countBefore(cols: Columns, at: number): number {
  let lo = 0;
  let hi = cols.local.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cols.local[mid] < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What the history before `at` says per area cell (rates per week) and per cell × 4-hour block of the week. */
export interface Features {
  at: number;
  weeks: number;
  long: Float64Array;
  /** One per HALF_LIVES entry. */
  recent: Float64Array[];
  near: Float64Array;
  lastWeek: Float64Array;
  slotLong: Float32Array;
  slotRecent: Float32Array[];
  slotLastWeek: Float32Array;
}

/** Sum of the weights 2^(-age/h) over a history of `span` weeks: turns a weighted count into a rate per week. */
const weightMass = (h: number, span: number) => (h / Math.LN2) * (1 - 2 ** (-span / h));

export function featuresAt(cols: Columns, at: number): Features {
  const n = cols.area.cells.length;
  const end = countBefore(cols, at);
  const weeks = end ? Math.max((at - cols.local[0]) / WEEK, 1 / 7) : 1;
  const f: Features = {
    at,
    weeks,
    long: new Float64Array(n),
    recent: HALF_LIVES.map(() => new Float64Array(n)),
    near: new Float64Array(n),
    lastWeek: new Float64Array(n),
    slotLong: new Float32Array(n * BLOCKS),
    slotRecent: HALF_LIVES.map(() => new Float32Array(n * BLOCKS)),
    slotLastWeek: new Float32Array(n * BLOCKS),
  };
  const decay = HALF_LIVES.map((h) => Math.LN2 / h);
  const mass = HALF_LIVES.map((h) => weightMass(h, weeks));
  const nearDecay = Math.LN2 / NEAR_REPEAT_HALF_LIFE;
  const nearMass = weightMass(NEAR_REPEAT_HALF_LIFE, weeks);
  for (let j = 0; j < end; j++) {
    const c = cols.cell[j];
    if (c < 0) continue;
    const age = (at - cols.local[j]) / WEEK;
    const s = c * BLOCKS + cols.block[j];
    f.long[c] += 1 / weeks;
    f.slotLong[s] += 1;
    for (let k = 0; k < HALF_LIVES.length; k++) {
      const w = Math.exp(-decay[k] * age) / mass[k];
      f.recent[k][c] += w;
      f.slotRecent[k][s] += w;
    }
    if (age < 8 * NEAR_REPEAT_HALF_LIFE) f.near[c] += Math.exp(-nearDecay * age) / nearMass;
    if (age <= 1) {
      f.lastWeek[c] += 1;
      f.slotLastWeek[s] += 1;
    }
  }
  return f;
}

/** How the model weighs its evidence; chosen by backtest on earlier weeks (see backtest.ts), never by taste. */
export interface RiskParams {
  /** Weights of the long-run, recent and near-repeat rates (they sum to 1). */
  mix: readonly [number, number, number];
  /** Half-life of the recent rate, weeks (one of HALF_LIVES). */
  halfLifeWeeks: number;
  /** Share of a cell's rate taken from the mean of its 8 neighbours. */
  smoothing: number;
  /** Pseudo-count pulling a cell's weekly rhythm toward its neighbourhood's. */
  shrink: number;
  /** Pseudo-count pulling a neighbourhood's weekly rhythm toward the city's. */
  cityShrink: number;
}

export const DEFAULT_PARAMS: RiskParams = { mix: [0.25, 0.5, 0.25], halfLifeWeeks: 8, smoothing: 0.3, shrink: 10, cityShrink: 20 };

/** Expected incidents per area cell in the week after `features.at`: the mixed rates, smoothed over neighbours. */
export function cellRates(f: Features, area: StudyArea, p: RiskParams): Float64Array {
  const n = area.cells.length;
  const k = HALF_LIVES.indexOf(p.halfLifeWeeks as (typeof HALF_LIVES)[number]);
  if (k < 0) throw new Error(`halfLifeWeeks must be one of ${HALF_LIVES.join(', ')}, got ${p.halfLifeWeeks}`);
  const base = new Float64Array(n);
  const [a, b, c] = p.mix;
  for (let i = 0; i < n; i++) base[i] = a * f.long[i] + b * f.recent[k][i] + c * f.near[i];
  if (p.smoothing === 0) return base;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = i * 8; j < i * 8 + 8; j++) if (area.neighbours[j] >= 0) sum += base[area.neighbours[j]];
    out[i] = (1 - p.smoothing) * base[i] + (p.smoothing * sum) / 8;
  }
  return out;
}

/**
 * Each cell's 3×3 neighbourhood's weekly rhythm: the share of its incidents in each 4-hour block of the week, shrunk
 * toward the whole city's. The same for every shrink a cell's own rhythm is then given (see weeklyProfiles).
 */
function neighbourhoodRhythm(slotCounts: Float32Array, area: StudyArea, cityShrink: number): Float32Array {
  const n = area.cells.length;
  const city = new Float64Array(BLOCKS);
  let cityTotal = 0;
  for (let i = 0; i < n * BLOCKS; i++) city[i % BLOCKS] += slotCounts[i];
  for (let b = 0; b < BLOCKS; b++) cityTotal += city[b] += 1;
  for (let b = 0; b < BLOCKS; b++) city[b] /= cityTotal;
  const out = new Float32Array(n * BLOCKS);
  const hood = new Float64Array(BLOCKS);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let b = 0; b < BLOCKS; b++) total += hood[b] = slotCounts[i * BLOCKS + b];
    for (let j = i * 8; j < i * 8 + 8; j++) {
      const nb = area.neighbours[j];
      if (nb < 0) continue;
      for (let b = 0; b < BLOCKS; b++) total += slotCounts[nb * BLOCKS + b];
      for (let b = 0; b < BLOCKS; b++) hood[b] += slotCounts[nb * BLOCKS + b];
    }
    for (let b = 0; b < BLOCKS; b++) out[i * BLOCKS + b] = (hood[b] + cityShrink * city[b]) / (total + cityShrink);
  }
  return out;
}

/**
 * Each cell's weekly rhythm: its own counts per 4-hour block shrunk toward its neighbourhood's rhythm by `shrink`
 * pseudo-incidents (a cell with 3 incidents has no rhythm of its own; one with 300 keeps its own).
 */
function weeklyProfiles(slotCounts: Float32Array, hood: Float32Array, shrink: number): Float32Array {
  const out = new Float32Array(hood.length);
  for (let i = 0; i < hood.length; i += BLOCKS) {
    let own = 0;
    for (let b = 0; b < BLOCKS; b++) own += slotCounts[i + b];
    for (let b = 0; b < BLOCKS; b++) out[i + b] = (slotCounts[i + b] + shrink * hood[i + b]) / (own + shrink);
  }
  return out;
}

/** Each cell's weekly rhythm from the history of `f`, with the given pulls toward the neighbourhood's and the city's. */
export const cellRhythms = (f: Features, area: StudyArea, p: Pick<RiskParams, 'shrink' | 'cityShrink'>): Float32Array =>
  weeklyProfiles(f.slotLong, neighbourhoodRhythm(f.slotLong, area, p.cityShrink), p.shrink);

/** The pulls (pseudo-incidents) the fit chooses among, of a cell's rhythm toward its neighbourhood's (up to, in effect, the neighbourhood's alone) and of a neighbourhood's toward the city's. */
const RHYTHM_SHRINKS = [1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 100_000];
const CITY_SHRINKS = [1, 3, 10, 30, 100, 300, 1000, 3000];
/** Weeks at the end of the history the rhythm's pulls are judged on. */
const RHYTHM_HOLDOUT_WEEKS = 4;

/**
 * How far to trust a cell's and a neighbourhood's own weekly rhythm, read from the history itself (empirical Bayes on
 * a time split): the rhythms drawn from the incidents before the last 4 weeks, for each pair of pulls, are judged by
 * how probable they made the 4-hour blocks of those weeks' incidents; the most probable pair wins. Nothing after
 * `at` is read.
 */
export function chooseRhythmShrinks(cols: Columns, at: number): Pick<RiskParams, 'shrink' | 'cityShrink'> {
  const n = cols.area.cells.length;
  const split = countBefore(cols, at - RHYTHM_HOLDOUT_WEEKS * WEEK);
  const end = countBefore(cols, at);
  const counts = new Float32Array(n * BLOCKS);
  const own = new Float64Array(n);
  for (let j = 0; j < split; j++) if (cols.cell[j] >= 0) counts[cols.cell[j] * BLOCKS + cols.block[j]]++, own[cols.cell[j]]++;
  let best = { shrink: RHYTHM_SHRINKS[0], cityShrink: CITY_SHRINKS[0] };
  let bestLogLikelihood = -Infinity;
  for (const cityShrink of CITY_SHRINKS) {
    const hood = neighbourhoodRhythm(counts, cols.area, cityShrink);
    const logLikelihood = RHYTHM_SHRINKS.map(() => 0);
    for (let j = split; j < end; j++) {
      const c = cols.cell[j];
      if (c < 0) continue;
      const s = c * BLOCKS + cols.block[j];
      for (let k = 0; k < RHYTHM_SHRINKS.length; k++)
        logLikelihood[k] += Math.log((counts[s] + RHYTHM_SHRINKS[k] * hood[s]) / (own[c] + RHYTHM_SHRINKS[k]));
    }
    logLikelihood.forEach((ll, k) => {
      if (ll > bestLogLikelihood) (bestLogLikelihood = ll), (best = { shrink: RHYTHM_SHRINKS[k], cityShrink });
    });
  }
  return best;
}

/**
 * For each calendar block of the week starting `weekStart`, the block of the weekly rhythm to read: a holiday is
 * read as a Sunday.
 */
export function rhythmBlocks(weekStart: number, holidays?: ReadonlySet<string>): Uint8Array {
  const out = new Uint8Array(BLOCKS);
  for (let b = 0; b < BLOCKS; b++) {
    const day = Math.floor(b / 6);
    out[b] = holidays?.has(localDate(weekStart + day * DAY)) ? 36 + (b % 6) : b;
  }
  return out;
}

/** Expected incidents per cell × calendar block of one week, into `out` (area cells × BLOCKS). */
export function slotScores(rates: Float64Array, profiles: Float32Array, rhythm: Uint8Array, out: Float64Array): Float64Array {
  for (let i = 0; i < rates.length; i++) for (let b = 0; b < BLOCKS; b++) out[i * BLOCKS + b] = rates[i] * profiles[i * BLOCKS + rhythm[b]];
  return out;
}
