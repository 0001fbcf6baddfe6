import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { runBacktest } from '../risk/backtest.ts';
import { fitRiskModel } from '../risk/fit.ts';
import { importIncidentFile } from '../risk/import-file.ts';
import { type Incident, IncidentLog } from '../risk/incident.ts';
import { type PatrolArea, planPatrols } from '../risk/plan.ts';
import { formatBacktest, formatPlan } from '../risk/report.ts';
import { HOUR, parseLocal } from '../risk/time.ts';
import { type Command, defineCommand, type Io, UsageError, UserError } from './command.ts';

const COMMON = `  --cell M          grid cell size in metres (default 250)
  --category A,B    only these categories (default: all)
  --holidays D,D    local dates (YYYY-MM-DD) whose rhythm is a Sunday's
  --drop-point LAT,LON  drop the records at this point, to the decimals given (a geocoder's
                    fallback, e.g. a city centre); repeatable
`;

const commonOptions = {
  cell: { type: 'string', default: '250' },
  category: { type: 'string' },
  holidays: { type: 'string' },
  'drop-point': { type: 'string', multiple: true },
} as const;

interface Common {
  cell: string;
  category?: string;
  holidays?: string;
  'drop-point'?: string[];
}

/** Problems printed before the run gives up on listing them. */
const SHOWN_PROBLEMS = 20;

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} expects a positive number, got "${value}"`);
  return n;
}

function localOption(name: string, value: string): number {
  const t = parseLocal(value);
  if (t === undefined) throw new UsageError(`--${name} expects a local date YYYY-MM-DD or YYYY-MM-DDTHH:MM, got "${value}"`);
  return t;
}

/** Reads the incident logs, names every skipped line on stderr, applies the filters and says what is left. */
async function loadIncidents(files: string[], v: Common, io: Io): Promise<Incident[]> {
  const log = new IncidentLog();
  for (const file of files) {
    const r = await importIncidentFile(file, log);
    for (const p of r.problems.slice(0, SHOWN_PROBLEMS)) io.err.write(`${p}\n`);
    if (r.problems.length > SHOWN_PROBLEMS) io.err.write(`${file}: … and ${r.problems.length - SHOWN_PROBLEMS} more problems\n`);
    io.out.write(
      `${file}: ${r.records} records, ${r.added} incidents added, ${r.duplicates} duplicates, ${r.records - r.added - r.duplicates} lines skipped\n`,
    );
  }
  const categories = v.category ? new Set(v.category.split(',').map((c) => c.trim())) : undefined;
  const dropped = (v['drop-point'] ?? []).map(dropPoint);
  const kept = log.incidents.filter(
    (i) =>
      (!categories || categories.has(i.category)) &&
      !dropped.some((d) => Math.abs(d.lat - i.lat) <= d.tolerance && Math.abs(d.lon - i.lon) <= d.tolerance),
  );
  io.out.write(
    `using ${kept.length} incidents${categories ? ` of ${[...categories].join(', ')}` : ''}${dropped.length ? ` (${log.incidents.length - kept.length} dropped)` : ''}\n`,
  );
  if (kept.length === 0) throw new UserError('no incidents left to work on');
  return kept;
}

/** `LAT,LON` matching every record that rounds to it at the decimals given (`29.7633` holds 29.763284). */
function dropPoint(s: string): { lat: number; lon: number; tolerance: number } {
  const parts = s.split(',');
  const [lat, lon] = parts.map(Number);
  if (parts.length !== 2 || !Number.isFinite(lat) || !Number.isFinite(lon))
    throw new UsageError(`--drop-point expects LAT,LON, got "${s}"`);
  const decimals = Math.min(...parts.map((p) => p.split('.')[1]?.length ?? 0));
  return { lat, lon, tolerance: 0.5 * 10 ** -decimals + 1e-9 };
}

const holidaysOf = (v: Common) => (v.holidays ? new Set(v.holidays.split(',').map((d) => d.trim())) : undefined);

const backtest = defineCommand({
  usage: `usage: jifang risk backtest FILE... [--cell M] [--from DATE] [--weeks N] [options]

  Replays history week by week: chooses the model's weights on the earlier weeks, then for each reported week fits
  the model and the naive baselines (uniform, last week, all history, weighted history) on everything before it
  and prints their hit rates at 1/5/10 % of the area, accuracy index and discovery rate at 100 and 300 slots.
  --from DATE       first reported week: the first starting (Monday) on or after DATE (default: halfway)
  --weeks N         report N weeks (default: to the end of the data)
