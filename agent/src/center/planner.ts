import { Worker } from 'node:worker_threads';
import type { Logger } from '../core/log.ts';
import { bootstrap } from '../core/worker-entry.ts';
import type { RiskModel } from '../risk/fit.ts';
import type { PatrolArea } from '../risk/plan.ts';
import type { CenterConfig } from './config.ts';
import {
  type DiscoveryWeek,
  discoveryByWeek,
  nearTheCity,
  overall,
  type PlanView,
  planView,
  type RefitInput,
  type RefitOutput,
  slotRows,
} from './patrol-plan.ts';
import type { CenterStore } from './store/types.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** The archive's new events become incidents this often. */
const SYNC_EVERY_MS = 5 * MINUTE;
/** The model learns from the year before the latest incident. */
const HISTORY_MS = 365 * DAY;
/** Weeks of the live discovery figure and of the backtest's beside it. */
const FIGURE_WEEKS = 8;

/** A unit's responsibility area as the patrol units give it (their first ring, [lon, lat]), with its members. */
export interface UnitArea {
  id: string;
  members: readonly string[];
  ring: readonly (readonly [number, number])[];
}

export interface PlannerDeps {
  store: CenterStore;
  risk: CenterConfig['risk'];
  log: Logger;
  /** The units with a responsibility area; none: the plan is for the whole city. */
  units: () => Promise<UnitArea[]>;
  now?: () => number;
}

export interface DiscoveryView {
  budgetPerDay: number;
  live: { weeks: DiscoveryWeek[]; overall: ReturnType<typeof overall> };
  backtest: { weeks: DiscoveryWeek[]; overall: ReturnType<typeof overall> } | null;
}

export interface Planner {
  /** The plan for `days` local days from `from` (ms since the epoch, a local midnight); `area` narrows it to one unit's. */
  plan(q: { from: number; days: number; budget: number; area?: string }): Promise<PlanView | null>;
  /**
   * The slots of the user's unit for `days` local days from the one holding `at` (the day's budget each day); else why
   * there are none: the user is in no unit with an area, or no plan can be made yet (no incidents).
   */
  slotsOf(user: string, at: number, days?: number): Promise<PlanView | 'no-unit' | 'no-plan'>;
  discovery(): Promise<DiscoveryView>;
  /** Archive to incidents, refit, and the next day's plan kept: what the night does. */
  refit(): Promise<void>;
  stop(): void;
}

/** Fits in a worker thread: the center's event loop keeps serving and archiving meanwhile. `running` holds it until it ends. */
function refitInWorker(input: RefitInput, running: Set<Worker>): Promise<RefitOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(bootstrap(new URL('./refit-worker.ts', import.meta.url)), {
      eval: true,
      name: 'jifang-refit',
      workerData: input,
    });
    running.add(worker);
    worker.once('message', (out: RefitOutput) => resolve(out));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      running.delete(worker);
      reject(new Error(`the refit worker exited (code ${code}) without a model`));
    });
  });
}

export const offsetMinutesOf = (utcOffset: string): number =>
  (utcOffset[0] === '-' ? -1 : 1) * (Number(utcOffset.slice(1, 3)) * 60 + Number(utcOffset.slice(4, 6)));

const toArea = (u: UnitArea): PatrolArea => ({ id: u.id, polygon: u.ring.map(([lon, lat]) => ({ lat, lon })) });

/** What the planner's parts share: its deps, the clock, the local day and the units' areas. */
interface PlannerContext {
  d: PlannerDeps;
  now: () => number;
  /** The city's offset from UTC, minutes. */
  offset: number;
  log: Logger;
  sync: () => Promise<{ seen: number; removed: number }>;
  areas: () => Promise<PatrolArea[]>;
  localMidnight: (at: number) => number;
}

/** The latest fit: each refit replaces it, plans and the discovery figure read it. */
interface Fitted {
  model: RiskModel | null;
  backtest: DiscoveryWeek[] | null;
}

function plannerContext(d: PlannerDeps): PlannerContext {
  const now = d.now ?? Date.now;
  const offset = offsetMinutesOf(d.risk.utcOffset);
  return {
    d,
    now,
    offset,
    log: d.log.child({ stage: 'center-plan' }),
    sync: () => d.store.stats.syncArchiveIncidents(offset, (list) => d.store.incidents.saveIncidents(list, now())),
    areas: async () => (await d.units()).filter((u) => u.ring.length >= 3).map(toArea),
    localMidnight: (at) => Math.floor((at + offset * MINUTE) / DAY) * DAY - offset * MINUTE,
  };
}

