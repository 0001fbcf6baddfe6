import { describe, expect, it } from 'vitest';
import type { Box, RgbImage } from '../../../agent/src/core/geometry.ts';
import { findBystanderPlates, type PlateFinder, pixelatePlates } from '../../../agent/src/evidence/plate-privacy.ts';
import type { PlateDetection } from '../../../agent/src/plate/decode.ts';

const image: RgbImage = { data: new Uint8Array(200 * 100 * 3), width: 200, height: 100 };
const plate = (box: Box, score: number): PlateDetection => ({
  box,
  score,
  rows: 1,
  corners: [
    [box.x1, box.y1],
    [box.x2, box.y1],
    [box.x2, box.y2],
    [box.x1, box.y2],
  ],
});
const inside = (b: Box, r?: Box) => !r || (b.x1 >= r.x1 && b.y1 >= r.y1 && b.x2 <= r.x2 && b.y2 <= r.y2);

/** A scripted plate finder (the real detector runs in plate-privacy.test.ts): the plates of a fixed scene inside the region asked. */
function sceneFinder(plates: PlateDetection[]): PlateFinder & { regions: (Box | undefined)[] } {
  const regions: (Box | undefined)[] = [];
  return { regions, find: async (_img, region) => (regions.push(region), plates.filter((p) => inside(p.box, region))) };
}

describe('which plates are the event’s and which are hidden (scripted finder)', () => {
  const eventCar = { x1: 100, y1: 20, x2: 200, y2: 100 };
  const own = plate({ x1: 150, y1: 80, x2: 180, y2: 90 }, 0.9);
  const neighbour = plate({ x1: 102, y1: 60, x2: 120, y2: 66 }, 0.5);
  const van = plate({ x1: 10, y1: 50, x2: 40, y2: 60 }, 0.8);

  it('keeps the best plate in each event vehicle’s box and hides every other one found, once', async () => {
    const finder = sceneFinder([own, neighbour, van]);
    const r = await findBystanderPlates(
      image,
      finder,
      [eventCar],
      [
        { x1: 0, y1: 30, x2: 110, y2: 100 },
        { x1: 0, y1: 31, x2: 110, y2: 100 },
      ],
    );
    expect(r.keep).toEqual([own.box]);
    expect(r.hide).toEqual([neighbour.box, van.box]);
    // The second, near-identical vehicle box is not searched again.
    expect(finder.regions).toEqual([eventCar, undefined, { x1: 0, y1: 30, x2: 110, y2: 100 }]);
  });

  it('a plate found cut by one vehicle box and whole in another is hidden over both extents', async () => {
    const cut = plate({ x1: 20, y1: 50, x2: 40, y2: 60 }, 0.7);
    const finder: PlateFinder = { find: async (_img, region) => (region?.x1 === 20 ? [cut] : region ? [van] : []) };
    const r = await findBystanderPlates(
      image,
      finder,
      [],
      [
        { x1: 20, y1: 0, x2: 100, y2: 100 },
        { x1: 0, y1: 0, x2: 60, y2: 100 },
      ],
    );
    expect(r.hide).toEqual([van.box]);
  });

  it('pixelates a plate into at most three blocks over its height, grown by a margin', () => {
    const img: RgbImage = { data: new Uint8Array(100 * 100 * 3), width: 100, height: 100 };
    for (let i = 0; i < img.data.length; i += 3) img.data[i] = (i / 3) % 2 ? 255 : 0;
    pixelatePlates(img, [{ x1: 20, y1: 20, x2: 80, y2: 50 }], 2);
    // 30 px high + 15 % each side: from (11, 15) to (89, 55), blocks of 13 px, one colour each.
    const red = (x: number, y: number) => img.data[(y * 100 + x) * 3];
    const firstBlock = new Set<number>();
    for (let y = 15; y < 28; y++) for (let x = 11; x < 24; x++) firstBlock.add(red(x, y));
    expect([...firstBlock]).toHaveLength(1);
    // Outside the grown box the pattern is untouched.
    expect([red(10, 30), red(9, 30)]).toEqual([0, 255]);
    expect([red(50, 14), red(51, 14)]).toEqual([0, 255]);
  });
});
