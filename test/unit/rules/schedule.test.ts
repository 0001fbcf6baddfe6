import { describe, expect, it } from 'vitest';
import { scheduleWindowSchema } from '../../../agent/src/rules/config.ts';
import { inSchedule, localTime } from '../../../agent/src/rules/schedule.ts';

const win = (w: unknown) => scheduleWindowSchema.parse(w);
/** A UTC instant given as Shanghai wall time (UTC+8, no DST). */
const shanghai = (y: number, mo: number, d: number, h: number, mi: number) => Date.UTC(y, mo - 1, d, h - 8, mi);
const TZ = 'Asia/Shanghai';

describe('schedules', () => {
  it('reads the weekday and time in the site timezone, not the machine’s', () => {
    // Monday 01:30 in Shanghai is still Sunday in UTC.
    expect(localTime(shanghai(2025, 5, 5, 1, 30), TZ)).toEqual({ day: 'mon', minute: 90 });
    expect(localTime(shanghai(2025, 5, 5, 1, 30), 'UTC')).toEqual({ day: 'sun', minute: 17 * 60 + 30 });
  });

  it('opens Mon–Fri 07:00–20:00 and not at 20:00 or at the weekend', () => {
    const w = [win({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '20:00' })];
    expect(inSchedule(w, shanghai(2025, 5, 6, 7, 0), TZ)).toBe(true);
    expect(inSchedule(w, shanghai(2025, 5, 6, 19, 59), TZ)).toBe(true);
    expect(inSchedule(w, shanghai(2025, 5, 6, 20, 0), TZ)).toBe(false);
    expect(inSchedule(w, shanghai(2025, 5, 6, 6, 59), TZ)).toBe(false);
    expect(inSchedule(w, shanghai(2025, 5, 10, 12, 0), TZ)).toBe(false);
  });

  it('a window crossing midnight belongs to the day it starts on', () => {
    const w = [win({ days: ['fri'], from: '22:00', to: '06:00' })];
    expect(inSchedule(w, shanghai(2025, 5, 9, 23, 0), TZ)).toBe(true); // Friday night
    expect(inSchedule(w, shanghai(2025, 5, 10, 5, 59), TZ)).toBe(true); // Saturday early morning
    expect(inSchedule(w, shanghai(2025, 5, 10, 6, 0), TZ)).toBe(false);
    expect(inSchedule(w, shanghai(2025, 5, 9, 5, 0), TZ)).toBe(false); // Friday early morning belongs to Thursday
  });

  it('00:00–24:00 is the whole day; no schedule means always', () => {
    expect(inSchedule([win({ days: ['sun'], from: '00:00', to: '24:00' })], shanghai(2025, 5, 11, 23, 59), TZ)).toBe(true);
    expect(inSchedule(undefined, 0, TZ)).toBe(true);
  });

  it('rejects windows that say nothing clear', () => {
    expect(() => win({ from: '08:00', to: '08:00' })).toThrow(/to differ \(use 00:00–24:00 for a whole day\)/);
    expect(() => win({ from: '24:00', to: '06:00' })).toThrow(/before 24:00/);
    expect(() => win({ from: '7:00', to: '20:00' })).toThrow(/HH:MM/);
    expect(() => win({ days: ['monday'], from: '07:00', to: '20:00' })).toThrow(/expected a weekday/);
  });
});
