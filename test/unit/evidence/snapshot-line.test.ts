import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../agent/src/core/geometry.ts';
import { type CrossingLine, renderSnapshot } from '../../../agent/src/evidence/snapshot.ts';
import { sample } from '../../helpers/paths.ts';

/** The line colour (#00e5ff) after JPEG's chroma subsampling of a thin stroke: far more green and blue than red. */
const cyan = (c: number[]) => c[1] - c[0] > 80 && c[2] - c[0] > 100;
const near = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

/** street.png at the analysis size, annotated with a vertical line from top to bottom, decoded again. */
async function annotated(line: CrossingLine | undefined): Promise<(x: number, y: number) => number[]> {
  const { data, info } = await sharp(sample('street.png'))
    .resize(640, 360, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const image: RgbImage = { data: new Uint8Array(data), width: info.width, height: info.height };
  const snap = await renderSnapshot(
    image,
    { camera: 'gate', at: Date.parse('2024-05-01T06:03:22Z'), zone: { name: 'gate line', polygon: [] }, line, objects: [] },
    { frame: { width: 640, height: 360 }, timezone: 'Asia/Shanghai', quality: 95 },
  );
  const out = await sharp(snap.jpeg).raw().toBuffer({ resolveWithObject: true });
  return (x, y) => Array.from(out.data.subarray((y * out.info.width + x) * 3, (y * out.info.width + x) * 3 + 3));
}

describe('snapshot of a line_crossing event', () => {
  const points: CrossingLine['points'] = [
    [320, 36],
    [320, 324],
  ];

  it('draws the line, and an arrow across it towards the side a counted crossing goes to', async () => {
    // Walking the line down the image, its right-hand side is the image's left: left_to_right points left.
    const px = await annotated({ points, direction: 'left_to_right' });
    const plain = await annotated(undefined);
    expect(px(320, 60)).toSatisfy(cyan);
    expect(px(320, 300)).toSatisfy(cyan);
    expect(px(300, 180)).toSatisfy(cyan);
    expect(px(340, 180)).toEqual(expect.toSatisfy((c: number[]) => near(c, plain(340, 180), 12)));
    for (const [x, y] of [
      [320, 60],
      [300, 180],
      [340, 180],
    ])
      expect(plain(x, y)).not.toSatisfy(cyan);
  });

  it('the other direction points the other way, and "any" both ways', async () => {
    const back = await annotated({ points, direction: 'right_to_left' });
    expect(back(340, 180)).toSatisfy(cyan);
    expect(back(300, 180)).not.toSatisfy(cyan);
    const any = await annotated({ points, direction: 'any' });
    expect(any(300, 180)).toSatisfy(cyan);
    expect(any(340, 180)).toSatisfy(cyan);
  });
});
