import { describe, expect, it } from 'vitest';
import { createTracker } from '../../../agent/src/track/tracker.ts';
import type { Track } from '../../../agent/src/track/types.ts';
import { box, det, frames, jitter, seeded, shift } from './scene.ts';

const T0 = Date.UTC(2025, 4, 6, 2, 0, 0);
const FPS = 5;
const car = box(200, 150, 120, 60);

describe('tracker', () => {
  it('keeps one id for a parked car through detector jitter and a 2-second miss', () => {
    const tracker = createTracker();
    const rnd = seeded(1);
    const seen = new Set<number>();
    let during: Track[] = [];
    for (const at of frames(T0, 20, FPS)) {
      const missing = at >= T0 + 8000 && at < T0 + 10_000;
      const out = tracker.update(missing ? [] : [det('car', jitter(car, 0.04, rnd))], at);
      if (missing) during = out;
      out.forEach((t) => seen.add(t.id));
    }
    expect(seen.size).toBe(1);
    expect(during.map((t) => t.state)).toEqual(['lost']);
  });

  it('follows two cars that pass each other, by their motion', () => {
    const tracker = createTracker();
    const a = box(0, 100, 80, 40);
    const b = box(560, 110, 80, 40);
    const ids: { a: Set<number>; b: Set<number> } = { a: new Set(), b: new Set() };
    frames(T0, 6, FPS).forEach((at, i) => {
      const out = tracker.update([det('car', shift(a, i * 20, 0)), det('car', shift(b, -i * 20, 0))], at);
      for (const t of out) (t.velocity.x > 0 ? ids.a : ids.b).add(t.id);
    });
    expect(ids.a.size).toBe(1);
    expect(ids.b.size).toBe(1);
    expect([...ids.a][0]).not.toBe([...ids.b][0]);
  });

  it('keeps an object alive on low-score detections, but never starts a track from them', () => {
    const tracker = createTracker();
    const ghost = box(500, 50, 30, 30);
    const seen = new Set<number>();
    frames(T0, 10, FPS).forEach((at) => {
      const occluded = at >= T0 + 3000 && at < T0 + 8000;
      const out = tracker.update([det('car', car, occluded ? 0.3 : 0.85), det('person', ghost, 0.3)], at);
      out.forEach((t) => seen.add(t.id));
      if (occluded) expect(out.map((t) => t.state)).toEqual(['tracked']);
    });
    expect(seen.size).toBe(1);
  });

  it('does not report a single-frame false detection', () => {
    const tracker = createTracker();
    expect(tracker.update([det('car', car)], T0)).toEqual([]);
    expect(tracker.update([], T0 + 200)).toEqual([]);
    expect(tracker.update([det('car', car)], T0 + 400)).toEqual([]);
    expect(tracker.update([det('car', car)], T0 + 600)).toHaveLength(1);
  });

  it('forgets an object missing longer than maxLostSeconds: it comes back with a new id', () => {
    const tracker = createTracker({ maxLostSeconds: 2 });
    tracker.update([det('car', car)], T0);
    const [first] = tracker.update([det('car', car)], T0 + 200);
    expect(tracker.update([], T0 + 2100)).toHaveLength(1);
    expect(tracker.update([], T0 + 2300)).toEqual([]);
    tracker.update([det('car', car)], T0 + 2500);
    const [again] = tracker.update([det('car', car)], T0 + 2700);
    expect(again.id).not.toBe(first.id);
  });

  it('a parked car stays stationary since it stopped; a creeping car never settles', () => {
    const tracker = createTracker();
    const rnd = seeded(7);
    let parked: Track | undefined;
    let creeping: Track | undefined;
    const slow = box(0, 250, 120, 60);
    frames(T0, 60, FPS).forEach((at, i) => {
      // The creeping car moves at 8 px/s, a third of its length every 5 s, as in a queue.
      const out = tracker.update([det('car', jitter(car, 0.03, rnd)), det('truck', jitter(shift(slow, (i * 8) / FPS, 0), 0.03, rnd))], at);
      parked = out.find((t) => t.label === 'car');
      creeping = out.find((t) => t.label === 'truck');
    });
    const end = T0 + 60_000;
    expect(parked!.stationarySince).toBe(T0);
    expect(end - creeping!.stationarySince).toBeLessThan(10_000);
  });

  it('keeps a bounded history of box and time per track', () => {
    const tracker = createTracker({ historySeconds: 4 });
    let last: Track[] = [];
    for (const at of frames(T0, 10, FPS)) last = tracker.update([det('car', car)], at);
    const h = last[0].history;
    expect(h[h.length - 1].at).toBe(T0 + 9800);
    expect(h[0].at).toBeGreaterThanOrEqual(T0 + 9800 - 4000);
    expect(h.every((s) => s.box.x1 === car.x1)).toBe(true);
  });

  it('rejects time going backwards and malformed boxes with a clear error', () => {
    const tracker = createTracker();
    tracker.update([], T0);
    expect(() => tracker.update([], T0 - 1)).toThrow(/time went backwards/);
    expect(() => tracker.update([det('car', { x1: 10, y1: 10, x2: 5, y2: 20 })], T0 + 1)).toThrow(
      /detection 0 \(car\): expected a box with finite x1 < x2/,
    );
    expect(() => createTracker({ lowScore: 0.6, highScore: 0.5 })).toThrow(/lowScore/);
  });
});
