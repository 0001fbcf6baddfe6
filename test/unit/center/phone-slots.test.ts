import { describe, expect, it } from 'vitest';
import { compass, slotAway, slotsAhead, slotWhen, trendWord } from '../../../agent/src/center/phone/slots.ts';

const HOUR = 3_600_000;
/** 2026-03-02 22:30 in Shanghai (UTC+8). */
const NOW = Date.parse('2026-03-02T22:30:00+08:00');
const at = (iso: string) => Date.parse(`${iso}+08:00`);

describe("the officer's patrol slots as he reads them", () => {
  it('keeps the slots not yet over, earliest first', () => {
    const slot = (start: number, expected = 1) => ({ start, end: start + 4 * HOUR, expected });
    const plan = { slots: [slot(at('2026-03-03T08:00')), slot(at('2026-03-02T12:00')), slot(at('2026-03-02T20:00'))] };
    expect(slotsAhead(plan as never, NOW).map((s) => s.start)).toEqual([at('2026-03-02T20:00'), at('2026-03-03T08:00')]);
  });

  it("reads a slot on the city's clock: today or tomorrow, its hours, under way or not; a block ending at midnight ends at 24:00", () => {
    expect(slotWhen({ start: at('2026-03-02T20:00'), end: at('2026-03-03T00:00') }, 480, NOW)).toEqual({
      day: 0,
      from: '20:00',
      to: '24:00',
      current: true,
    });
    expect(slotWhen({ start: at('2026-03-03T04:00'), end: at('2026-03-03T08:00') }, 480, NOW)).toEqual({
      day: 1,
      from: '04:00',
      to: '08:00',
      current: false,
    });
  });

  it('says which way and how far the cell lies from his fix, and nothing without one', () => {
    const me = { lon: 121.47, lat: 31.23 };
    expect(compass(me, { lon: 121.47, lat: 31.24 })).toBe('n');
    expect(compass(me, { lon: 121.48, lat: 31.23 })).toBe('e');
    expect(compass(me, { lon: 121.46, lat: 31.22 })).toBe('sw');
    const away = slotAway({ centre: { lon: 121.47, lat: 31.2327 } }, me);
    expect(away?.dir).toBe('n');
    expect(away?.metres).toBeCloseTo(300, -1);
    expect(slotAway({ centre: { lon: 121.47, lat: 31.24 } }, null)).toBeNull();
  });

  it('calls a trend rising or falling from a fifth above or below the usual rate', () => {
    expect([1.3, 0.7, 1.1, null].map(trendWord)).toEqual(['rising', 'falling', 'steady', null]);
  });
});
