import type { ScheduleWindow } from './params.ts';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  return f;
}

/** Weekday and minute of the day at `at` (ms since epoch) in the given IANA time zone. */
export function localTime(at: number, timezone: string): { day: Day; minute: number } {
  let day: Day | undefined;
  let hour = 0;
  let minute = 0;
  for (const part of formatter(timezone).formatToParts(at)) {
    if (part.type === 'weekday') day = DAYS.find((d) => d === part.value.slice(0, 3).toLowerCase());
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  if (!day) throw new Error(`cannot read the weekday at ${new Date(at).toISOString()} in time zone "${timezone}"`);
  return { day, minute: hour * 60 + minute };
}

export function clockMinutes(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h * 60 + m;
}

/**
 * Whether any window is open at `at` in the site's time zone. A window whose `to` is not after its
 * `from` crosses midnight and belongs to the day it starts on (Fri 22:00–06:00 ends Saturday morning).
 */
export function inSchedule(windows: readonly ScheduleWindow[] | undefined, at: number, timezone: string): boolean {
  if (!windows) return true;
  const { day, minute } = localTime(at, timezone);
  const yesterday = DAYS[(DAYS.indexOf(day) + 6) % 7];
  return windows.some((w) => {
    const from = clockMinutes(w.from);
    const to = clockMinutes(w.to);
    if (from < to) return w.days.includes(day) && minute >= from && minute < to;
    return (w.days.includes(day) && minute >= from) || (w.days.includes(yesterday) && minute < to);
  });
}
