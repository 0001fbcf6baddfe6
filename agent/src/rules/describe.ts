import type { TrackLimits } from './limits.ts';
import type { ScheduleWindow } from './params.ts';

const DAY_NAMES: Record<string, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** "45 s", "3 min", "2 h 30 min" */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.round(s / 60);
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "car", "car or truck", "car, truck or bus" */
export function listOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** "Mon–Fri 07:00–20:00", consecutive days collapsed to a range. */
export function describeSchedule(windows: readonly ScheduleWindow[] | undefined): string {
  if (!windows) return 'at all times';
  return `${windows.map((w) => `${dayRanges(w.days)} ${w.from}–${w.to}`).join(', ')} (site time)`;
}

function dayRanges(days: readonly string[]): string {
  const idx = [...new Set(days)].map((d) => WEEK.indexOf(d)).sort((a, b) => a - b);
  if (idx.length === 7) return 'daily';
  const runs: [number, number][] = [];
  for (const i of idx) {
    const last = runs[runs.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  }
  return runs
    .map(([a, b]) =>
      a === b
        ? DAY_NAMES[WEEK[a]]
        : b === a + 1
          ? `${DAY_NAMES[WEEK[a]]}, ${DAY_NAMES[WEEK[b]]}`
          : `${DAY_NAMES[WEEK[a]]}–${DAY_NAMES[WEEK[b]]}`,
    )
    .join(', ');
}

/** The sentence every rule description ends with: when it applies, the score objects need, and when its events end. */
export function describeLifecycle(
  p: { schedule?: readonly ScheduleWindow[]; endAfterSeconds: number; minScore: number },
  limits?: TrackLimits,
): string {
  const scores =
    limits && p.minScore < limits.newTrackScore
      ? `objects scored below ${limits.newTrackScore} are ignored (the tracker's newTrackScore: the rule's minScore ${p.minScore} only keeps objects already followed)`
      : `objects scored below ${p.minScore} are ignored`;
  return `In force ${describeSchedule(p.schedule)}; ${scores}; an event ends once the condition has been false for ${formatDuration(p.endAfterSeconds)}.`;
}
