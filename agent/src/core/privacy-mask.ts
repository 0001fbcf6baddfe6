import { assertRgbImage, type Point, type RgbImage } from './geometry.ts';
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
      assertRgbImage(image);
      const s = spans(image.width, image.height);
      const { data, width } = image;
      for (let k = 0; k < s.length; k += 3) {
        const rowStart = s[k] * width;
        data.fill(0, (rowStart + s[k + 1]) * 3, (rowStart + s[k + 2]) * 3);
      }
    },
  };
}
