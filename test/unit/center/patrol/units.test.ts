import { describe, expect, it } from 'vitest';
import type { Unit } from '../../../../agent/src/center/patrol/schema.ts';
import { areaHolds, inDutyHours, memberConflict, proposeUnits, unitStatus } from '../../../../agent/src/center/patrol/units.ts';

const square = (lon: number, lat: number, d = 0.001): [number, number][] => [
  [lon - d, lat - d],
  [lon + d, lat - d],
  [lon + d, lat + d],
  [lon - d, lat + d],
];
const unit = (id: string, o: Partial<Unit>): Unit => ({
  id,
  name: id,
  kind: 'team',
  members: [],
  area: [],
  duty: [],
  status: 'available',
  load: 0,
  ...o,
});
const at = '2026-12-07T08:00:00Z';

describe('patrol units', () => {
  it('proposes the unit whose area holds the spot first, then available units by distance, leaving busy and unplaced ones out', () => {
    const spot = { lon: 121.47, lat: 31.23 };
    const units = [
      unit('far', { position: { lon: 121.48, lat: 31.23, at } }),
      unit('near', { position: { lon: 121.471, lat: 31.23, at } }),
      unit('busy', { status: 'busy', position: { lon: 121.4701, lat: 31.23, at } }),
      unit('nowhere', {}),
      unit('grid', { status: 'en_route', load: 2, area: [square(spot.lon, spot.lat)] }),
    ];
    const p = proposeUnits(units, spot.lon, spot.lat);
    expect(p.map((x) => [x.unitId, x.reason])).toEqual([
      ['grid', 'area'],
      ['near', 'distance'],
      ['far', 'distance'],
    ]);
    expect(p[0]).toMatchObject({ status: 'en_route', load: 2 });
    expect(p[1].distanceM).toBeGreaterThan(90);
    expect(p[1].distanceM).toBeLessThan(100);
    expect(p[1].positionAt).toBe(at);
  });

  it('holds a spot inside any ring of the area, not outside', () => {
    const area = [square(0, 0), square(1, 1)];
    expect(areaHolds(area, 1.0005, 1)).toBe(true);
    expect(areaHolds(area, 0.5, 0.5)).toBe(false);
  });

  it('reads duty hours in the city’s zone, a night shift past midnight included', () => {
    const night = [{ days: [1], from: '22:00', to: '06:00' }];
    // Monday 2026-12-07 23:00 and Tuesday 02:00 in UTC+8.
    expect(inDutyHours(night, Date.parse('2026-12-07T15:00:00Z'), 480)).toBe(true);
    expect(inDutyHours(night, Date.parse('2026-12-07T18:00:00Z'), 480)).toBe(true);
    expect(inDutyHours(night, Date.parse('2026-12-08T15:00:00Z'), 480)).toBe(false);
  });

  it('derives the status from duty and the states of its open orders', () => {
    expect(unitStatus(false, ['on_scene'])).toBe('off_duty');
    expect(unitStatus(true, ['dispatched', 'on_scene'])).toBe('on_scene');
    expect(unitStatus(true, ['accepted'])).toBe('en_route');
    expect(unitStatus(true, [])).toBe('available');
  });

  it('keeps an officer to one unit, a unit free to keep its own members', () => {
    const units = [
      { id: 'team-1', members: ['pat'] },
      { id: 'team-2', members: ['paul'] },
    ];
    expect(memberConflict(units, 'team-3', ['sam', 'paul'])).toBe('members: paul is already a member of unit team-2');
    expect(memberConflict(units, 'team-1', ['pat', 'sam'])).toBeNull();
  });
});
