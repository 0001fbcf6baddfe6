import { describe, expect, it } from 'vitest';
import { discoveryByWeek, fitForPlan, nearTheCity, planView, replayDiscovery } from '../../../agent/src/center/patrol-plan.ts';
import { latLonInPolygon } from '../../../agent/src/core/geometry.ts';
import { cellOf } from '../../../agent/src/risk/grid.ts';
import { localTime } from '../../../agent/src/risk/time.ts';
import { syntheticCity } from '../../helpers/synthetic-city.ts';

const HOUR = 3_600_000;
const OFFSET = 480;
const incidents = syntheticCity({ weeks: 12 });
const lastLocal = Math.max(...incidents.map(localTime));
const model = fitForPlan(incidents, lastLocal + 1, 250);
/** The local midnight after the data, in ms since the epoch. */
const midnight = Date.parse(`${new Date(lastLocal + 1).toISOString().slice(0, 10)}T00:00:00+08:00`) + 24 * HOUR;

const strip = (id: string, west: number, east: number) => ({
  id,
  polygon: [31.19, 31.28, 31.28, 31.19].map((lat, k) => ({ lat, lon: k >= 2 ? east : west })),
});

describe('the center patrol plan', () => {
  it('plans the budget per area, inside the asked day on the city clock, each slot inside its area with its cell and why', () => {
    const areas = [strip('west', 121.44, 121.49), strip('east', 121.49, 121.54)];
    const v = planView(model, { from: midnight, to: midnight + 24 * HOUR, budget: 7, areas, offsetMinutes: OFFSET });
    expect(v.areas).toEqual(['west', 'east']);
    for (const id of ['west', 'east']) expect(v.slots.filter((s) => s.area === id)).toHaveLength(7);
    for (const s of v.slots) {
      expect(s.start).toBeGreaterThanOrEqual(midnight);
      expect(s.end).toBeLessThanOrEqual(midnight + 24 * HOUR);
      // 4-hour blocks of the local clock: 00, 04, 08 … Beijing time.
      expect(new Date(s.start + OFFSET * 60_000).getUTCHours() % 4).toBe(0);
      expect(latLonInPolygon(s.centre, areas.find((a) => a.id === s.area)!.polygon)).toBe(true);
      expect(s.bounds.south).toBeLessThan(s.centre.lat);
      expect(s.bounds.north).toBeGreaterThan(s.centre.lat);
      expect(s.expected).toBeGreaterThan(0);
      expect(s.trend).toBeCloseTo(s.recentPerWeek / s.longRunPerWeek, 9);
    }
    expect(v.heat.length).toBeGreaterThan(0);
    expect(v.heat[0].perWeek).toBeGreaterThanOrEqual(v.heat.at(-1)!.perWeek);
  });

  it('plans for the whole city when no unit has an area', () => {
    const v = planView(model, { from: midnight, to: midnight + 48 * HOUR, budget: 5, areas: [], offsetMinutes: OFFSET });
    expect(v.areas).toEqual(['city']);
    expect(v.slots).toHaveLength(5);
  });

  it("replays the plan on past weeks: its slots find incidents far more often than the city's average slot", () => {
    const weeks = replayDiscovery(incidents, model, 50, 3);
    expect(weeks).toHaveLength(3);
    for (const w of weeks) expect(w.slots).toBe(50);
    const share = weeks.reduce((s, w) => s + w.found, 0) / 150;
    // The average slot of the city (its cells × 42 blocks a week) over the same weeks, counted directly.
    const firstWeek = Date.parse(`${weeks[0].week}T00:00:00Z`);
    const busy = new Set(
      incidents
        .filter((i) => localTime(i) >= firstWeek && localTime(i) < firstWeek + 3 * 7 * 24 * HOUR)
        .map((i) => `${cellOf(model.area.grid, i.lat, i.lon)}|${Math.floor(localTime(i) / (4 * HOUR))}`),
    );
    const average = busy.size / (model.area.cells.length * 42 * 3);
    expect(share).toBeGreaterThan(5 * average);
  });

  it('counts the live discovery per local week', () => {
    const monday = Date.parse('2026-11-30T00:00:00+08:00');
    const w = discoveryByWeek(
      [
        { start: monday, incidents: 1 },
        { start: monday + 6 * 24 * HOUR + 20 * HOUR, incidents: 0 },
        { start: monday + 7 * 24 * HOUR, incidents: 2 },
      ],
      OFFSET,
    );
    expect(w).toEqual([
      { week: '2026-11-30', slots: 2, found: 1, share: 0.5 },
      { week: '2026-12-07', slots: 1, found: 1, share: 1 },
    ]);
  });

  it('leaves out a record far from the city (a geocoder fallback at 0,0) instead of stretching the grid to it', () => {
    const stray = { ...incidents[0], lat: 0, lon: 0, sourceId: 'stray' };
    const kept = nearTheCity([...incidents, stray]);
    expect(kept).toHaveLength(incidents.length);
    expect(kept).not.toContain(stray);
  });
});
