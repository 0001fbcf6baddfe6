import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../agent/src/core/backoff.ts';

const policy = { initialMs: 1000, maxMs: 30_000 };

describe('backoffDelayMs', () => {
  it('doubles from about one second to the 30 s cap', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelayMs(a, policy, mid))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('spreads retries by ±20 % but never beyond the cap', () => {
    expect(backoffDelayMs(2, policy, () => 0)).toBe(3200);
    expect(backoffDelayMs(2, policy, () => 0.999999)).toBeCloseTo(4800, 0);
    expect(backoffDelayMs(8, policy, () => 0)).toBe(24_000);
    expect(backoffDelayMs(8, policy, () => 0.999999)).toBe(30_000);
  });
});
