import { AREA_SHARES, BASELINES, type BacktestResult, type Method, type Metric } from './backtest.ts';
import type { Estimate } from './metrics.ts';
import type { PatrolPlan } from './plan.ts';
import { localDate, WEEK } from './time.ts';

const pct = (v: number) => (100 * v).toFixed(1);
const signed = (v: number, digits = 1) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(digits)}`;
const interval = (e: Estimate) => `${pct(e.mean)} [${pct(e.low)}–${pct(e.high)}]`;
const LABEL: Record<Metric, string> = { hit1: 'hit@1%', hit5: 'hit@5%', hit10: 'hit@10%', disc100: 'disc@100', disc300: 'disc@300' };
const range = (weeks: readonly number[]) => `${localDate(weeks[0])} … ${localDate(weeks[weeks.length - 1] + WEEK - 1)}`;

function verdict(e: Estimate): string {
  if (e.low > 0) return 'better, beyond the interval';
  if (e.high < 0) return 'worse, beyond the interval';
  return 'not distinguishable (the interval holds 0)';
}

/** The backtest as the CLI prints it: the table of methods, then the model against the best baseline per metric. */
export function formatBacktest(r: BacktestResult): string {
  const p = r.tuned.params;
  const km2 = (r.areaCells * r.cellMeters ** 2) / 1e6;
  const lines = [
    `grid ${r.cellMeters} m; study area ${r.areaCells} cells (${km2.toFixed(0)} km²: cells with an incident before the first reported week, widened by one cell)`,
    `weights chosen on ${r.tuningWeeks.length} earlier weeks (${range(r.tuningWeeks)}): long-run ${p.mix[0]}, recent ${p.mix[1]} (half-life ${p.halfLifeWeeks} weeks), near-repeat ${p.mix[2]}, neighbour smoothing ${p.smoothing}, rhythm pulls (by likelihood on the last 4 of those weeks) cell → neighbourhood ${p.shrink}, neighbourhood → city ${p.cityShrink}; weighted-history baseline half-life ${r.tuned.baselineHalfLife} weeks`,
    `judged on ${r.reportWeeks.length} weeks (${range(r.reportWeeks)}), each predicted from everything before it`,
    "per cent, mean over weeks [95 % bootstrap interval over weeks]; PAI = hit rate ÷ area share; disc@N = share of the week's N best cell × 4-hour slots with ≥1 incident",
    '',
    `${'method'.padEnd(17)}${['hit@1%', 'hit@5%', 'hit@10%'].map((h) => h.padEnd(19)).join('')}${'PAI 1/5/10%'.padEnd(18)}${'disc@100'.padEnd(19)}disc@300`,
  ];
  for (const m of ['model', ...BASELINES] as Method[]) {
    const s = r.summary[m];
    const pai = (['hit1', 'hit5', 'hit10'] as const).map((k) => (s[k].mean / AREA_SHARES[k]).toFixed(1)).join(' / ');
    lines.push(
      `${m.padEnd(17)}${interval(s.hit1).padEnd(19)}${interval(s.hit5).padEnd(19)}${interval(s.hit10).padEnd(19)}${pai.padEnd(18)}${interval(s.disc100).padEnd(19)}${interval(s.disc300)}`,
    );
  }
  lines.push('', 'model − best baseline on each metric, paired week by week (points) [95 % bootstrap interval]:');
  for (const [k, d] of Object.entries(r.paired) as [Metric, BacktestResult['paired'][Metric]][]) {
    lines.push(
      `  ${LABEL[k].padEnd(9)} ${signed(d.diff.mean, 2)} [${signed(d.diff.low, 2)}, ${signed(d.diff.high, 2)}] vs ${d.against}: ${verdict(d.diff)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const time = (local: number) => new Date(local).toISOString().slice(0, 16).replace('T', ' ');
const trend = (recent: number, long: number) => (long > 0 ? `${signed(recent / long - 1)} %` : 'new');

/** The plan as text: one line per slot, best first, then where patrols can be thinned. */
export function formatPlan(plan: PatrolPlan): string {
  const lines = [`patrol plan ${time(plan.from)} → ${time(plan.to)} (local time): ${plan.slots.length} slots`];
  lines.push(`${'area'.padEnd(10)}${'slot'.padEnd(24)}${'cell centre'.padEnd(24)}${'expected'.padEnd(10)}trend (recent vs long-run)`);
  for (const s of plan.slots) {
    lines.push(
      `${(s.area ?? '-').padEnd(10)}${`${time(s.start)}–${time(s.end).slice(11)}`.padEnd(24)}${`${s.centre.lat.toFixed(5)}, ${s.centre.lon.toFixed(5)}`.padEnd(24)}${s.expected.toFixed(2).padEnd(10)}${trend(s.recentPerWeek, s.longRunPerWeek)}`,
    );
  }
  lines.push('', `patrols can be thinned (long-run busy, forecast under half of it): ${plan.thin.length} cells`);
  for (const t of plan.thin) {
    lines.push(
      `${(t.area ?? '-').padEnd(10)}${`${t.centre.lat.toFixed(5)}, ${t.centre.lon.toFixed(5)}`.padEnd(24)}forecast ${t.forecastPerWeek.toFixed(2)}/week, long-run ${t.longRunPerWeek.toFixed(2)}/week`,
    );
  }
  return `${lines.join('\n')}\n`;
}
