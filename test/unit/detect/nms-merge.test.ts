import { describe, expect, it } from 'vitest';
import { planClasses } from '../../../agent/src/detect/classes.ts';
import { type Pass, type SelectOptions, selectDetections } from '../../../agent/src/detect/nms-merge.ts';
import { RawBoxes } from '../../../agent/src/detect/raw-boxes.ts';

const LABELS = ['person', 'car', 'truck'];
const plain = planClasses(LABELS, { scoreThreshold: 0.4, classThresholds: {}, labelMap: {} });
const opts: SelectOptions = { nmsIou: 0.5, maxDetections: 100, minArea: 0, maxArea: Infinity };
const FRAME = { w: 1000, h: 500 };
const whole: Pass = { window: { x: 0, y: 0, width: FRAME.w, height: FRAME.h }, pixel: 2.4 };
/** A native-resolution window in the middle of the frame (inner edges at x = 400 and 816, y = 84). */
const win: Pass = { window: { x: 400, y: 84, width: 416, height: 416 }, pixel: 1 };

function cands(rows: [x1: number, y1: number, x2: number, y2: number, score: number, cls: number, pass?: number][]): RawBoxes {
  const c = new RawBoxes();
  for (const [x1, y1, x2, y2, s, k, p] of rows) c.push(x1, y1, x2, y2, s, k, p ?? 0);
  return c;
}
const select = (c: RawBoxes, plan = plain, o: Partial<SelectOptions> = {}) =>
  selectDetections(c, plan, [whole, win], FRAME.w, FRAME.h, { ...opts, ...o });
const summary = (d: ReturnType<typeof select>) => d.map((x) => `${x.label}@${x.box.x1},${x.box.y1} ${x.score}`);

describe('selectDetections', () => {
  it('keeps the best of overlapping boxes of one class and both when the classes differ', () => {
    const d = select(
      cands([
        [10, 10, 110, 110, 0.5, 0],
        [12, 10, 112, 110, 0.75, 0],
        [10, 10, 110, 110, 0.625, 1],
      ]),
    );
    expect(summary(d)).toEqual(['person@12,10 0.75', 'car@10,10 0.625']);
  });

  it('suppresses across model classes that map to one domain label', () => {
    const mapped = planClasses(LABELS, { scoreThreshold: 0.4, classThresholds: {}, labelMap: { car: 'vehicle', truck: 'vehicle' } });
    const d = select(
      cands([
        [10, 10, 110, 110, 0.5, 1],
        [12, 10, 112, 110, 0.75, 2],
      ]),
      mapped,
    );
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ label: 'vehicle', classId: 2, score: 0.75 });
  });

  it('drops boxes outside the area bounds and keeps at most maxDetections, best first', () => {
    const c = cands([
      [0, 0, 2, 2, 0.9, 0],
      [0, 0, 1000, 500, 0.8, 1],
      [100, 100, 150, 200, 0.5, 0],
      [300, 100, 350, 200, 0.75, 0],
      [500, 100, 550, 200, 0.625, 0],
    ]);
    expect(summary(select(c, plain, { minArea: 10, maxArea: 0.5 * 1000 * 500, maxDetections: 2 }))).toEqual([
      'person@300,100 0.75',
      'person@500,100 0.625',
    ]);
  });

  it('drops a box cut by a window edge when the whole-frame pass saw the object whole', () => {
    // The car spans x 350–500; the window starts at x = 400 and sees only its right part, with a higher score.
    const d = select(
      cands([
        [350, 300, 500, 400, 0.5, 1, 0],
        [400, 300, 500, 400, 0.75, 1, 1],
      ]),
    );
    expect(summary(d)).toEqual(['car@350,300 0.5']);
  });

  it('keeps a box cut by a window edge when nothing else saw that object', () => {
    expect(summary(select(cands([[401, 300, 500, 400, 0.75, 1, 1]])))).toEqual(['car@401,300 0.75']);
  });

  it('does not treat a window edge on the frame border as a cut', () => {
    // The window's bottom edge is the frame's (y = 500): a box down to it is whole.
    const d = select(
      cands([
        [500, 400, 600, 500, 0.75, 1, 1],
        [450, 350, 650, 500, 0.5, 1, 0],
      ]),
    );
    expect(summary(d)).toEqual(['car@500,400 0.75', 'car@450,350 0.5']);
  });

  it('keeps both when a smaller whole box from the window lies inside a larger one of the frame pass', () => {
    // Not touching any window edge → not cut: ordinary NMS by IoU (here 0.25) keeps both.
    const d = select(
      cands([
        [500, 200, 600, 300, 0.75, 0, 1],
        [450, 150, 650, 350, 0.5, 0, 0],
      ]),
    );
    expect(d).toHaveLength(2);
  });

  it('clips boxes to the frame', () => {
    const d = select(cands([[-5, -3, 1004, 510, 0.9, 0]]));
    expect(d[0].box).toEqual({ x1: 0, y1: 0, x2: 1000, y2: 500 });
  });
});

describe('planClasses', () => {
  it('takes a threshold by model label first, then by mapped label, then the default', () => {
    const p = planClasses(LABELS, {
      scoreThreshold: 0.4,
      classThresholds: { truck: 0.25, vehicle: 0.5 },
      labelMap: { car: 'vehicle', truck: 'vehicle' },
    });
    expect(Array.from(p.thresholds)).toEqual([0.4, 0.5, 0.25].map(Math.fround));
    expect(p.labels).toEqual(['person', 'vehicle', 'vehicle']);
    expect(p.group[1]).toBe(p.group[2]);
    expect(p.group[0]).not.toBe(p.group[1]);
  });

  it('rejects a threshold for a label nobody has, listing the labels', () => {
    expect(() => planClasses(LABELS, { scoreThreshold: 0.4, classThresholds: { umbrela: 0.3 }, labelMap: {} })).toThrow(
      'model.classThresholds: "umbrela" is neither a model label nor a mapped label (mapped labels: "person", "car", "truck")',
    );
  });
});
