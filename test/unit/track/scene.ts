import type { Box } from '../../../agent/src/core/geometry.ts';
import type { Detection } from '../../../agent/src/detect/types.ts';

/** Jittered scenes replay identically. */
export { seededRandom as seeded } from '../../../agent/src/core/random.ts';

export function box(x: number, y: number, width: number, height: number): Box {
  return { x1: x, y1: y, x2: x + width, y2: y + height };
}

export function det(label: string, b: Box, score = 0.9): Detection {
  return { label, box: b, score, classId: 0 };
}

/** Moves every edge by up to ±`fraction` of the box size, as a detector's frame-to-frame noise does. */
export function jitter(b: Box, fraction: number, rnd: () => number): Box {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const d = (size: number) => (rnd() * 2 - 1) * fraction * size;
  return { x1: b.x1 + d(w), y1: b.y1 + d(h), x2: b.x2 + d(w), y2: b.y2 + d(h) };
}

export function shift(b: Box, dx: number, dy: number): Box {
  return { x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy };
}

/** Frame times from `from` (ms) for `seconds` at `fps`. */
export function frames(from: number, seconds: number, fps: number): number[] {
  const n = Math.round(seconds * fps);
  return Array.from({ length: n }, (_, i) => from + Math.round((i * 1000) / fps));
}
