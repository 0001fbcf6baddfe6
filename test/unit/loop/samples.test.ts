import { describe, expect, it } from 'vitest';
import { RateMeter } from '../../../agent/src/loop/rate.ts';
import { quantile, SampleWindow } from '../../../agent/src/loop/samples.ts';

describe('SampleWindow', () => {
  it('summarises an interval and starts a new one', () => {
    const w = new SampleWindow();
    for (let i = 1; i <= 100; i++) w.add(i);
    expect(w.drain()).toEqual({ count: 100, meanMs: 50.5, p50Ms: 50, p90Ms: 90, p99Ms: 99, maxMs: 100 });
    expect(w.drain()).toBeUndefined();
    w.add(7);
    expect(w.drain()).toMatchObject({ count: 1, p99Ms: 7, maxMs: 7 });
  });

  it('keeps exact count, mean and max beyond its capacity, percentiles over the latest samples', () => {
    const w = new SampleWindow(10);
    for (let i = 1; i <= 1000; i++) w.add(i);
    expect(w.drain()).toEqual({ count: 1000, meanMs: 500.5, p50Ms: 995, p90Ms: 999, p99Ms: 1000, maxMs: 1000 });
  });

  it('nearest-rank quantile', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('RateMeter', () => {
  it('measures events per second over the window', () => {
    const m = new RateMeter(10_000, 10, 0);
    for (let t = 0; t < 20_000; t += 200) m.mark(t);
    expect(m.perSecond(19_999)).toBeCloseTo(5, 5);
  });

  it('uses its lifetime while younger than the window, and falls to zero when events stop', () => {
    const m = new RateMeter(10_000, 10, 0);
    for (let t = 0; t < 2000; t += 500) m.mark(t);
    expect(m.perSecond(2000)).toBe(2);
    expect(m.perSecond(30_000)).toBe(0);
  });
});
