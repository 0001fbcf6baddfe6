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
  /** The slots of the user's unit for the local day holding `at`, or null when the user is in no unit with an area. */
  slotsOf(user: string, at: number): Promise<PlanView | null>;
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

/** The center's patrol planner: the nightly refit on a timer, the archive's events turned incidents every few minutes. */
export function startPlanner(d: PlannerDeps): Planner {
  const now = d.now ?? Date.now;
  const offset = offsetMinutesOf(d.risk.utcOffset);
  const log = d.log.child({ stage: 'center-plan' });
  let model: RiskModel | null = null;
  let backtest: DiscoveryWeek[] | null = null;
  let fitting: Promise<void> | null = null;
  let night: NodeJS.Timeout | undefined;
  let stopped = false;
  const workers = new Set<Worker>();

  const sync = () => d.store.stats.syncArchiveIncidents(offset, (list) => d.store.incidents.saveIncidents(list, now()));
  const areas = async () => (await d.units()).filter((u) => u.ring.length >= 3).map(toArea);
  const localMidnight = (at: number) => Math.floor((at + offset * MINUTE) / DAY) * DAY - offset * MINUTE;

  const fitNow = async (): Promise<void> => {
    const started = now();
    const synced = await sync();
    const held = await d.store.incidents.listIncidents();
    const near = held.length ? nearTheCity(held) : [];
    if (near.length < held.length) log.warn({ dropped: held.length - near.length }, 'incidents far from the city left out of the model');
    // The year before the latest incident: an imported log of past years is planned on as it stands.
    const latest = near.reduce((m, i) => Math.max(m, i.time), Number.NEGATIVE_INFINITY);
    const incidents = near.filter((i) => i.time > latest - HISTORY_MS);
    if (!incidents.length) {
      model = null;
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
    model = out.model;
    backtest = out.backtest;
    const tomorrow = localMidnight(started) + DAY;
    const view = planView(model, {
      from: tomorrow,
      to: tomorrow + DAY,
      budget: d.risk.dailyBudget,
      areas: await areas(),
      offsetMinutes: offset,
    });
    const kept = await d.store.stats.savePlannedSlots(slotRows(view), started);
    log.info({ synced, incidents: incidents.length, params: model.params, plannedSlots: kept, ms: now() - started }, 'risk model refitted');
  };
  const refit = (): Promise<void> => {
    fitting ??= fitNow().finally(() => {
      fitting = null;
    });
    return fitting;
  };
  const ready = async () => {
    if (!model) await refit();
    return model;
  };

  const nightly = () => {
    if (stopped) return;
    const local = now() + offset * MINUTE;
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
    sync().catch((err) => log.warn({ err }, 'archive events not yet turned into incidents'));
  }, SYNC_EVERY_MS);
  every.unref();

  const plan: Planner['plan'] = async (q) => {
    const m = await ready();
    if (!m) return null;
    const all = await areas();
    const chosen = q.area === undefined ? all : all.filter((a) => a.id === q.area);
    if (q.area !== undefined && !chosen.length) throw new Error(`no unit ${q.area} with a responsibility area`);
    return planView(m, { from: q.from, to: q.from + q.days * DAY, budget: q.budget, areas: chosen, offsetMinutes: offset });
  };

  return {
    plan,
    slotsOf: async (user, at) => {
      const unit = (await d.units()).find((u) => u.members.includes(user) && u.ring.length >= 3);
      if (!unit) return null;
      return plan({ from: localMidnight(at), days: 1, budget: d.risk.dailyBudget, area: unit.id });
    },
    discovery: async () => {
      await ready();
      const t = now();
      const outcomes = await d.store.stats.slotOutcomes({ since: localMidnight(t) - FIGURE_WEEKS * 7 * DAY, until: t });
      const live = discoveryByWeek(outcomes, offset);
      return {
        budgetPerDay: d.risk.dailyBudget,
        live: { weeks: live, overall: overall(live) },
        backtest: backtest ? { weeks: backtest, overall: overall(backtest) } : null,
      };
    },
    refit,
    stop: () => {
      stopped = true;
      clearTimeout(night);
      clearTimeout(first);
      clearInterval(every);
      for (const w of workers) void w.terminate();
    },
  };
}
