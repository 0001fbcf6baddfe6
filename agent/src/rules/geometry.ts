import type { Point } from '../core/geometry.ts';

/**
 * Signed distance of `p` from the line through `a` → `b`, in pixels. In image coordinates (y down)
 * a positive value is on the right of someone walking from `a` to `b`.
 */
export function sideOfLine(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  return (dx * (p[1] - a[1]) - dy * (p[0] - a[0])) / Math.hypot(dx, dy);
}

/** Where the projection of `p` falls along a → b: 0 at a, 1 at b. */
export function alongSegment(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  return ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy);
}

export function toPixels(points: readonly Point[], units: 'normalized' | 'pixels', frame: { width: number; height: number }): Point[] {
  return units === 'pixels' ? points.map(([x, y]) => [x, y]) : points.map(([x, y]) => [x * frame.width, y * frame.height]);
}
