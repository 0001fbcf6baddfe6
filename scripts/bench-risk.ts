/**
 * Risk model cost and accuracy (not a test): the fit time for a synthetic year of 500,000 incidents (the nightly
 * refit, with and without choosing the weights again), then `jifang risk backtest` on the Houston crime records as
 * it prints, once as given and once without the city-centre fallback geocode.
 *   npm run bench:risk -- [--incidents-per-week 9600] [--skip-houston]
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCommand } from '../agent/src/cli/command.ts';
import { command as riskCommand } from '../agent/src/cli/risk-command.ts';
import { fitRiskModel } from '../agent/src/risk/fit.ts';
import { DEFAULT_PARAMS } from '../agent/src/risk/model.ts';
import { sharedDir } from '../test/helpers/paths.ts';
import { syntheticCity } from '../test/helpers/synthetic-city.ts';

const { values } = parseArgs({
  options: { 'incidents-per-week': { type: 'string', default: '9600' }, 'skip-houston': { type: 'boolean', default: false } },
});
const perWeek = Number(values['incidents-per-week']);
const load = () => loadavg()[0].toFixed(1);

let t0 = performance.now();
const year = syntheticCity({
  weeks: 52,
  sizeMeters: 20_000,
  backgroundPerWeek: perWeek * 0.88,
  stalls: 480,
  stallPerWeek: 4.4,
  marketPerDay: 40,
});
console.log(
  `synthetic year: ${year.length} incidents on a 20 km × 20 km city, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

/** Wall and CPU seconds of `fn`: on a shared machine the CPU time is the fit's own cost, the wall time what it waited. */
function timed<T>(fn: () => T): { result: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const result = fn();
  const c = process.cpuUsage(c0);
  return { result, wall: (performance.now() - w0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

const fixed: { wall: number; cpu: number }[] = [];
const tuned: { wall: number; cpu: number }[] = [];
for (let rep = 0; rep < 3; rep++) {
  fixed.push(timed(() => fitRiskModel(year, { params: DEFAULT_PARAMS })));
  const t = timed(() => fitRiskModel(year, { tuneWeeks: 8 }));
  tuned.push(t);
  if (rep === 0) console.log(`study area ${t.result.area.cells.length} cells of 250 m; weights chosen: ${JSON.stringify(t.result.params)}`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(2);
const show = (runs: { wall: number; cpu: number }[]) =>
  `${median(runs.map((r) => r.wall))} s wall, ${median(runs.map((r) => r.cpu))} s CPU`;
console.log(`load average now ${load()} on this shared machine (2 cores); median of 3 runs:`);
console.log(`  fit with given weights:               ${show(fixed)}`);
console.log(`  fit choosing the weights on 8 weeks:  ${show(tuned)}`);

const houston = join(sharedDir, 'risk', 'houston_crime_2010.csv');
if (!values['skip-houston'] && existsSync(houston)) {
  const io = { out: process.stdout, err: process.stderr };
  for (const extra of [[], ['--drop-point', '29.7633,-95.3633']]) {
    console.log(`\n$ jifang risk backtest ${[houston, ...extra].join(' ')}`);
    t0 = performance.now();
    await runCommand('risk', riskCommand, ['backtest', houston, ...extra], io);
    console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s, load average ${load()})`);
  }
} else if (!values['skip-houston']) console.log(`\n${houston} not found: no backtest table`);
