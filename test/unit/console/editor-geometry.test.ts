import { describe, expect, it } from 'vitest';
import type { Mark } from '../../../agent/src/console/client/calibration/datum.ts';
import { fitMarks } from '../../../agent/src/console/client/calibration/fit.ts';
import { fromPx, toPx } from '../../../agent/src/console/client/units.ts';
import type { LatLon, Point } from '../../../agent/src/core/geometry.ts';

/**
 * The editors' geometry without a browser: points between the file's units and frame pixels, and the calibration
 * page's fit of the marks an installer clicks and types (a synthetic camera 8 m up, looking north 35° down).
 */
const ORIGIN = { lat: 31.2304, lon: 121.4737 };
const PHI = (ORIGIN.lat * Math.PI) / 180;
const M_PER_DEG_LAT = 111132.92 - 559.82 * Math.cos(2 * PHI) + 1.175 * Math.cos(4 * PHI);
const M_PER_DEG_LON = 111412.84 * Math.cos(PHI) - 93.5 * Math.cos(3 * PHI);
const toGeo = ([e, n]: Point): LatLon => ({ lat: ORIGIN.lat + n / M_PER_DEG_LAT, lon: ORIGIN.lon + e / M_PER_DEG_LON });

function toPixel([e, n]: Point): Point {
  const p = (35 * Math.PI) / 180;
  const zc = n * Math.cos(p) + 8 * Math.sin(p);
  const yc = -n * Math.sin(p) + 8 * Math.cos(p);
  return [640 + (900 * e) / zc, 360 + (900 * yc) / zc];
}

const mark = (ground: Point): Mark => {
  const g = toGeo(ground);
  return { pixel: toPixel(ground), lat: String(g.lat), lon: String(g.lon) };
};
const GROUND: Point[] = [
  [-4, 6],
  [4, 6],
  [-5, 20],
  [5, 20],
  [0, 12],
  [2, 30],
];

describe('editor units', () => {
  it('turns normalized points into frame pixels and back, to four decimals', () => {
    expect(toPx([0.25, 0.5], 'normalized', 640, 360)).toEqual([160, 180]);
    expect(fromPx([100, 100], 'normalized', 640, 360)).toEqual([0.1563, 0.2778]);
  });

  it('keeps pixel points in whole pixels inside the frame', () => {
    expect(toPx([12, 34], 'pixels', 640, 360)).toEqual([12, 34]);
    expect(fromPx([10.6, 400], 'pixels', 640, 360)).toEqual([11, 360]);
    expect(fromPx([-5, 370], 'normalized', 640, 360)).toEqual([0, 1]);
  });
});

describe('calibration fit', () => {
  it('fits only marks with both coordinates, and asks for four', () => {
    const marks = [...GROUND.slice(0, 3).map(mark), { ...mark(GROUND[3]), lon: '' }];
    expect(fitMarks(marks)).toEqual({ complete: [0, 1, 2], loo: [] });
  });

  it('fits four exact marks to centimetres, without predicting each from the others', () => {
    const r = fitMarks(GROUND.slice(0, 4).map(mark));
    expect(r.complete).toEqual([0, 1, 2, 3]);
    expect(r.fit?.rmsMeters).toBeLessThan(0.05);
    expect(r.loo).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('from five marks, predicts each from the others: a mistyped latitude stands out', () => {
    const good = fitMarks(GROUND.map(mark));
    expect(Math.max(...good.loo.map((x) => x ?? Infinity))).toBeLessThan(0.1);
    const typo = GROUND.map(mark);
    typo[4] = { ...typo[4], lat: String(toGeo([0, 14]).lat) };
    const bad = fitMarks(typo);
    expect(bad.loo[4]).toBeGreaterThan(1.5);
    expect(bad.fit?.maxMeters).toBeGreaterThan(0.2);
  });

  it('says why marks cannot be fitted (two on the same pixel) instead of throwing', () => {
    const marks = GROUND.slice(0, 4).map(mark);
    marks[1] = { ...marks[1], pixel: marks[0].pixel };
    const r = fitMarks(marks);
    expect(r.fit).toBeUndefined();
    expect(r.error).toMatch(/points\[0\] and points\[1\] have the same pixel/);
  });
});
