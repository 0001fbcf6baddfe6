import type { Point } from '../../agent/src/core/geometry.ts';

/**
 * car-detection.mp4's white corner marks: an overlay that shimmers with the compression, so the motion detector sees
 * it move in every frame. A camera's overlay like it is what `motionMasks` are for (normalised polygons).
 */
export const CORNER_MARKS: Point[][] = [
  [
    [0.7, 0],
    [0.83, 0],
    [0.83, 0.13],
    [0.7, 0.13],
  ],
  [
    [0, 0],
    [0.09, 0],
    [0.09, 0.15],
    [0, 0.15],
  ],
  [
    [0.9, 0.85],
    [1, 0.85],
    [1, 1],
    [0.9, 1],
  ],
];
