import type { Incident } from './incident.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
/** Patrol slots and the weekly rhythm are counted in 4-hour blocks: 6 a day, 42 a week. */
export const BLOCK_HOURS = 4;
export const BLOCKS = (7 * 24) / BLOCK_HOURS;
/** 1970-01-05, the first Monday of the epoch. */
const MONDAY = 4 * DAY;

/**
 * The place's wall clock as ms since 1970-01-01 00:00 of that clock: the model reads hours and weekdays where the
 * incident happened, so a record's own offset is all it needs (no time-zone database).
 */
export const localTime = (i: Incident): number => i.time + i.offsetMinutes * 60_000;

/** Monday 00:00 of the local week holding `local`. */
export const weekStart = (local: number): number => Math.floor((local - MONDAY) / WEEK) * WEEK + MONDAY;

export const localDate = (local: number): string => new Date(local).toISOString().slice(0, 10);

/** The 4-hour block of the week (Monday 00–04 is 0); a holiday takes Sunday's blocks, its rhythm is a Sunday's. */
export function blockOf(local: number, holidays?: ReadonlySet<string>): number {
  const sinceMonday = local - weekStart(local);
  const day = holidays?.has(localDate(local)) ? 6 : Math.floor(sinceMonday / DAY);
  return day * 6 + Math.floor((sinceMonday % DAY) / (BLOCK_HOURS * HOUR));
}

/** `2010-05-03` or `2010-05-03T08:00` on the local clock → local ms; undefined when it is neither. */
export function parseLocal(s: string): number | undefined {
  if (!/^\d{4}-\d\d-\d\d(T\d\d:\d\d)?$/.test(s)) return undefined;
  const ms = Date.parse(s.length === 10 ? `${s}T00:00Z` : `${s}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}
