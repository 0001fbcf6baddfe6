import { describe, expect, it } from 'vitest';
import { charge, chooseLane, type LaneClock, type LaneTurn } from '../../../agent/src/loop/fair-share.ts';

const clock = (fps: number, dueAt = 0): LaneClock => ({ intervalMs: 1000 / fps, finishTag: 0, dueAt });

/** Runs the arithmetic alone: every lane always has a frame, each dispatch costs `serviceMs`. */
function simulate(fps: number[], serviceMs: number, durationMs: number): number[] {
  const clocks = fps.map((f) => clock(f));
  const counts = fps.map(() => 0);
  let vtime = 0;
  for (let now = 0; now < durationMs; ) {
    const c = chooseLane(
      clocks.map((k): LaneTurn => ({ clock: k, frameAt: now })),
      now,
      vtime,
    );
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
  it('with frames in process: a lane ahead in line waits for a running one with an earlier place, not for one behind it', () => {
    const running = { ...clock(5), finishTag: 100 };
    const ahead = { ...clock(5), finishTag: 300 };
    const behind = { ...clock(5), finishTag: 50 };
    // The running lane's place (100) comes before the waiting lane's (300): nothing goes now, even with its slot empty.
    expect(
      chooseLane(
        [
          { clock: running, frameAt: undefined, running: true },
          { clock: ahead, frameAt: 0 },
        ],
        0,
        0,
      ),
    ).toBeUndefined();
    // A waiting lane with an earlier place (50) goes beside the running one.
    expect(
      chooseLane(
        [
          { clock: running, frameAt: 0, running: true },
          { clock: behind, frameAt: 0 },
        ],
        0,
        0,
      ),
    ).toEqual({ index: 1 });
    // A running lane is never chosen, whatever its place.
    expect(chooseLane([{ clock: behind, frameAt: 0, running: true }], 0, 0)).toBeUndefined();
  });

  it('a free lane (its last frame needed no inference) waits for nobody; with every detector place taken only free lanes go', () => {
    const running = { ...clock(5), finishTag: 100 };
    const busy = { ...clock(5), finishTag: 200 };
    const quiet = { ...clock(5), finishTag: 300 };
    const turns: LaneTurn[] = [
      { clock: running, frameAt: undefined, running: true },
      { clock: busy, frameAt: 0 },
      { clock: quiet, frameAt: 0, free: true },
    ];
    // Both waiting lanes are behind the running one: the busy lane waits its turn, the free one goes.
    expect(chooseLane(turns, 0, 0)).toEqual({ index: 2 });
    // With the busy lane first in line and no running lane ahead of it, it goes first as usual.
    expect(chooseLane(turns.slice(1), 0, 0)).toEqual({ index: 0 });
    // Every place taken: the busy lane is not considered at all, the free one is.
    expect(chooseLane(turns.slice(1), 0, 0, true)).toEqual({ index: 1 });
    expect(chooseLane([turns[1]], 0, 0, true)).toBeUndefined();
    // A free lane still keeps to its own rate.
    expect(chooseLane([{ clock: { ...quiet, dueAt: 500 }, frameAt: 0, free: true }], 0, 0, true)).toEqual({ waitUntil: 400 });
  });

  it('gives 4 cameras at 5 fps against 10/s capacity 2.5/s each', () => {
    simulate([5, 5, 5, 5], 100, 60_000).forEach((r) => expect(r).toBeCloseTo(2.5, 1));
  });

  it('slows cameras with different targets in proportion: 10 and 2 fps against 6/s → 5 and 1', () => {
    const [a, b] = simulate([10, 2], 1000 / 6, 60_000);
    expect(a).toBeCloseTo(5, 1);
    expect(b).toBeCloseTo(1, 1);
  });

  it('holds every camera to its own target (+2 % margin for camera clocks) when there is room', () => {
    const rates = simulate([5, 2, 0.5], 10, 60_000);
    [5, 2, 0.5].forEach((target, i) => {
      expect(rates[i]).toBeGreaterThanOrEqual(target);
      // Over 60 s: the first frame, plus one borrowed by the half-interval early allowance.
      expect(rates[i]).toBeLessThanOrEqual(target * 1.02 + 2 / 60);
    });
  });

  it('waits for the earliest rate gate (half an interval before due) when every waiting lane is early', () => {
    const c = chooseLane(
      [
        { clock: clock(5, 500), frameAt: 0 },
        { clock: clock(5, 450), frameAt: 0 },
        { clock: clock(5, 100), frameAt: undefined },
      ],
      200,
      0,
    );
    expect(c).toEqual({ waitUntil: 350 });
  });

  /**
   * One lane with room to spare: frames arrive at `arrivals`; a frame runs as soon as the gate opens, or is replaced
   * (skipped) by the next arrival. Returns each run's wait and the number of skips.
   */
  function gate(fps: number, arrivals: number[]): { waits: number[]; skipped: number } {
    const k = clock(fps, arrivals[0]);
    let vtime = 0;
    let pending: number | undefined;
    const waits: number[] = [];
    let skipped = 0;
    const tryRun = (now: number) => {
      if (pending === undefined) return;
      const c = chooseLane([{ clock: k, frameAt: pending }], now, vtime);
      if (c === undefined || !('index' in c)) return;
      vtime = charge(k, now, vtime);
      waits.push(now - pending);
      pending = undefined;
    };
    for (const at of arrivals) {
      // The gate opened for the waiting frame before this arrival: it ran then.
      const opensAt = k.dueAt - k.intervalMs / 2;
      if (pending !== undefined && opensAt <= at) tryRun(Math.max(pending, opensAt));
      if (pending !== undefined) skipped++;
      pending = at;
      tryRun(at);
    }
    return { waits, skipped };
  }

  it('never holds back frames arriving at the target rate with jitter (12.5 fps capped to 10: 80/160 ms gaps)', () => {
    const arrivals: number[] = [];
    for (let t = 0, i = 0; arrivals.length < 200; i++) arrivals.push((t += i % 4 === 3 ? 160 : 80));
    const capped = gate(10, arrivals);
    expect(capped.skipped).toBe(0);
    expect(Math.max(...capped.waits)).toBeLessThanOrEqual(10);
    const jittered = gate(
      5,
      Array.from({ length: 200 }, (_, i) => i * 200 + ((i * 7919) % 61) - 30),
    );
    expect(jittered.skipped).toBe(0);
    expect(Math.max(...jittered.waits)).toBe(0);
  });

  it('does not hold back a camera whose clock runs 1 % fast', () => {
    const { waits, skipped } = gate(
      5,
      Array.from({ length: 1000 }, (_, i) => i * 198),
    );
    expect(skipped).toBe(0);
    expect(Math.max(...waits)).toBe(0);
  });

  it('holds a burst (frames at twice the target) to about the target, each frame waiting less than one interval', () => {
    const arrivals = Array.from({ length: 1000 }, (_, i) => i * 100);
    const { waits, skipped } = gate(5, arrivals);
    // The last frame may still be waiting.
    expect(1000 - waits.length - skipped).toBeLessThanOrEqual(1);
    // 100 s at 5 fps (+2 % margin): about 510 runs.
    expect(waits.length).toBeGreaterThanOrEqual(500);
    expect(waits.length).toBeLessThanOrEqual(512);
    expect(Math.max(...waits)).toBeLessThan(200);
  });

  it('chooses nothing when no lane has a frame', () => {
    expect(chooseLane([{ clock: clock(5), frameAt: undefined }], 0, 0)).toBeUndefined();
  });

  it('serves the older frame first among equal tags', () => {
    const c = chooseLane(
      [
        { clock: clock(5), frameAt: 90 },
        { clock: clock(5), frameAt: 40 },
      ],
      100,
      0,
    );
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
      const c = chooseLane(
        [
          { clock: busy, frameAt: now },
          { clock: idle, frameAt: now },
        ],
        now,
        vtime,
      );
      if (c === undefined || 'waitUntil' in c) throw new Error('expected a lane');
      vtime = charge([busy, idle][c.index], now, vtime);
      order.push(c.index);
    }
    expect(order.filter((i) => i === 1)).toHaveLength(3);
  });
});
