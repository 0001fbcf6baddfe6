import { describe, expect, it } from 'vitest';
import { type WindowCamera, windowsForCamera } from '../../../agent/src/detect/windows.ts';
import type { ZoneConfig } from '../../../agent/src/rules/config.ts';

const MODEL = { width: 416, height: 416 };
const zone = (id: string, polygon: [number, number][], units: 'normalized' | 'pixels' = 'normalized'): ZoneConfig =>
  ({ id, units, polygon, anchor: 'bottom_center', rules: [] }) as unknown as ZoneConfig;
const rect = (x1: number, y1: number, x2: number, y2: number): [number, number][] => [
  [x1, y1],
  [x2, y1],
  [x2, y2],
  [x1, y2],
];
const cam = (windows: WindowCamera['windows'], zones: ZoneConfig[], width = 1920, height = 1080): WindowCamera => ({
  windows,
  zones,
  analysis: { width, height },
});

describe('windowsForCamera', () => {
  it('returns no windows for "none"', () => {
    expect(windowsForCamera(cam('none', [zone('a', rect(0.1, 0.1, 0.2, 0.2))]), MODEL)).toEqual([]);
  });

  it('passes explicit windows through as whole pixels', () => {
    expect(windowsForCamera(cam([{ x: 10.4, y: 20, width: 300.2, height: 200 }], []), MODEL)).toEqual([
      { x: 10, y: 20, width: 301, height: 200 },
    ]);
  });

  it('grows a small zone to the model size, upwards from its bottom edge, around its padded box', () => {
    // Zone 1000–1200 × 600–700 px; padded by 10 % (20 px, 10 px) → 980–1220 × 590–710; grown to 416 × 416.
    const [w] = windowsForCamera(cam('zones', [zone('a', rect(1000, 600, 1200, 700), 'pixels')]), MODEL);
    expect(w).toEqual({ x: 980 - 88, y: 710 - 416, width: 416, height: 416 });
  });

  it('reads normalised zones in analysis pixels and keeps windows inside the frame', () => {
    const [w] = windowsForCamera(cam('zones', [zone('a', rect(0.9, 0.0, 1.0, 0.1))]), MODEL);
    expect(w).toEqual({ x: 1920 - 416, y: 0, width: 416, height: 416 });
  });

  it('keeps a zone larger than the model input at its padded size (scaled down, still finer than the whole frame)', () => {
    const [w] = windowsForCamera(cam('zones', [zone('a', rect(100, 500, 700, 900), 'pixels')]), MODEL);
    expect(w).toEqual({ x: 40, y: 460, width: 720, height: 480 });
  });

  it('merges zones that fit in one model input together', () => {
    const ws = windowsForCamera(
      cam('zones', [zone('a', rect(100, 600, 200, 700), 'pixels'), zone('b', rect(300, 650, 400, 760), 'pixels')]),
      MODEL,
    );
    expect(ws).toHaveLength(1);
  });

  it('keeps separate windows for zones far apart', () => {
    const ws = windowsForCamera(
      cam('zones', [zone('a', rect(100, 600, 200, 700), 'pixels'), zone('b', rect(1500, 600, 1600, 700), 'pixels')]),
      MODEL,
    );
    expect(ws).toHaveLength(2);
  });

  it('drops a window that would not see more detail than the whole frame', () => {
    expect(windowsForCamera(cam('zones', [zone('a', rect(0.05, 0.05, 0.95, 0.95))]), MODEL)).toEqual([]);
    // A frame smaller than the model input: every window is already at full resolution in the whole-frame pass.
    expect(windowsForCamera(cam('zones', [zone('a', rect(0.4, 0.4, 0.6, 0.6))], 320, 240), MODEL)).toEqual([]);
  });
});
