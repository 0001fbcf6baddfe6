import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type Point, pointInPolygon, type RgbImage } from '../../../agent/src/core/geometry.ts';
import { compilePrivacyMask } from '../../../agent/src/core/privacy-mask.ts';
import { pixelateBoxes } from '../../../agent/src/evidence/pixelate.ts';
import { sample } from '../../helpers/paths.ts';

function filled(width: number, height: number, v = 200): RgbImage {
  return { data: new Uint8Array(width * height * 3).fill(v), width, height };
}

const isBlack = (img: RgbImage, x: number, y: number) => {
  const i = (y * img.width + x) * 3;
  return img.data[i] === 0 && img.data[i + 1] === 0 && img.data[i + 2] === 0;
};

function distanceToEdges(poly: readonly Point[], x: number, y: number): number {
  let best = Infinity;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [ax, ay] = poly[j];
    const [bx, by] = poly[i];
    const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    best = Math.min(best, Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))));
  }
  return best;
}

describe('privacy masks', () => {
  it('blacks out exactly the pixels of a mask aligned to pixel borders', () => {
    const img = filled(100, 50);
    compilePrivacyMask([
      [
        [0.1, 0.2],
        [0.3, 0.2],
        [0.3, 0.6],
        [0.1, 0.6],
      ],
    ]).apply(img);
    for (let y = 0; y < 50; y++) {
      for (let x = 0; x < 100; x++) expect(isBlack(img, x, y), `pixel ${x},${y}`).toBe(x >= 10 && x < 30 && y >= 10 && y < 30);
    }
  });

  it('covers every pixel a slanted polygon touches, and leaves pixels away from it alone', () => {
    const w = 320;
    const h = 180;
    const norm: Point[] = [
      [0.05, 0.1],
      [0.62, 0.23],
      [0.4, 0.93],
      [0.21, 0.5],
    ];
    const px = norm.map(([x, y]) => [x * w, y * h] as Point);
    const img = filled(w, h);
    compilePrivacyMask([norm]).apply(img);
    const missed: string[] = [];
    const spilled: string[] = [];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const cx = x + 0.5;
        const cy = y + 0.5;
        if (pointInPolygon([cx, cy], px)) {
          if (!isBlack(img, x, y)) missed.push(`${x},${y}`);
        } else if (distanceToEdges(px, cx, cy) > 0.75 && isBlack(img, x, y)) spilled.push(`${x},${y}`);
      }
    }
    expect(missed).toEqual([]);
    expect(spilled).toEqual([]);
  });

  it('blacks out every masked pixel of a real photo and nothing else', async () => {
    const { data, info } = await sharp(sample('street.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const original = Uint8Array.from(data);
    const img: RgbImage = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
    const masks: Point[][] = [
      [
        [0.6, 0.05],
        [0.9, 0.05],
        [0.9, 0.3],
        [0.6, 0.3],
      ],
      [
        [0.0, 0.7],
        [0.2, 0.6],
        [0.25, 1.0],
        [0.0, 1.0],
      ],
    ];
    compilePrivacyMask(masks).apply(img);
    const px = masks.map((m) => m.map(([x, y]) => [x * img.width, y * img.height] as Point));
    let notBlackInside = 0;
    let blackInside = 0;
    let changedOutside = 0;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const c = [x + 0.5, y + 0.5] as const;
        const i = (y * img.width + x) * 3;
        if (px.some((p) => pointInPolygon(c, p))) {
          if (isBlack(img, x, y)) blackInside++;
          else notBlackInside++;
        } else if (img.data[i] !== original[i] && px.every((p) => distanceToEdges(p, ...c) > 0.75)) changedOutside++;
      }
    }
    expect(blackInside).toBeGreaterThan(0.1 * img.width * img.height);
    expect(notBlackInside).toBe(0);
    expect(changedOutside).toBe(0);
  });

  it('overlapping masks (even-odd per polygon) stay blacked out where they overlap', () => {
    const img = filled(40, 40);
    compilePrivacyMask([
      [
        [0, 0],
        [0.5, 0],
        [0.5, 0.5],
        [0, 0.5],
      ],
      [
        [0.25, 0.25],
        [0.75, 0.25],
        [0.75, 0.75],
        [0.25, 0.75],
      ],
    ]).apply(img);
    expect(isBlack(img, 15, 15)).toBe(true);
    expect(isBlack(img, 5, 5)).toBe(true);
    expect(isBlack(img, 25, 25)).toBe(true);
    expect(isBlack(img, 35, 5)).toBe(false);
  });

  it('applies the same mask to frames of different sizes (analysis and evidence stream)', () => {
    const mask = compilePrivacyMask([
      [
        [0.5, 0],
        [1, 0],
        [1, 1],
        [0.5, 1],
      ],
    ]);
    const small = filled(64, 36);
    const big = filled(1920, 1080);
    mask.apply(small);
    mask.apply(big);
    expect([isBlack(small, 31, 10), isBlack(small, 32, 10)]).toEqual([false, true]);
    expect([isBlack(big, 959, 500), isBlack(big, 960, 500), isBlack(big, 1919, 1079)]).toEqual([false, true, true]);
  });

  it('rejects masks outside 0..1 or with fewer than 3 points, naming the mask', () => {
    expect(() =>
      compilePrivacyMask([
        [
          [0, 0],
          [1, 1],
        ],
      ]),
    ).toThrow(/privacy mask 0: expected a polygon of at least 3/);
    expect(() =>
      compilePrivacyMask([
        [
          [0, 0],
          [1, 0],
          [1, 1],
        ],
        [
          [0, 0],
          [640, 0],
          [0, 360],
        ],
      ]),
    ).toThrow(/privacy mask 1 point 1: expected normalised coordinates inside 0\.\.1, got \[640, 0\]/);
  });

  it('rejects an image whose buffer does not match its size', () => {
    const mask = compilePrivacyMask([
      [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
    ]);
    expect(() => mask.apply({ data: new Uint8Array(10), width: 4, height: 4 })).toThrow(
      /expected an RGB24 image of 4×4×3 = 48 bytes, got 10/,
    );
  });
});

