import { describe, expect, it } from 'vitest';
import { bootstrapMean, capturedInTop } from '../../../agent/src/risk/metrics.ts';

describe('risk metrics', () => {
  it('counts what the k best-scored entries hold', () => {
    expect(capturedInTop([5, 1, 3, 0], [2, 7, 1, 9], 2)).toBe(3);
  });

  it('gives tied entries at the cut their expected share: a method that cannot tell cells apart gets the area share', () => {
    expect(capturedInTop([0, 0, 0, 0], [4, 0, 0, 0], 1)).toBe(1);
    expect(capturedInTop([2, 1, 1, 1], [1, 3, 0, 0], 2)).toBe(2);
  });

  it('bootstraps the same interval on every run, around the mean', () => {
    const weeks = [0.2, 0.25, 0.22, 0.3, 0.18, 0.27];
    const a = bootstrapMean(weeks);
    expect(a).toEqual(bootstrapMean(weeks));
    expect(a.low).toBeLessThan(a.mean);
    expect(a.high).toBeGreaterThan(a.mean);
    expect(a.low).toBeGreaterThanOrEqual(0.18);
  });
});
