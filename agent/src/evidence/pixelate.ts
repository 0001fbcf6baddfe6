import { assertRgbImage, type Box, type RgbImage } from '../core/geometry.ts';

/**
 * Replaces each box (in `image` pixels) by blocks of its average colour, so a bystander stays
 * visible as a shape but cannot be recognised. `block` is the block side in pixels.
 */
export function pixelateBoxes(image: RgbImage, boxes: readonly Box[], block: number): void {
  if (!(Number.isInteger(block) && block >= 2)) throw new Error(`pixelation block: expected an integer ≥ 2 pixels, got ${block}`);
  assertRgbImage(image);
  const { data, width, height } = image;
  for (const b of boxes) {
    const x1 = clampInt(Math.floor(b.x1), width);
    const y1 = clampInt(Math.floor(b.y1), height);
    const x2 = clampInt(Math.ceil(b.x2), width);
    const y2 = clampInt(Math.ceil(b.y2), height);
    for (let by = y1; by < y2; by += block) {
      const ey = Math.min(by + block, y2);
      for (let bx = x1; bx < x2; bx += block) {
        const ex = Math.min(bx + block, x2);
        let r = 0;
        let g = 0;
        let bl = 0;
        for (let y = by; y < ey; y++) {
          for (let i = (y * width + bx) * 3, end = (y * width + ex) * 3; i < end; i += 3) {
            r += data[i];
            g += data[i + 1];
            bl += data[i + 2];
          }
        }
        const n = (ey - by) * (ex - bx);
        r = Math.round(r / n);
        g = Math.round(g / n);
        bl = Math.round(bl / n);
        for (let y = by; y < ey; y++) {
          for (let i = (y * width + bx) * 3, end = (y * width + ex) * 3; i < end; i += 3) {
            data[i] = r;
            data[i + 1] = g;
            data[i + 2] = bl;
          }
        }
      }
    }
  }
}

function clampInt(v: number, max: number): number {
  return Math.min(max, Math.max(0, v));
}
