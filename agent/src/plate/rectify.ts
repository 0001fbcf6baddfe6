import type { Point, RgbImage } from '../core/geometry.ts';

/** A plate's corners in image pixels: top-left, top-right, bottom-right, bottom-left (the detector's order). */
export type Quad = readonly [Point, Point, Point, Point];

/**
 * The 3×3 homography (row-major, h33 = 1) taking (0,0), (w,0), (w,h), (0,h) to the quad's corners, so each
 * output pixel can look up where it comes from. Solved as the usual 8×8 linear system by Gaussian elimination.
 */
export function rectToQuad(width: number, height: number, quad: Quad): Float64Array {
  const from: Point[] = [
    [0, 0],
    [width, 0],
    [width, height],
    [0, height],
  ];
  const a = new Float64Array(8 * 9);
  for (let i = 0; i < 4; i++) {
    const [u, v] = from[i];
    const [x, y] = quad[i];
    a.set([u, v, 1, 0, 0, 0, -u * x, -v * x, x], 2 * i * 9);
    a.set([0, 0, 0, u, v, 1, -u * y, -v * y, y], (2 * i + 1) * 9);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r * 9 + col]) > Math.abs(a[pivot * 9 + col])) pivot = r;
    if (Math.abs(a[pivot * 9 + col]) < 1e-12) throw new Error('rectToQuad: the four corners are degenerate (three on a line)');
    if (pivot !== col) {
      for (let k = 0; k < 9; k++) {
        const t = a[col * 9 + k];
        a[col * 9 + k] = a[pivot * 9 + k];
        a[pivot * 9 + k] = t;
      }
    }
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = a[r * 9 + col] / a[col * 9 + col];
      if (f === 0) continue;
      for (let k = col; k < 9; k++) a[r * 9 + k] -= f * a[col * 9 + k];
    }
  }
  const h = new Float64Array(9);
  for (let i = 0; i < 8; i++) h[i] = a[i * 9 + 8] / a[i * 9 + i];
  h[8] = 1;
  return h;
}

/** The size a quad has when laid flat: its longer top/bottom edge by its longer left/right edge. */
export function quadSize(quad: Quad): { width: number; height: number } {
  const d = (p: Point, q: Point) => Math.hypot(p[0] - q[0], p[1] - q[1]);
  return {
    width: Math.max(1, Math.round(Math.max(d(quad[0], quad[1]), d(quad[3], quad[2])))),
    height: Math.max(1, Math.round(Math.max(d(quad[0], quad[3]), d(quad[1], quad[2])))),
  };
}

/** The part of a quad between two fractions of its height (0 top, 1 bottom), following its left and right edges. */
export function quadBand(quad: Quad, from: number, to: number): Quad {
  const along = (p: Point, q: Point, t: number): Point => [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
  return [along(quad[0], quad[3], from), along(quad[1], quad[2], from), along(quad[1], quad[2], to), along(quad[0], quad[3], to)];
}

/**
 * Perspective-rectifies a quad of the image into a `width`×`height` RGB image: each output pixel centre is mapped
 * through the homography and sampled bilinearly; samples outside the image take the nearest edge pixel.
 */
export function rectify(image: RgbImage, quad: Quad, width: number, height: number): RgbImage {
  const h = rectToQuad(width, height, quad);
  const out = new Uint8Array(width * height * 3);
  const { data, width: iw, height: ih } = image;
  const maxX = iw - 1;
  const maxY = ih - 1;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const v = y + 0.5;
    for (let x = 0; x < width; x++, o += 3) {
      const u = x + 0.5;
      const w = h[6] * u + h[7] * v + h[8];
      // Pixel centres sit at +0.5 in the continuous frame the corners are given in.
      let sx = (h[0] * u + h[1] * v + h[2]) / w - 0.5;
      let sy = (h[3] * u + h[4] * v + h[5]) / w - 0.5;
      sx = sx < 0 ? 0 : Math.min(sx, maxX);
      sy = sy < 0 ? 0 : Math.min(sy, maxY);
      const x0 = sx | 0;
      const y0 = sy | 0;
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = sx - x0;
      const fy = sy - y0;
      const a = (y0 * iw + x0) * 3;
      const b = (y0 * iw + x1) * 3;
      const c = (y1 * iw + x0) * 3;
      const d = (y1 * iw + x1) * 3;
      const w11 = fx * fy;
      const w10 = fy - w11;
      const w01 = fx - w11;
      const w00 = 1 - fx - w10;
      out[o] = data[a] * w00 + data[b] * w01 + data[c] * w10 + data[d] * w11 + 0.5;
      out[o + 1] = data[a + 1] * w00 + data[b + 1] * w01 + data[c + 1] * w10 + data[d + 1] * w11 + 0.5;
      out[o + 2] = data[a + 2] * w00 + data[b + 2] * w01 + data[c + 2] * w10 + data[d + 2] * w11 + 0.5;
    }
  }
  return { data: out, width, height };
}
