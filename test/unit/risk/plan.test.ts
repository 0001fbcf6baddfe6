import { describe, expect, it } from 'vitest';
import { latLonInPolygon } from '../../../agent/src/core/geometry.ts';
import { fitRiskModel } from '../../../agent/src/risk/fit.ts';
import { cellCentre } from '../../../agent/src/risk/grid.ts';
import { DEFAULT_PARAMS } from '../../../agent/src/risk/model.ts';
import { planPatrols } from '../../../agent/src/risk/plan.ts';
import { HOUR, localTime, WEEK, weekStart } from '../../../agent/src/risk/time.ts';
import { syntheticCity } from '../../helpers/synthetic-city.ts';

const incidents = syntheticCity({ weeks: 16 });
const from = weekStart(Math.max(...incidents.map(localTime)));
const model = fitRiskModel(incidents, { at: from });
/** A strip of the city between two longitudes. */
const strip = (id: string, west: number, east: number) => ({
  id,
  polygon: [31.19, 31.28, 31.28, 31.19].map((lat, k) => ({ lat, lon: k >= 2 ? east : west })),
});
const west = strip('west', 121.44, 121.49);
const east = strip('east', 121.49, 121.54);

describe('patrol plan', () => {
  it('plans exactly the budget, best slots first, each a 4-hour block inside the range', () => {
    const plan = planPatrols(model, { from: from + HOUR, to: from + WEEK, budget: 25 });
    expect(plan.slots).toHaveLength(25);
    const expected = plan.slots.map((s) => s.expected);
    expect(expected).toEqual([...expected].sort((a, b) => b - a));
    for (const s of plan.slots) {
      expect(s.start).toBeGreaterThanOrEqual(from + HOUR);
      expect(s.end).toBeLessThanOrEqual(from + WEEK);
      expect(s.end - s.start).toBe(4 * HOUR);
      expect(s.start % (4 * HOUR)).toBe(0);
    }
    expect(new Set(plan.slots.map((s) => `${s.cell}@${s.start}`)).size).toBe(25);
  });

  it('its slots sit where the planted stalls and the market are, at their hours', () => {
    const plan = planPatrols(model, { from, to: from + WEEK, budget: 20 });
    // The pattern as planted (every week's stall and market incidents), not one week's draw of a habit that comes
    // about 1.5 times a week: that draw misses a third of well-placed slots whatever the model.
    const planted = syntheticCity({ weeks: 17 }).filter((i) => i.source !== 'background');
    const ofWeek = (t: number) => t - weekStart(t);
    const onPattern = (s: (typeof plan.slots)[number]) =>
      planted.some(
        (i) =>
          Math.abs(i.lat - s.centre.lat) < 0.004 &&
          Math.abs(i.lon - s.centre.lon) < 0.004 &&
          ofWeek(localTime(i)) >= ofWeek(s.start) - 4 * HOUR &&
          ofWeek(localTime(i)) < ofWeek(s.start) + 8 * HOUR,
      );
    expect(plan.slots.filter(onPattern).length).toBeGreaterThanOrEqual(18);
  });

  it('gives each area its own budget, with slots only inside it', () => {
    const plan = planPatrols(model, { from, to: from + 24 * HOUR, budget: 6, areas: [west, east] });
    expect(plan.slots.filter((s) => s.area === 'west')).toHaveLength(6);
    expect(plan.slots.filter((s) => s.area === 'east')).toHaveLength(6);
    for (const s of plan.slots) expect(latLonInPolygon(s.centre, s.area === 'west' ? west.polygon : east.polygon)).toBe(true);
  });

  it('a cell whose centre lies on the border of two neighbouring areas is planned in exactly one of them, the east one', () => {
    const centres = Array.from(model.area.cells, (c) => cellCentre(model.area.grid, c));
    const border = centres[Math.floor(centres.length / 2)].lon;
    const lats = centres.map((c) => c.lat);
    const [south, north] = [Math.min(...lats) - 0.01, Math.max(...lats) + 0.01];
    const band = (id: string, w: number, e: number) => ({
      id,
      polygon: [south, north, north, south].map((lat, k) => ({ lat, lon: k >= 2 ? e : w })),
    });
    const areas = [band('w', 121, border), band('e', border, 122)];
    // One 4-hour block and a budget of every cell: each area's slots are all of its cells.
    const plan = planPatrols(model, { from, to: from + 4 * HOUR, budget: model.area.cells.length, areas });
    const onBorder = plan.slots.filter((s) => s.centre.lon === border);
    expect(onBorder.length).toBeGreaterThan(0);
    expect(onBorder.every((s) => s.area === 'e')).toBe(true);
    expect(plan.slots.map((s) => s.cell).sort((a, b) => a - b)).toEqual(Array.from(model.area.cells).sort((a, b) => a - b));
  });

  it('lists busy cells gone quiet as the places where patrols can be thinned', () => {
    const stallOnly = incidents.filter((i) => i.source !== 'stall' || localTime(i) < from - 6 * WEEK);
    const quiet = fitRiskModel(stallOnly, { at: from, params: { ...DEFAULT_PARAMS, mix: [0, 1, 0], halfLifeWeeks: 2 } });
    const plan = planPatrols(quiet, { from, to: from + WEEK, budget: 10 });
    expect(plan.thin.length).toBeGreaterThan(0);
    for (const t of plan.thin) expect(t.forecastPerWeek).toBeLessThan(t.longRunPerWeek / 2);
    expect(planPatrols(model, { from, to: from + WEEK, budget: 10 }).thin.length).toBeLessThan(plan.thin.length);
  });

  it('refuses a budget that is not a whole number', () => {
    expect(() => planPatrols(model, { from, to: from + WEEK, budget: 2.5 })).toThrow(/budget: expected a whole number/);
  });
});
