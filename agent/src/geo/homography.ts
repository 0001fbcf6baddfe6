import type { LatLon, Point } from '../core/geometry.ts';
import { symmetricEigen } from './eigen.ts';
import { type LocalFrame, localFrame } from './local-frame.ts';

export interface Correspondence {
  /** Image position, in whatever units the caller solves in (the mapping is defined in those). */
  pixel: Point;
  geo: LatLon;
}

/** Image → ground plane mapping: row-major 3×3 from image units to metres east/north of `frame.origin`. */
export interface Homography {
  matrix: Float64Array;
  frame: LocalFrame;
  /** Sign of the projective scale on the ground side of the horizon. */
  side: 1 | -1;
}

export interface HomographyFit {
  homography: Homography;
  /** Root-mean-square and largest distance between each surveyed point and its mapped pixel, in metres. */
  rmsMeters: number;
  maxMeters: number;
  residualsMeters: number[];
}

export class CalibrationError extends Error {
  override name = 'CalibrationError';
}

/** Points closer than this (metres on the ground, or this fraction of the image spread) are the same point. */
const SAME_GROUND_M = 0.05;
const SAME_PIXEL = 1e-4;
/** A triangle of normalised points with less area than this is a line. */
const FLAT = 1e-3;

/**
 * Fits a pixel → ground homography to ≥ 4 correspondences by the normalised direct linear
 * transform (Hartley): both point sets are centred and scaled before the fit, which keeps the
 * least-squares problem well conditioned in any units. Throws a CalibrationError naming the
 * offending points for duplicate, collinear or otherwise degenerate sets.
 */
export function solveHomography(points: readonly Correspondence[]): HomographyFit {
  const sys = prepare(points);
  const homography = fromSystem(sys, sys.m, -1);
  const { ground } = sys;
  const residualsMeters = points.map((p, i) => {
    const [e, n] = project(homography, p.pixel)!;
    return Math.hypot(e - ground[i][0], n - ground[i][1]);
  });
  return {
    homography,
    rmsMeters: Math.sqrt(mean(residualsMeters.map((r) => r * r))),
    maxMeters: Math.max(...residualsMeters),
    residualsMeters,
  };
}

/**
 * The largest error, in metres on the ground, of predicting each point from a fit to all the others; undefined
 * below 5 points. Each fit removes one point's two equations from the whole set's normal matrix (same
 * normalisation), so n points cost n small eigen-solves, not n full fits. Points whose removal leaves the rest
 * degenerate are skipped: they cannot be predicted, which is no error of the fit.
 */
export function leaveOneOutMaxMeters(points: readonly Correspondence[]): number | undefined {
  if (points.length < 5) return undefined;
  const sys = prepare(points);
  const m = new Float64Array(81);
  let worst: number | undefined;
  for (let i = 0; i < points.length; i++) {
    m.set(sys.m);
    addPoint(m, sys.a[i], sys.b[i], -1);
    let h: Homography;
    try {
      h = fromSystem(sys, m, i);
    } catch (err) {
      if (err instanceof CalibrationError) continue;
      throw err;
    }
    const en = project(h, points[i].pixel);
    worst = Math.max(worst ?? 0, en ? Math.hypot(en[0] - sys.ground[i][0], en[1] - sys.ground[i][1]) : Infinity);
  }
  return worst;
}

interface System {
  frame: LocalFrame;
  image: Point[];
  ground: Point[];
  /** Normalised image and ground points. */
  a: Point[];
  b: Point[];
  ni: ReturnType<typeof normaliser>;
  ng: ReturnType<typeof normaliser>;
  /** Normal matrix (9×9) of every point's two DLT equations. */
  m: Float64Array;
}

function prepare(points: readonly Correspondence[]): System {
  if (points.length < 4) throw new CalibrationError(`expected at least 4 pixel ↔ geo points, got ${points.length}`);
  points.forEach((p, i) => {
    if (![...p.pixel, p.geo.lat, p.geo.lon].every(Number.isFinite))
      throw new CalibrationError(`points[${i}]: expected finite pixel and geo coordinates`);
  });
  const frame = localFrame({ lat: mean(points.map((p) => p.geo.lat)), lon: mean(points.map((p) => p.geo.lon)) });
  const image = points.map((p) => p.pixel);
  const ground = points.map((p) => frame.toLocal(p.geo));
  checkDistinct(ground, SAME_GROUND_M, 'ground position');
  const ni = normaliser(image);
  checkDistinct(image, SAME_PIXEL * ni.spread, 'pixel position');
  const ng = normaliser(ground);
  const a = image.map(ni.apply);
  const b = ground.map(ng.apply);
  checkShape(a, 'pixel');
  checkShape(b, 'ground');
  const m = new Float64Array(81);
  for (let k = 0; k < a.length; k++) addPoint(m, a[k], b[k], 1);
  return { frame, image, ground, a, b, ni, ng, m };
}

const row1 = new Float64Array(9);
const row2 = new Float64Array(9);

/** Adds (sign 1) or removes (sign -1) one correspondence's two DLT equations to the normal matrix. */
function addPoint(m: Float64Array, [x, y]: Point, [u, v]: Point, sign: 1 | -1): void {
  row1.set([-x, -y, -1, 0, 0, 0, u * x, u * y, u]);
  row2.set([0, 0, 0, -x, -y, -1, v * x, v * y, v]);
  for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) m[i * 9 + j] += sign * (row1[i] * row1[j] + row2[i] * row2[j]);
}