describe('pixelation of bystanders', () => {
  it('turns a box into uniform blocks of its average colour and leaves the rest untouched', () => {
    const w = 64;
    const h = 64;
    const img: RgbImage = { data: new Uint8Array(w * h * 3), width: w, height: h };
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37) % 251;
    const before = Uint8Array.from(img.data);
    pixelateBoxes(img, [{ x1: 8, y1: 8, x2: 24, y2: 24 }], 8);
    const at = (x: number, y: number) => Array.from(img.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));
    for (const [bx, by] of [
      [8, 8],
      [16, 8],
      [8, 16],
      [16, 16],
    ]) {
      const first = at(bx, by);
      const mean = [0, 1, 2].map((c) => {
        let s = 0;
        for (let y = by; y < by + 8; y++) for (let x = bx; x < bx + 8; x++) s += before[(y * w + x) * 3 + c];
        return Math.round(s / 64);
      });
      expect(first).toEqual(mean);
      for (let y = by; y < by + 8; y++) for (let x = bx; x < bx + 8; x++) expect(at(x, y)).toEqual(first);
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (x >= 8 && x < 24 && y >= 8 && y < 24) continue;
        const i = (y * w + x) * 3;
        expect(img.data[i]).toBe(before[i]);
      }
    }
  });

  it('clips boxes that run past the image edge', () => {
    const img = filled(20, 20);
    img.data[(17 * 20 + 1) * 3] = 0;
    pixelateBoxes(img, [{ x1: -5, y1: 16, x2: 30, y2: 40 }], 4);
    // The block (0..3, 16..19) took the mean of its 16 pixels: one red channel dropped from 200 to 0.
    expect(img.data[16 * 20 * 3]).toBe(Math.round((15 * 200) / 16));
    expect(img.data[(19 * 20 + 3) * 3]).toBe(Math.round((15 * 200) / 16));
    expect(img.data[15 * 20 * 3]).toBe(200);
    expect(() => pixelateBoxes(img, [], 1)).toThrow(/expected an integer ≥ 2 pixels, got 1/);
  });
});
