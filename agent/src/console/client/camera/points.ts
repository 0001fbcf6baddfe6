import type { Point } from '../../../core/geometry.ts';

/**
 * Where a new point goes: after the last one (points are added in the order clicked), or into an edge of the shape
 * when the click lies on it (within `onEdge` frame pixels). The nearest edge must not decide: a fourth corner clicked
 * past the first one is nearer the first edge than the closing one, and inserting it there drew a bow-tie.
 */
export function insertionIndex(poly: readonly Point[], p: Point, onEdge: number): number {
  if (poly.length < 3) return poly.length;
  let best = poly.length;
  let bestD = onEdge;
  for (let i = 0; i < poly.length; i++) {
    const d = segmentDistance(p, poly[i], poly[(i + 1) % poly.length]);
    if (d <= bestD) {
      bestD = d;
      best = i + 1;
    }
  }
  return best;
}

function segmentDistance([px, py]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  const u = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len));
  return Math.hypot(px - (ax + u * dx), py - (ay + u * dy));
}
