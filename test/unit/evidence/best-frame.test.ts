import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../agent/src/core/geometry.ts';
import { BestFrames, frameQuality, sharpness } from '../../../agent/src/evidence/best-frame.ts';
import { sample } from '../../helpers/paths.ts';

const frame = { width: 640, height: 360 };
const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

async function street(blur?: number): Promise<RgbImage> {
  let s = sharp(sample('street.png')).removeAlpha().resize(640, 360, { fit: 'fill' });
  if (blur) s = s.blur(blur);
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

describe('frame quality', () => {
  const base = { objects: [{ box: box(100, 100, 200, 180), score: 0.7 }], frame, sharpness: 200 };

  it('prefers a larger object, a higher score and a sharper picture', () => {
    const q = frameQuality(base);
    expect(frameQuality({ ...base, objects: [{ box: box(100, 100, 300, 260), score: 0.7 }] })).toBeGreaterThan(q);
    expect(frameQuality({ ...base, objects: [{ box: box(100, 100, 200, 180), score: 0.9 }] })).toBeGreaterThan(q);
    expect(frameQuality({ ...base, sharpness: 800 })).toBeGreaterThan(q);
  });

  it('prefers an object fully in view over one cut by the frame edge', () => {
    const inView = frameQuality({ ...base, objects: [{ box: box(500, 100, 630, 200), score: 0.7 }] });
    const cut = frameQuality({ ...base, objects: [{ box: box(510, 100, 640, 200), score: 0.7 }] });
    expect(cut).toBeLessThan(inView);
  });

  it('is 0 without objects and stays within 0..1', () => {
    expect(frameQuality({ ...base, objects: [] })).toBe(0);
    expect(frameQuality({ objects: [{ box: box(10, 10, 630, 350), score: 1 }], frame, sharpness: 1e9 })).toBeLessThanOrEqual(1);
  });
});

describe('sharpness', () => {
  it('is lower for a blurred picture of the same scene (real photo)', async () => {
    const b = box(0, 200, 300, 340);
    const crisp = sharpness(await street(), b);
    const blurred = sharpness(await street(2), b);
    expect(crisp).toBeGreaterThan(3 * blurred);
  });

  it('is 0 for a flat image and for a box outside the frame', () => {
    const flat: RgbImage = { data: new Uint8Array(64 * 64 * 3).fill(90), width: 64, height: 64 };
    expect(sharpness(flat, box(5, 5, 50, 50))).toBe(0);
    expect(sharpness(flat, box(100, 100, 120, 120))).toBe(0);
  });
});

describe('best frame per event', () => {
  it('keeps the sharper frame, as a copy the caller may overwrite', async () => {
    const best = new BestFrames<{ at: number }>();
    const objects = [{ box: box(0, 200, 300, 340), score: 0.8 }];
    const blurred = await street(3);
    const crisp = await street();
    expect(best.offer('e1', blurred, objects, { at: 1 })).toBe(true);
    expect(best.offer('e1', crisp, objects, { at: 2 })).toBe(true);
    const expected = Uint8Array.from(crisp.data);
    crisp.data.fill(0);
    expect(best.offer('e1', blurred, objects, { at: 3 })).toBe(false);
    const held = best.get('e1')!;
    expect(held.meta.at).toBe(2);
    expect(Buffer.compare(Buffer.from(held.image.data), Buffer.from(expected))).toBe(0);
  });

  it('ignores gains below the threshold, keeps events apart and forgets dropped ones', async () => {
    const best = new BestFrames<number>(0.05);
    const img = await street();
    expect(best.offer('a', img, [{ box: box(0, 200, 300, 340), score: 0.8 }], 1)).toBe(true);
    expect(best.offer('a', img, [{ box: box(0, 200, 300, 340), score: 0.82 }], 2)).toBe(false);
    expect(best.offer('a', img, [{ box: box(0, 200, 300, 340), score: 0.95 }], 3)).toBe(true);
    expect(best.offer('b', img, [{ box: box(0, 200, 300, 340), score: 0.5 }], 4)).toBe(true);
    expect([best.get('a')!.meta, best.get('b')!.meta]).toEqual([3, 4]);
    best.drop('a');
    expect(best.get('a')).toBeUndefined();
    expect(best.size).toBe(1);
  });
});
