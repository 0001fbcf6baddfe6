import { describe, expect, it } from 'vitest';
import { gridAround, studyArea } from '../../../agent/src/risk/grid.ts';
import type { Incident } from '../../../agent/src/risk/incident.ts';
import { chooseRhythmShrinks, columnsOf } from '../../../agent/src/risk/model.ts';
import { localTime, WEEK, weekStart } from '../../../agent/src/risk/time.ts';
import { type CityOptions, syntheticCity } from '../../helpers/synthetic-city.ts';

/** The pulls chosen at the start of the city's last week, from the weeks before it. */
function chosen(city: Partial<CityOptions>, extra: Incident[] = []) {
  const incidents = syntheticCity({ weeks: 16, ...city });
  const at = weekStart(Math.max(...incidents.map(localTime)));
  const area = studyArea(gridAround(incidents, 250), incidents);
  return chooseRhythmShrinks(columnsOf([...incidents, ...extra], area), at);
}

describe("the weekly rhythm's pulls, chosen by likelihood on the history's last weeks", () => {
  it("trusts a cell's own hours where stalls keep them, and not where incidents fall anywhere at any hour", () => {
    const stalls = chosen({ backgroundPerWeek: 40, stalls: 150, stallPerWeek: 4 });
    const background = chosen({ stalls: 0, marketPerDay: 0 });
    expect(stalls.shrink).toBeLessThanOrEqual(30);
    // Background alone: a cell's hours are noise around the city's (both pulls large).
    expect(background.shrink).toBeGreaterThanOrEqual(100);
    expect(background.cityShrink).toBeGreaterThanOrEqual(1000);
  });

  it('reads nothing from the time it is chosen at on', () => {
    const at = weekStart(Math.max(...syntheticCity({ weeks: 16 }).map(localTime)));
    const later = syntheticCity({ weeks: 16, seed: 99 }).map((i) => ({ ...i, time: i.time + 20 * WEEK, sourceId: `later-${i.sourceId}` }));
    expect(later.every((i) => localTime(i) >= at)).toBe(true);
    expect(chosen({}, later)).toEqual(chosen({}));
  });
});
