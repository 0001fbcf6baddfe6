import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../agent/src/risk/backtest.ts';
import { localTime, WEEK } from '../../../agent/src/risk/time.ts';
import { syntheticCity } from '../../helpers/synthetic-city.ts';

const incidents = syntheticCity();
const result = runBacktest(incidents, { cellMeters: 250 });
const first = result.reportWeeks[0];
const end = result.reportWeeks[result.reportWeeks.length - 1] + WEEK;
const reported = incidents.filter((i) => localTime(i) >= first && localTime(i) < end);
const plantedShare = reported.filter((i) => i.source !== 'background').length / reported.length;

describe('risk backtest on a synthetic city with planted stalls and a market', () => {
  it('the model finds the planted places: its hit rate at 5 % of the area is near the planted share', () => {
    expect(result.reportWeeks.length).toBeGreaterThanOrEqual(10);
    // The top 5 % of cells holds the planted spots plus the background that happens to fall in them.
    expect(result.summary.model.hit5.mean).toBeGreaterThan(plantedShare - 0.02);
    expect(result.summary.model.hit5.mean).toBeLessThan(plantedShare + 0.08);
  });

  it('uniform and last week (the stalls come about once a week) stay clearly below the model', () => {
    expect(result.summary.uniform.hit5.mean).toBeCloseTo(0.05, 2);
    expect(result.summary.model.hit5.low).toBeGreaterThan(result.summary.uniform.hit5.high + 0.1);
    expect(result.summary.model.hit5.low).toBeGreaterThan(result.summary['last week'].hit5.high + 0.05);
    expect(result.summary.model.disc100.low).toBeGreaterThan(result.summary['last week'].disc100.high + 0.1);
  });

  it('reports every method on every reported week and the model against the best baseline per metric', () => {
    for (const m of ['model', 'uniform', 'last week', 'all history', 'weighted history'] as const)
      expect(result.perWeek[m]).toHaveLength(result.reportWeeks.length);
    const best = result.paired.hit5.against;
    expect(best).not.toBe('model');
    expect(result.paired.hit5.diff.mean).toBeCloseTo(result.summary.model.hit5.mean - result.summary[best].hit5.mean, 10);
  });

  it('replays only complete weeks after the ones the weights were chosen on', () => {
    expect(result.tuningWeeks[result.tuningWeeks.length - 1] + WEEK).toBe(first);
    expect(new Date(first).getUTCDay()).toBe(1);
  });

  it('reports from the given week for the given number of weeks', () => {
    const r = runBacktest(incidents, { cellMeters: 250, from: result.reportWeeks[3], weeks: 2 });
    expect(r.reportWeeks).toEqual(result.reportWeeks.slice(3, 5));
    expect(r.tuningWeeks.length).toBe(result.tuningWeeks.length + 3);
  });
});
