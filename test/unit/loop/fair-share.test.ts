import { describe, expect, it } from 'vitest';
import { charge, chooseLane, type Candidate, type LaneClock } from '../../../agent/src/loop/fair-share.ts';

const clock = (fps: number, dueAt = 0): LaneClock => ({ intervalMs: 1000 / fps, finishTag: 0, dueAt });

/** Runs the arithmetic alone: every lane always has a frame, each dispatch costs `serviceMs`. */
function simulate(fps: number[], serviceMs: number, durationMs: number): number[] {
  const clocks = fps.map((f) => clock(f));
  const counts = fps.map(() => 0);
  let vtime = 0;
  for (let now = 0; now < durationMs; ) {
    const c = chooseLane(clocks.map((k): Candidate => ({ clock: k, frameAt: now })), now, vtime);
    if (c === undefined) throw new Error('no choice with frames waiting');
    if ('waitUntil' in c) {
      now = c.waitUntil;
      continue;
    }
    vtime = charge(clocks[c.index], now, vtime);
    counts[c.index]++;
    now += serviceMs;
  }
  return counts.map((n) => n / (durationMs / 1000));
}

describe('fair share', () => {
  it('gives 4 cameras at 5 fps against 10/s capacity 2.5/s each', () => {
    simulate([5, 5, 5, 5], 100, 60_000).forEach((r) => expect(r).toBeCloseTo(2.5, 1));
  });

  it('slows cameras with different targets in proportion: 10 and 2 fps against 6/s → 5 and 1', () => {
    const [a, b] = simulate([10, 2], 1000 / 6, 60_000);
    expect(a).toBeCloseTo(5, 1);
    expect(b).toBeCloseTo(1, 1);
  });

  it('holds every camera to its own target when there is room', () => {
    const rates = simulate([5, 2, 0.5], 10, 60_000);
    expect(rates[0]).toBeCloseTo(5, 1);
    expect(rates[1]).toBeCloseTo(2, 1);
    expect(rates[2]).toBeCloseTo(0.5, 1);
  });

  it('waits for the earliest rate gate when every waiting lane is early', () => {
    const c = chooseLane([{ clock: clock(5, 300), frameAt: 0 }, { clock: clock(5, 250), frameAt: 0 }, { clock: clock(5, 100), frameAt: undefined }], 200, 0);
    expect(c).toEqual({ waitUntil: 250 });
  });

  it('chooses nothing when no lane has a frame', () => {
    expect(chooseLane([{ clock: clock(5), frameAt: undefined }], 0, 0)).toBeUndefined();
  });

  it('serves the older frame first among equal tags', () => {
    const c = chooseLane([{ clock: clock(5), frameAt: 90 }, { clock: clock(5), frameAt: 40 }], 100, 0);
    expect(c).toEqual({ index: 1 });
  });

  it('does not let a camera that was idle catch up with a burst', () => {
    const busy = clock(5);
    const idle = clock(5);
    let vtime = 0;
    for (let i = 0; i < 50; i++) vtime = charge(busy, i * 200, vtime);
    // The idle lane's old finish tag is lifted to the current virtual time: it alternates with the busy lane.
    const order: number[] = [];
    for (let i = 0; i < 6; i++) {
      const now = 10_000 + i * 200;
      const c = chooseLane([{ clock: busy, frameAt: now }, { clock: idle, frameAt: now }], now, vtime);
      if (c === undefined || 'waitUntil' in c) throw new Error('expected a lane');
      vtime = charge([busy, idle][c.index], now, vtime);
      order.push(c.index);
    }
    expect(order.filter((i) => i === 1)).toHaveLength(3);
  });
});
