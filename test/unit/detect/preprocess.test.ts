import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../agent/src/core/geometry.ts';
import { fitWindow, Preprocessor } from '../../../agent/src/detect/preprocess.ts';
import type { ModelManifest } from '../../../agent/src/model/manifest.ts';

const spec = (over: Partial<ModelManifest['input']> = {}): ModelManifest['input'] => ({
  width: 4,
  height: 4,
  colorOrder: 'rgb',
  mean: [10, 20, 30],
  std: [2, 4, 5],
  resize: 'letterbox',
  padValue: 0,
  ...over,
});

/** Pixel (x, y) has R = 10x + y, G = 100 + R, B = 200 - R: every pixel and channel distinct. */
function image(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = 10 * x + y;
      data.set([r, 100 + r, 200 - r], (y * width + x) * 3);
    }
  }
  return { data, width, height };
}

const plane = (p: Preprocessor, c: number, w = 4, h = 4) => Array.from(p.input.subarray(c * w * h, (c + 1) * w * h));

describe('fitWindow', () => {
  it('letterbox keeps the aspect ratio and puts the image top-left', () => {
    expect(fitWindow(1441, 731, 416, 416, 'letterbox')).toEqual({
      scaleX: 416 / 1441,
      scaleY: 211 / 731,
      contentWidth: 416,
      contentHeight: 211,
      rows: 416,
    });
  });
  it('stretch fills the input, one scale per axis', () => {
    expect(fitWindow(128, 64, 64, 64, 'stretch', 32)).toEqual({ scaleX: 0.5, scaleY: 1, contentWidth: 64, contentHeight: 64, rows: 64 });
  });
  it('with trimmed padding a 16:9 frame runs on its own rows rounded up to the multiple, a tall one on all of them', () => {
    expect(fitWindow(640, 360, 416, 416, 'letterbox', 32)).toMatchObject({ contentHeight: 234, rows: 256, scaleX: 0.65, scaleY: 0.65 });
    expect(fitWindow(1441, 731, 416, 416, 'letterbox', 32)).toMatchObject({ contentHeight: 211, rows: 224 });
    expect(fitWindow(416, 416, 416, 416, 'letterbox', 32).rows).toBe(416);
    expect(fitWindow(810, 1080, 416, 416, 'letterbox', 32)).toMatchObject({ contentWidth: 312, rows: 416 });
  });
});

describe('Preprocessor', () => {
  it('copies a window of the model size 1:1, normalised per channel into CHW planes', () => {
    const p = new Preprocessor(spec());
    const img = image(4, 4);
    p.fill(img, { x: 0, y: 0, width: 4, height: 4 });
    const r = (x: number, y: number) => 10 * x + y;
    const want = (f: (v: number) => number) => Array.from({ length: 16 }, (_, i) => f(r(i % 4, Math.floor(i / 4))));
    expect(plane(p, 0)).toEqual(want((v) => Math.fround((v - 10) / 2)));
    expect(plane(p, 1)).toEqual(want((v) => Math.fround((100 + v - 20) / 4)));
    expect(plane(p, 2)).toEqual(want((v) => Math.fround((200 - v - 30) / 5)));
  });

  it('puts blue in the first plane for a BGR model', () => {
    const p = new Preprocessor(spec({ colorOrder: 'bgr', mean: [0, 0, 0], std: [1, 1, 1] }));
    p.fill(image(4, 4), { x: 0, y: 0, width: 4, height: 4 });
    expect(plane(p, 0)[0]).toBe(200);
    expect(plane(p, 1)[0]).toBe(100);
    expect(plane(p, 2)[0]).toBe(0);
  });

  it('averages each 2×2 block when halving (pixel centres aligned)', () => {
    const p = new Preprocessor(spec({ width: 2, height: 2, mean: [0, 0, 0], std: [1, 1, 1] }));
    p.fill(image(4, 4), { x: 0, y: 0, width: 4, height: 4 });
    // Block (0,0): R values 0, 10, 1, 11 → 5.5; block (1,0): 20, 30, 21, 31 → 25.5; rows below add 2.
    expect(plane(p, 0, 2, 2)).toEqual([5.5, 25.5, 7.5, 27.5]);
  });

  it('crops a window without resampling when it has the model size', () => {
    const p = new Preprocessor(spec({ width: 2, height: 2, mean: [0, 0, 0], std: [1, 1, 1] }));
    p.fill(image(4, 4), { x: 2, y: 1, width: 2, height: 2 });
    expect(plane(p, 0, 2, 2)).toEqual([21, 31, 22, 32]);
  });

  it('pads below a wide image with the normalised pad value, and restores the padding after a full-size frame', () => {
    const p = new Preprocessor(spec({ padValue: 114 }));
    const pad = [(114 - 10) / 2, (114 - 20) / 4, (114 - 30) / 5].map(Math.fround);
    const wide = image(8, 4);
    const fit = p.fill(wide, { x: 0, y: 0, width: 8, height: 4 });
    expect(fit).toMatchObject({ contentWidth: 4, contentHeight: 2, scaleX: 0.5, scaleY: 0.5 });
    for (let c = 0; c < 3; c++) expect(plane(p, c).slice(8)).toEqual(Array(8).fill(pad[c]));
    p.fill(image(4, 4), { x: 0, y: 0, width: 4, height: 4 });
    expect(plane(p, 0)[12]).toBe(Math.fround((3 - 10) / 2));
    p.fill(wide, { x: 0, y: 0, width: 8, height: 4 });
    for (let c = 0; c < 3; c++) expect(plane(p, c).slice(8)).toEqual(Array(8).fill(pad[c]));
  });

  it('packs the planes for the trimmed rows of a whole frame, and only of a whole frame', () => {
    const trimmed = new Preprocessor(spec({ width: 8, height: 8, trimPaddingTo: 2, padValue: 114 }));
    const square = new Preprocessor(spec({ width: 8, height: 8, padValue: 114 }));
    const wide = image(8, 2);
    const whole = { x: 0, y: 0, width: 8, height: 2 };
    expect(trimmed.fill(wide, whole).rows).toBe(2);
    square.fill(wide, whole);
    // The trimmed tensor is the square one's first two rows of each plane: the same values, no padding between.
    for (let c = 0; c < 3; c++) {
      expect(Array.from(trimmed.input.subarray(c * 16, (c + 1) * 16))).toEqual(Array.from(square.input.subarray(c * 64, c * 64 + 16)));
    }
    // A window of a larger frame looks at detail: it keeps the model's full input, padded as before.
    const fit = trimmed.fill(image(16, 4), { x: 0, y: 0, width: 8, height: 2 });
    expect(fit.rows).toBe(8);
    expect(Array.from(trimmed.input.subarray(0, 64))).toEqual(Array.from(square.input.subarray(0, 64)));
  });

  it('writes into the same buffer every time', () => {
    const p = new Preprocessor(spec());
    const buf = p.input;
    p.fill(image(4, 4), { x: 0, y: 0, width: 4, height: 4 });
    p.fill(image(6, 3), { x: 1, y: 0, width: 5, height: 3 });
    expect(p.input).toBe(buf);
  });
});
