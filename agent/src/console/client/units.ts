import type { Point } from '../../core/geometry.ts';

/** How the config file writes a shape's points: fractions of the frame, or pixels of the analysed frame. */
export type Units = 'normalized' | 'pixels';

export function toPx(p: Point, units: Units, w: number, hgt: number): Point {
  return units === 'pixels' ? [p[0], p[1]] : [p[0] * w, p[1] * hgt];
}

export function fromPx(p: Point, units: Units, w: number, hgt: number): Point {
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return units === 'pixels'
    ? [Math.round(clamp(p[0], w)), Math.round(clamp(p[1], hgt))]
    : [round4(clamp(p[0] / w, 1)), round4(clamp(p[1] / hgt, 1))];
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
