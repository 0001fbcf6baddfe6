import { describe, expect, it } from 'vitest';
import type { Box } from '../../../agent/src/core/geometry.ts';
import { type PlannedObject, planRegions, type RegionPlanInput, sees } from '../../../agent/src/motion/regions.ts';

const frame = { width: 1280, height: 720 };
const modelInput = { width: 416, height: 416 };
const base: RegionPlanInput = {
  frame,
  modelInput,
  fullFrame: false,
  motion: [],
  objects: [],
  zoneWindows: [],
  now: 100_000,
  recheckSeconds: (label) => (label === 'car' ? 30 : 10),
  mergeScale: 1.6,
};
const box = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });
const parked = (b: Box, lastDetected = 95_000): PlannedObject => ({ box: b, label: 'car', needsLook: false, lastDetected });

describe('planRegions', () => {
  it('nothing moving and nothing due: no inference at all', () => {
    expect(planRegions({ ...base, objects: [parked(box(100, 400, 300, 500))] })).toEqual({ fullFrame: false, regions: [] });
  });

  it('a small motion blob gets one square of the model input size around it, inside the frame', () => {
    const { fullFrame, regions } = planRegions({ ...base, motion: [box(600, 300, 640, 340)] });
    expect(fullFrame).toBe(false);
    expect(regions).toHaveLength(1);
    const [r] = regions;
    expect(r.width).toBe(416);
    expect(r.height).toBe(416);
    expect(r.x <= 600 && r.x + r.width >= 640 && r.y <= 300 && r.y + r.height >= 340).toBe(true);
  });

  it('a blob at the frame edge: the square is shifted into the frame, not cut', () => {
    const [r] = planRegions({ ...base, motion: [box(1250, 690, 1280, 720)] }).regions;
    expect(r).toEqual({ x: 1280 - 416, y: 720 - 416, width: 416, height: 416 });
  });

  it('neighbouring blobs share one inference; far apart ones get one each', () => {
    expect(planRegions({ ...base, motion: [box(100, 100, 140, 140), box(300, 200, 340, 240)] }).regions).toHaveLength(1);
    expect(planRegions({ ...base, motion: [box(20, 20, 60, 60), box(1200, 650, 1260, 700)] }).regions).toHaveLength(2);
  });

  it('an object bigger than the model input gets a square of its own size (the model sees it scaled down)', () => {
    const [r] = planRegions({ ...base, motion: [box(100, 100, 700, 600)] }).regions;
    expect(r.width).toBeGreaterThanOrEqual(600);
    expect(r.height).toBe(Math.min(frame.height, r.width));
  });

  it('the whole frame and every zone window when the whole frame is due', () => {
    const w = { x: 0, y: 300, width: 500, height: 420 };
    expect(planRegions({ ...base, fullFrame: true, zoneWindows: [w] })).toEqual({ fullFrame: true, regions: [w] });
  });

  it('a zone window runs only when motion is in it, and then instead of the squares it contains', () => {
    const w = { x: 0, y: 200, width: 640, height: 520 };
    expect(planRegions({ ...base, zoneWindows: [w], motion: [box(1000, 50, 1040, 90)] }).regions).not.toContainEqual(w);
    const plan = planRegions({ ...base, zoneWindows: [w], motion: [box(200, 400, 260, 460)] });
    expect(plan.regions).toEqual([w]);
  });

  it('an object at rest is re-checked by a whole-frame pass once its recheck interval (per label) has passed', () => {
    expect(planRegions({ ...base, objects: [parked(box(100, 400, 300, 500), 100_000 - 29_000)] }).fullFrame).toBe(false);
    expect(planRegions({ ...base, objects: [parked(box(100, 400, 300, 500), 100_000 - 30_000)] }).fullFrame).toBe(true);
    const person = { box: box(100, 400, 140, 500), label: 'person', needsLook: false, lastDetected: 100_000 - 10_000 };
    expect(planRegions({ ...base, objects: [person] }).fullFrame).toBe(true);
  });

  it('a moving or lost object, or one that motion touches, is looked at where it is', () => {
    const car = box(800, 400, 1000, 520);
    for (const plan of [
      planRegions({ ...base, objects: [{ ...parked(car), needsLook: true }] }),
      planRegions({ ...base, objects: [parked(car)], motion: [box(990, 500, 1020, 530)] }),
    ]) {
      expect(plan.fullFrame).toBe(false);
      expect(sees(plan, car)).toBe(true);
    }
  });

  it('squares holding more pixels than the frame together become one whole-frame pass', () => {
    const motion = [
      box(0, 0, 40, 40),
      box(600, 0, 640, 40),
      box(1240, 0, 1280, 40),
      box(0, 680, 40, 720),
      box(600, 680, 640, 720),
      box(1240, 680, 1280, 720),
    ];
    expect(planRegions({ ...base, mergeScale: 1, motion }).fullFrame).toBe(true);
    expect(planRegions({ ...base, mergeScale: 1, motion: motion.slice(0, 2) }).fullFrame).toBe(false);
  });
});

describe('sees', () => {
  it('an object cut by a region edge was not seen whole', () => {
    const plan = { fullFrame: false, regions: [{ x: 0, y: 0, width: 416, height: 416 }] };
    expect(sees(plan, box(100, 100, 200, 200))).toBe(true);
    expect(sees(plan, box(380, 100, 480, 200))).toBe(false);
    expect(sees({ fullFrame: true, regions: [] }, box(380, 100, 480, 200))).toBe(true);
  });
});
