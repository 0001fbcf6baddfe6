import { describe, expect, it } from 'vitest';
import { type GatingCamera, gatingWarnings } from '../../../agent/src/config/gating-warnings.ts';
import type { Point } from '../../../agent/src/core/geometry.ts';

const square = (x0: number, y0: number, x1: number, y1: number): Point[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
];

const camera = (privacyMasks: Point[][]): GatingCamera => ({
  analysis: { width: 640, height: 360 },
  detection: { mode: 'every_frame', fullFrameSeconds: 30, motion: { height: 120 } },
  windows: 'zones',
  privacyMasks,
  motionMasks: [],
  zones: [
    { id: 'kerb', units: 'pixels', polygon: square(64, 252, 576, 324) },
    { id: 'pavement', units: 'normalized', polygon: square(0.1, 0.1, 0.3, 0.3) },
  ],
});

describe('check: a zone under a privacy mask', () => {
  it('names the zone and the masks that black it out, and not a mask elsewhere', () => {
    // The kerb (x 0.1–0.9, y 0.7–0.9) is covered by two masks side by side; the third covers only the sky.
    const w = gatingWarnings(camera([square(0, 0, 1, 0.05), square(0, 0.6, 0.5, 1), square(0.5, 0.6, 1, 1)]), { width: 416, height: 416 });
    expect(w).toEqual([
      {
        path: 'zones[0].polygon',
        message:
          'zone "kerb" lies wholly under privacyMasks[1] and privacyMasks[2]: it is blacked out before analysis, so nothing in it is ever detected and its rules never fire; move the mask off the zone or remove the zone',
      },
    ]);
  });

  it('says nothing of a zone only partly under a mask', () => {
    expect(gatingWarnings(camera([square(0, 0.6, 0.5, 1)]), { width: 416, height: 416 })).toEqual([]);
  });
});