${COMMON}`,
  options: { ...commonOptions, from: { type: 'string' }, weeks: { type: 'string' } },
  positionals: { min: 1, missing: 'an incident log FILE (CSV or JSON lines)' },
  async run({ values, positionals }, io) {
    const cellMeters = positive('cell', values.cell);
    const from = values.from === undefined ? undefined : localOption('from', values.from);
    const weeks = values.weeks === undefined ? undefined : positive('weeks', values.weeks);
    const incidents = await loadIncidents(positionals, values, io);
    const result = (() => {
      try {
        return runBacktest(incidents, { cellMeters, from, weeks, holidays: holidaysOf(values) });
      } catch (err) {
        throw new UserError((err as Error).message);
      }
    })();
    io.out.write(formatBacktest(result));
    return 0;
  },
});

const areasSchema = z.array(
  z.object({
    id: z.string().min(1),
    polygon: z.array(z.object({ lat: z.number(), lon: z.number() })).min(3),
  }),
);

async function readAreas(file: string): Promise<PatrolArea[]> {
  const r = areasSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new UserError(`${file}: ${issue.path.join('.')}: expected a list of {id, polygon: [{lat, lon}, …≥3]} (${issue.message})`);
  }
  return r.data;
}

const plan = defineCommand({
  usage: `usage: jifang risk plan FILE... --budget N --from DATE [--hours H] [--areas FILE] [options]

  Fits the model on the incidents before DATE (weights chosen on the 8 weeks before it) and prints the N patrol
  slots (cell × 4-hour block) with the most expected incidents in the H hours from DATE, per area with --areas,
  and the cells where patrols can be thinned.
  --budget N        slots to plan (per area with --areas)
  --from DATE       local start, YYYY-MM-DD or YYYY-MM-DDTHH:MM
  --hours H         length of the plan (default 168: a week)
  --areas FILE      JSON: [{"id": "…", "polygon": [{"lat": …, "lon": …}, …]}, …]
${COMMON}`,
  options: {
    ...commonOptions,
    budget: { type: 'string' },
    from: { type: 'string' },
    hours: { type: 'string', default: '168' },
    areas: { type: 'string' },
  },
  positionals: { min: 1, missing: 'an incident log FILE (CSV or JSON lines)' },
  async run({ values, positionals }, io) {
    if (values.budget === undefined || values.from === undefined) throw new UsageError('--budget and --from are required');
    const budget = positive('budget', values.budget);
    if (!Number.isInteger(budget)) throw new UsageError(`--budget expects a whole number, got "${values.budget}"`);
    const from = localOption('from', values.from);
    const to = from + positive('hours', values.hours) * HOUR;
    const areas = values.areas ? await readAreas(values.areas) : undefined;
    const incidents = await loadIncidents(positionals, values, io);
    const model = (() => {
      try {
        return fitRiskModel(incidents, { cellMeters: positive('cell', values.cell), at: from, holidays: holidaysOf(values) });
      } catch (err) {
        throw new UserError((err as Error).message);
      }
    })();
    io.out.write(formatPlan(planPatrols(model, { from, to, budget, areas })));
    return 0;
  },
});

/** `jifang risk`: where and when to patrol, from incident logs. */
export const command = defineCommand({
  summary: { args: 'backtest|plan FILE...', text: 'where and when to patrol: backtest the risk model, plan patrols' },
  usage: `usage: jifang risk backtest|plan ...

  backtest FILE...   replay history week by week: the model against naive baselines
  plan FILE...       the patrol slots for a time range and a budget, and where patrols can be thinned
`,
  subcommands: { backtest: backtest as Command, plan: plan as Command },
});
