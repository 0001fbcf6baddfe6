import { describe, expect, it } from 'vitest';
import { parseIncidentLog } from '../../../agent/src/risk/incident.ts';
import { rhythmBlocks } from '../../../agent/src/risk/model.ts';
import { blockOf, localTime, parseLocal, weekStart } from '../../../agent/src/risk/time.ts';

describe('risk time: the weekly rhythm is read on the local clock', () => {
  it('places an incident in its 4-hour block of the local week, whatever its offset', () => {
    const log = parseIncidentLog(
      'time,lat,lon,category\n2026-03-02T09:15:00+08:00,31.2,121.4,vending\n2026-03-02T01:15:00Z,51.5,-0.1,parking\n2010-03-14T23:00:00-05:00,29.7,-95.3,theft\n',
      'x',
    ).incidents;
    expect(log.map((i) => blockOf(localTime(i)))).toEqual([2, 0, 41]);
    expect(new Date(weekStart(localTime(log[0]))).toISOString()).toBe('2026-03-02T00:00:00.000Z');
  });

  it('reads a holiday as a Sunday, for the incidents it learns from and the slots it plans', () => {
    const monday9 = parseLocal('2026-10-05T09:00')!;
    expect(blockOf(monday9)).toBe(2);
    expect(blockOf(monday9, new Set(['2026-10-05']))).toBe(36 + 2);
    const rhythm = rhythmBlocks(weekStart(monday9), new Set(['2026-10-05']));
    expect([...rhythm.slice(0, 7)]).toEqual([36, 37, 38, 39, 40, 41, 6]);
    expect(rhythm[41]).toBe(41);
  });

  it('accepts a local date or date and time, nothing else', () => {
    expect(parseLocal('2010-05-03')).toBe(Date.parse('2010-05-03T00:00Z'));
    expect(parseLocal('2010-05-03T08:00')).toBe(Date.parse('2010-05-03T08:00Z'));
    expect(parseLocal('May 3')).toBeUndefined();
    expect(parseLocal('2010-13-03')).toBeUndefined();
  });
});
