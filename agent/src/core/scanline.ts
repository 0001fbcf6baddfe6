import type { Point } from './geometry.ts';

/**
 * Pixel runs covered by polygons, as triples (row, firstColumn, endColumn exclusive).
 * Coverage is conservative: a pixel is covered when any part of it with positive area lies inside
 * a polygon (even-odd rule), so a privacy mask never leaves a half-covered pixel showing.
 */
export type Spans = Int32Array;

/** Keeps touching (not overlapping) edges, and float noise on exact pixel borders, from covering a pixel. */
const EPS = 1e-6;

/** Scales normalised polygons (0..1) to a width × height raster and returns the covered runs. */
export function polygonSpans(polygons: readonly (readonly Point[])[], width: number, height: number): Spans {
  const out: number[] = [];
  const intervals: number[] = [];
  const scaled = polygons.map((poly) => poly.map(([x, y]) => [x * width, y * height] as const));
  for (let row = 0; row < height; row++) {
    intervals.length = 0;
    const top = row + EPS;
    const bottom = row + 1 - EPS;
    for (const poly of scaled) {
      crossingSpans(poly, top, intervals);
      crossingSpans(poly, bottom, intervals);
      edgeExtents(poly, top, bottom, intervals);
    }
    emitRow(row, width, intervals, out);
  }
  return Int32Array.from(out);
}

/** Inside-spans of a polygon along the horizontal line y = line (even-odd rule). */
function crossingSpans(poly: readonly (readonly [number, number])[], line: number, into: number[]): void {
  const xs: number[] = [];
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [x0, y0] = poly[j];
    const [x1, y1] = poly[i];
    if (y0 <= line !== y1 <= line) xs.push(x0 + ((line - y0) / (y1 - y0)) * (x1 - x0));
  }
  xs.sort((a, b) => a - b);
  for (let k = 0; k + 1 < xs.length; k += 2) into.push(xs[k], xs[k + 1]);
}

/** Horizontal extent of each edge inside the band (top, bottom): covers the parts between the two lines. */
function edgeExtents(poly: readonly (readonly [number, number])[], top: number, bottom: number, into: number[]): void {
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [x0, y0] = poly[j];
    const [x1, y1] = poly[i];
    if (Math.max(y0, y1) <= top || Math.min(y0, y1) >= bottom) continue;
    const at = (y: number) => (y1 === y0 ? x0 : x0 + ((y - y0) / (y1 - y0)) * (x1 - x0));
    const ya = Math.max(Math.min(y0, y1), top);
    const yb = Math.min(Math.max(y0, y1), bottom);
    const xa = at(ya);
    const xb = y1 === y0 ? x1 : at(yb);
    into.push(Math.min(xa, xb), Math.max(xa, xb));
  }
}

/** Merges the row's intervals and appends them as clamped column runs. */
function emitRow(row: number, width: number, intervals: number[], out: number[]): void {
  const n = intervals.length / 2;
  if (n === 0) return;
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => intervals[2 * a] - intervals[2 * b]);
  let open = false;
  let start = 0;
  let end = 0;
  const flush = () => {
    const c0 = Math.max(0, Math.floor(start + EPS));
    const c1 = Math.min(width, Math.ceil(end - EPS));
    if (c1 > c0) out.push(row, c0, c1);
  };
  for (const k of order) {
    const a = intervals[2 * k];
    const b = intervals[2 * k + 1];
    if (!open) {
      [start, end, open] = [a, b, true];
    } else if (a <= end) {
      end = Math.max(end, b);
    } else {
      flush();
      [start, end] = [a, b];
    }
  }
  flush();
}
