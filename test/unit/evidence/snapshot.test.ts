import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../agent/src/core/geometry.ts';
import { compilePrivacyMask } from '../../../agent/src/core/privacy-mask.ts';
import { localTimeLabel, renderSnapshot, thumbnail } from '../../../agent/src/evidence/snapshot.ts';
import { sample } from '../../helpers/paths.ts';

async function decode(jpeg: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

async function load(name: string): Promise<RgbImage> {
  return decode(await sharp(sample(name)).jpeg({ quality: 100 }).toBuffer());
}

const rgb = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
const near = (a: number[], b: number[], tol = 50) => a.every((v, i) => Math.abs(v - b[i]) <= tol);
const RED = [255, 42, 42];
const YELLOW = [255, 212, 0];

describe('annotated snapshot', () => {
  it('draws the box and the zone where they are, scaled from the analysis frame to a larger evidence frame', async () => {
    const grey: RgbImage = { data: new Uint8Array(1280 * 720 * 3).fill(128), width: 1280, height: 720 };
    const snap = await renderSnapshot(
      grey,
      {
        camera: 'cam-1',
        at: Date.parse('2024-05-01T06:03:22Z'),
        zone: {
          name: 'no parking',
          polygon: [
            [20, 40],
            [620, 40],
            [620, 300],
            [20, 300],
          ],
        },
        objects: [{ box: { x1: 100, y1: 100, x2: 300, y2: 200 }, label: 'car', score: 0.91, trackId: 7 }],
      },
      { frame: { width: 640, height: 360 }, timezone: 'Asia/Shanghai', quality: 90 },
    );
    expect([snap.width, snap.height]).toEqual([1280, 720]);
    expect(snap.sha256).toBe(createHash('sha256').update(snap.jpeg).digest('hex'));
    const img = await decode(snap.jpeg);
    // Box edges at 2× scale: x 200..600, y 200..400.
    expect(rgb(img, 200, 300)).toSatisfy((c: number[]) => near(c, RED));
    expect(rgb(img, 600, 300)).toSatisfy((c: number[]) => near(c, RED));
    expect(rgb(img, 400, 400)).toSatisfy((c: number[]) => near(c, RED));
    // Inside the box: the picture shows through (slightly tinted by the zone fill).
    expect(rgb(img, 400, 300)).toSatisfy((c: number[]) => near(c, [128, 128, 128], 30));
    // Zone edges at 2× scale: x 40 and 1240, y 80 and 600.
    expect(rgb(img, 40, 500)).toSatisfy((c: number[]) => near(c, YELLOW));
    expect(rgb(img, 1240, 300)).toSatisfy((c: number[]) => near(c, YELLOW));
    expect(rgb(img, 700, 600)).toSatisfy((c: number[]) => near(c, YELLOW));
    // Outside the zone nothing is drawn.
    expect(rgb(img, 1270, 20)).toSatisfy((c: number[]) => near(c, [128, 128, 128], 6));
  });

  it('keeps privacy-masked pixels black in the JPEG of a real photo', async () => {
    const img = await load('street.png');
    const mask = compilePrivacyMask([
      [
        [0.62, 0.05],
        [0.95, 0.05],
        [0.95, 0.45],
        [0.62, 0.45],
      ],
    ]);
    mask.apply(img);
    const snap = await renderSnapshot(
      img,
      { camera: 'east-gate', at: Date.now(), objects: [{ box: { x1: 50, y1: 200, x2: 200, y2: 300 }, label: 'car', score: 0.8 }] },
      { frame: { width: 640, height: 360 }, timezone: 'UTC', quality: 85 },
    );
    const out = await decode(snap.jpeg);
    let brightest = 0;
    // Every pixel whose 16×16 JPEG macroblock lies inside the mask (ringing and chroma subsampling only reach into border blocks).
    for (let y = Math.ceil((0.05 * out.height) / 16) * 16; y < Math.floor((0.45 * out.height) / 16) * 16; y++) {
      for (let x = Math.ceil((0.62 * out.width) / 16) * 16; x < Math.floor((0.95 * out.width) / 16) * 16; x++)
        brightest = Math.max(brightest, ...rgb(out, x, y));
    }
    expect(brightest).toBeLessThanOrEqual(4);
  });

  it('rejects an image whose buffer does not match its size', async () => {
    await expect(
      renderSnapshot(
        { data: new Uint8Array(5), width: 4, height: 4 },
        { camera: 'c', at: 0, objects: [] },
        { frame: { width: 4, height: 4 }, timezone: 'UTC', quality: 80 },
      ),
    ).rejects.toThrow(/expected an RGB24 image of 4×4×3 bytes, got 5/);
  });

  it('prints local time in the site time zone with its offset', () => {
    expect(localTimeLabel(Date.parse('2024-05-01T18:03:22Z'), 'Asia/Shanghai')).toBe('2024-05-02 02:03:22 +08:00');
    expect(localTimeLabel(Date.parse('2024-05-01T18:03:22Z'), 'UTC')).toBe('2024-05-01 18:03:22 +00:00');
  });
});

describe('thumbnail', () => {
  it('is a decodable JPEG within the size bound and the side limit', async () => {
    const img = await load('street.png');
    const snap = await renderSnapshot(
      img,
      { camera: 'c', at: 0, objects: [] },
      { frame: { width: img.width, height: img.height }, timezone: 'UTC', quality: 90 },
    );
    const t = await thumbnail(snap.jpeg, { maxSide: 320, maxBytes: 20_000 });
    const bytes = Buffer.from(t.base64, 'base64');
    expect(bytes.length).toBeLessThanOrEqual(20_000);
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([t.width, t.height]);
    expect(t.width).toBe(320);
    expect(t.height).toBe(Math.round((320 * img.height) / img.width));
  });

  it('shrinks an image that does not compress (noise) until it fits', async () => {
    const noise = randomBytes(1600 * 1200 * 3);
    const jpeg = await sharp(noise, { raw: { width: 1600, height: 1200, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const t = await thumbnail(jpeg, { maxSide: 640, maxBytes: 20_000 });
    expect(Buffer.from(t.base64, 'base64').length).toBeLessThanOrEqual(20_000);
    expect(t.width).toBeLessThan(640);
  });
});
