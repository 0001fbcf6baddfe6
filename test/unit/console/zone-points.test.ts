import { describe, expect, it } from 'vitest';
import { insertionIndex } from '../../../agent/src/console/client/camera/points.ts';
import type { Point } from '../../../agent/src/core/geometry.ts';

/** Where the zone editor puts a clicked point: after the last one, unless the click is on an edge of the shape. */
function clickAll(clicks: Point[], onEdge = 10): Point[] {
  const pts: Point[] = [];
  for (const p of clicks) pts.splice(insertionIndex(pts, p, onEdge), 0, p);
  return pts;
}

describe('zone editor points', () => {
  it('adds four corners of a kerb seen in perspective in the order clicked (no bow-tie)', () => {
    const kerb: Point[] = [
      [300, 450],
      [900, 450],
      [1200, 700],
      [100, 700],
    ];
    expect(clickAll(kerb)).toEqual(kerb);
  });

  it('adds the corners of a rectangle in the order clicked', () => {
    const rect: Point[] = [
      [140, 585],
      [440, 585],
      [440, 700],
      [140, 700],
    ];
    expect(clickAll(rect)).toEqual(rect);
  });

  it('inserts a point clicked on an edge of the closed shape into that edge', () => {
    const square: Point[] = [
      [0, 0],
      [100, 0],
      [100, 100],
      [0, 100],
    ];
    expect(insertionIndex(square, [50, 3], 10)).toBe(1);
    expect(insertionIndex(square, [98, 50], 10)).toBe(2);
    expect(insertionIndex(square, [50, 50], 10)).toBe(4);
  });
});
