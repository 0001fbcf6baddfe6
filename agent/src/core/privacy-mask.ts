import type { Point } from './geometry.ts';
import type { Box, RgbImage } from './geometry.ts';
import { polygonSpans, type Spans } from './scanline.ts';

/**
 * A camera's privacy masks (normalised 0..1 polygons), blacked out in place in every image before
 * it is analysed, stored or sent. Runs are computed once per image size, so applying a mask to a
 * frame is a handful of `fill` calls.
 */
export interface PrivacyMask {
  readonly empty: boolean;
  /** Blacks out the masked pixels of `image` in place. */
  apply(image: RgbImage): void;
  /** The covered runs for a raster of this size (row, firstColumn, endColumn exclusive). */
  spans(width: number, height: number): Spans;
}

export function compilePrivacyMask(polygons: readonly (readonly Point[])[]): PrivacyMask {
  polygons.forEach((poly, i) => {
    if (poly.length < 3) throw new Error(`privacy mask ${i}: expected a polygon of at least 3 [x, y] points, got ${poly.length}`);
    poly.forEach(([x, y], j) => {
      if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
        throw new Error(`privacy mask ${i} point ${j}: expected normalised coordinates inside 0..1, got [${x}, ${y}]`);
      }
    });
  });
  const bySize = new Map<string, Spans>();
  const spans = (width: number, height: number): Spans => {
    const key = `${width}x${height}`;
    let s = bySize.get(key);
    if (!s) {
      s = polygonSpans(polygons, width, height);
      bySize.set(key, s);
    }
    return s;
  };
  return {
    empty: polygons.length === 0,
    spans,
    apply(image) {
      if (polygons.length === 0) return;
      checkImage(image);
      const s = spans(image.width, image.height);
      const { data, width } = image;
      for (let k = 0; k < s.length; k += 3) {
        const rowStart = s[k] * width;
        data.fill(0, (rowStart + s[k + 1]) * 3, (rowStart + s[k + 2]) * 3);
      }
    },
  };
}

/**
 * Replaces each box (in `image` pixels) by blocks of its average colour, so a bystander stays
 * visible as a shape but cannot be recognised. `block` is the block side in pixels.
 */
export function pixelateBoxes(image: RgbImage, boxes: readonly Box[], block: number): void {
  if (!(Number.isInteger(block) && block >= 2)) throw new Error(`pixelation block: expected an integer ≥ 2 pixels, got ${block}`);
  checkImage(image);
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

function checkImage(image: RgbImage): void {
  if (image.data.length !== image.width * image.height * 3) {
    throw new Error(
      `expected an RGB24 image of ${image.width}×${image.height}×3 = ${image.width * image.height * 3} bytes, got ${image.data.length}`,
    );
  }
}