/** The homography of normal matrix `m` (the system's points, but for `without` when ≥ 0). */
function fromSystem(sys: System, m: Float64Array, without: number): Homography {
  const { values, vectors } = symmetricEigen(m, 9);
  if (values[1] <= 1e-10 * values[8]) {
    throw new CalibrationError(
      'the points do not determine a ground plane: expected at least 4 points in general position (no 3 of them on one line) in the image and on the ground',
    );
  }
  const matrix = mul3(sys.ng.inverse, mul3(vectors[0], sys.ni.forward));
  let side = 0;
  for (let i = 0; i < sys.image.length; i++) {
    if (i === without) continue;
    const [x, y] = sys.image[i];
    const w = Math.sign(matrix[6] * x + matrix[7] * y + matrix[8]);
    side ||= w;
    if (w === 0 || w !== side) {
      throw new CalibrationError(
        'the points cannot lie on one ground plane seen by one camera (the fit puts some of them beyond the horizon): check for swapped lat/lon or mismatched pairs',
      );
    }
  }
  return { matrix, frame: sys.frame, side: side > 0 ? 1 : -1 };
}

/** Metres east/north of the frame origin; undefined for image points at or above the horizon. */
export function project(h: Homography, [x, y]: Point): [number, number] | undefined {
  const m = h.matrix;
  const w = m[6] * x + m[7] * y + m[8];
  if (!(w * h.side > 0)) return undefined;
  return [(m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w];
}

/** Where on the ground an image point is; undefined at or above the horizon. */
export function pixelToGeo(h: Homography, pixel: Point): LatLon | undefined {
  const en = project(h, pixel);
  return en && h.frame.toGeo(en[0], en[1]);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Similarity taking the points' centroid to 0 and their mean distance from it to √2. */
function normaliser(pts: readonly Point[]): { spread: number; apply: (p: Point) => Point; forward: Float64Array; inverse: Float64Array } {
  const cx = mean(pts.map((p) => p[0]));
  const cy = mean(pts.map((p) => p[1]));
  const spread = mean(pts.map(([x, y]) => Math.hypot(x - cx, y - cy)));
  const s = spread > 0 ? Math.SQRT2 / spread : 1;
  return {
    spread,
    apply: ([x, y]) => [(x - cx) * s, (y - cy) * s],
    forward: Float64Array.of(s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1),
    inverse: Float64Array.of(1 / s, 0, cx, 0, 1 / s, cy, 0, 0, 1),
  };
}

/** Pairs closer than `minDistance`, found through a grid of cells that size: linear in the number of points, not quadratic. */
function checkDistinct(pts: readonly Point[], minDistance: number, what: string): void {
  const cell = minDistance > 0 ? minDistance : Number.MIN_VALUE;
  const grid = new Map<string, number[]>();
  const key = (cx: number, cy: number) => `${cx},${cy}`;
  pts.forEach(([x, y], i) => {
    const cx = Math.floor(x / cell);
    const cy = Math.floor(y / cell);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const j of grid.get(key(cx + dx, cy + dy)) ?? []) {
          if (Math.hypot(x - pts[j][0], y - pts[j][1]) <= minDistance) {
            throw new CalibrationError(`points[${j}] and points[${i}] have the same ${what}: expected distinct points`);
          }
        }
      }
    }
    const k = key(cx, cy);
    const members = grid.get(k);
    if (members) members.push(i);
    else grid.set(k, [i]);
  });
}

/**
 * Rejects sets that are all on one line, and 4-point sets with 3 on one line (both leave the plane undetermined).
 * The set's spread across its longest extent is the largest triangle on that extent's base: linear in the points
 * (every triple, as before, took cubic time and memory: 1000 points ran out of heap).
 */
function checkShape(pts: readonly Point[], what: string): void {
  const area = (i: number, j: number, k: number) =>
    Math.abs((pts[j][0] - pts[i][0]) * (pts[k][1] - pts[i][1]) - (pts[k][0] - pts[i][0]) * (pts[j][1] - pts[i][1])) / 2;
  const farthest = (from: number, score: (k: number) => number) => {
    let best = from;
    for (let k = 0; k < pts.length; k++) if (score(k) > score(best)) best = k;
    return best;
  };
  const a = farthest(0, (k) => Math.hypot(pts[k][0] - pts[0][0], pts[k][1] - pts[0][1]));
  const b = farthest(a, (k) => Math.hypot(pts[k][0] - pts[a][0], pts[k][1] - pts[a][1]));
  const c = farthest(a, (k) => area(a, b, k));
  if (area(a, b, c) < FLAT) {
    throw new CalibrationError(
      `all ${what} points lie on one line: expected at least 4 points spread over an area, no 3 of them on one line`,
    );
  }
  if (pts.length === 4) {
    const triples: [number, number, number][] = [
      [0, 1, 2],
      [0, 1, 3],
      [0, 2, 3],
      [1, 2, 3],
    ];
    const flat = triples.find(([i, j, k]) => area(i, j, k) < FLAT);
    if (flat)
      throw new CalibrationError(
        `${what} points[${flat[0]}], points[${flat[1]}] and points[${flat[2]}] lie on one line: with 4 points, no 3 may be collinear`,
      );
  }
}

/** Row-major 3×3 product. */
function mul3(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
  return out;
}