/** Archive to incidents, a fit in a worker on the last year's, and the next day's plan kept. */
async function fitNow(c: PlannerContext, fitted: Fitted, workers: Set<Worker>): Promise<void> {
  const { d, log, offset } = c;
  const started = c.now();
  const synced = await c.sync();
  const held = await d.store.incidents.listIncidents();
  const near = held.length ? nearTheCity(held) : [];
  if (near.length < held.length) log.warn({ dropped: held.length - near.length }, 'incidents far from the city left out of the model');
  // The year before the latest incident: an imported log of past years is planned on as it stands.
  const latest = near.reduce((m, i) => Math.max(m, i.time), Number.NEGATIVE_INFINITY);
  const incidents = near.filter((i) => i.time > latest - HISTORY_MS);
  if (!incidents.length) {
    fitted.model = null;
    log.info({ synced }, 'no incidents yet: no patrol plan');
    return;
  }
  const out = await refitInWorker(
    {
      incidents,
      at: started + offset * MINUTE,
      cellMeters: d.risk.cellMeters,
      budget: d.risk.dailyBudget * 7,
      weeks: FIGURE_WEEKS,
    },
    workers,
  );
  // The new model serves plans as soon as it is fitted, even when keeping tomorrow's slots fails below.
  fitted.model = out.model;
  fitted.backtest = out.backtest;
  const tomorrow = c.localMidnight(started) + DAY;
  const view = planView(out.model, {
    from: tomorrow,
    to: tomorrow + DAY,
    budget: d.risk.dailyBudget,
    areas: await c.areas(),
    offsetMinutes: offset,
  });
  const kept = await d.store.stats.savePlannedSlots(slotRows(view), started);
  log.info(
    { synced, incidents: incidents.length, params: out.model.params, plannedSlots: kept, ms: c.now() - started },
    'risk model refitted',
  );
}

/** The nightly refit, one a minute after start and the archive sync every few minutes; returns what stops them. */
function scheduleRefits(c: PlannerContext, refit: () => Promise<void>): () => void {
  const { d, log, offset } = c;
  let night: NodeJS.Timeout | undefined;
  let stopped = false;
  const nightly = () => {
    if (stopped) return;
    const local = c.now() + offset * MINUTE;
    const next = Math.floor(local / DAY) * DAY + d.risk.refitHour * 60 * MINUTE;
    const wait = (next > local ? next : next + DAY) - local;
    night = setTimeout(() => {
      refit()
        .catch((err) => log.error({ err }, 'nightly refit failed'))
        .finally(nightly);
    }, wait);
    night.unref();
  };
  nightly();
  // After a restart the next day's plan is kept again (the night's may have been missed); a minute in, not at start.
  const first = setTimeout(() => void refit().catch((err) => log.error({ err }, 'refit after start failed')), MINUTE);
  first.unref();
  const every = setInterval(() => {
    c.sync().catch((err) => log.warn({ err }, 'archive events not yet turned into incidents'));
  }, SYNC_EVERY_MS);
  every.unref();
  return () => {
    stopped = true;
    clearTimeout(night);
    clearTimeout(first);
    clearInterval(every);
  };
}

/** The plan over the units' areas, or one unit's; null while there is no model. */
function planOf(c: PlannerContext, ready: () => Promise<RiskModel | null>): Planner['plan'] {
  return async (q) => {
    const m = await ready();
    if (!m) return null;
    const all = await c.areas();
    const chosen = q.area === undefined ? all : all.filter((a) => a.id === q.area);
    if (q.area !== undefined && !chosen.length) throw new Error(`no unit ${q.area} with a responsibility area`);
    return planView(m, { from: q.from, to: q.from + q.days * DAY, budget: q.budget, areas: chosen, offsetMinutes: c.offset });
  };
}

/** The live discovery of the last FIGURE_WEEKS weeks' planned slots, beside the latest fit's backtest. */
async function discoveryOf(c: PlannerContext, fitted: Fitted, ready: () => Promise<RiskModel | null>): Promise<DiscoveryView> {
  await ready();
  const t = c.now();
  const outcomes = await c.d.store.stats.slotOutcomes({ since: c.localMidnight(t) - FIGURE_WEEKS * 7 * DAY, until: t });
  const live = discoveryByWeek(outcomes, c.offset);
  return {
    budgetPerDay: c.d.risk.dailyBudget,
    live: { weeks: live, overall: overall(live) },
    backtest: fitted.backtest ? { weeks: fitted.backtest, overall: overall(fitted.backtest) } : null,
  };
}

/** The center's patrol planner: the nightly refit on a timer, the archive's events turned incidents every few minutes. */
export function startPlanner(d: PlannerDeps): Planner {
  const c = plannerContext(d);
  const fitted: Fitted = { model: null, backtest: null };
  const workers = new Set<Worker>();
  let fitting: Promise<void> | null = null;

  // One fit at a time: a refit asked for while one runs waits for that one.
  const refit = (): Promise<void> => {
    fitting ??= fitNow(c, fitted, workers).finally(() => {
      fitting = null;
    });
    return fitting;
  };
  const ready = async () => {
    if (!fitted.model) await refit();
    return fitted.model;
  };
  const stopTimers = scheduleRefits(c, refit);
  const plan = planOf(c, ready);

  return {
    plan,
    slotsOf: async (user, at, days = 1) => {
      const unit = (await d.units()).find((u) => u.members.includes(user) && u.ring.length >= 3);
      if (!unit) return 'no-unit';
      // Each day with its own budget: a plan over both days could spend tomorrow's slots on today's past hours.
      const first = c.localMidnight(at);
      const daily = await Promise.all(
        Array.from({ length: days }, (_, i) => plan({ from: first + i * DAY, days: 1, budget: d.risk.dailyBudget, area: unit.id })),
      );
      const [head] = daily;
      if (!head) return 'no-plan';
      return { ...head, to: daily.at(-1)!.to, budget: head.budget * days, slots: daily.flatMap((v) => v?.slots ?? []) };
    },
    discovery: () => discoveryOf(c, fitted, ready),
    refit,
    stop: () => {
      stopTimers();
      for (const w of workers) void w.terminate();
    },
  };
}
