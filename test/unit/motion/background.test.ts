import { describe, expect, it } from 'vitest';
import { BackgroundModel, Blobs, dilate } from '../../../agent/src/motion/background.ts';
import { rasteriseMasks } from '../../../agent/src/motion/grid.ts';

const W = 12;
const H = 8;
function grid(cells: [number, number][]): Uint8Array {
  const g = new Uint8Array(W * H);
  for (const [x, y] of cells) g[y * W + x] = 1;
  return g;
}

describe('Blobs (8-connected components)', () => {
  it('joins diagonal neighbours, separates islands, reports boxes in cells and counts weight', () => {
    const mask = grid([
      [1, 1],
      [2, 2],
      [3, 3],
      [8, 1],
      [9, 1],
      [8, 2],
      [5, 6],
    ]);
    const blobs = new Blobs(W, H);
    expect(blobs.find(mask, 1)).toBe(3);
    const found = Array.from({ length: blobs.count }, (_, i) => [blobs.x1[i], blobs.y1[i], blobs.x2[i], blobs.y2[i], blobs.area[i]]);
    expect(found).toEqual(
      expect.arrayContaining([
        [1, 1, 4, 4, 3],
        [8, 1, 10, 3, 3],
        [5, 6, 6, 7, 1],
      ]),
    );
    expect(blobs.find(mask, 2)).toBe(2);
    // Weighted: the component's area is the count of weight cells in it.
    expect(
      blobs.find(
        mask,
        2,
        grid([
          [1, 1],
          [8, 1],
          [9, 1],
        ]),
      ),
    ).toBe(1);
    expect(blobs.box(0, 10, 5)).toEqual({ x1: 80, y1: 5, x2: 100, y2: 15 });
  });

  it('a U shape whose arms meet only at the bottom is one component', () => {
    const mask = grid([
      [2, 1],
      [2, 2],
      [2, 3],
      [6, 1],
      [6, 2],
      [6, 3],
      [3, 4],
      [4, 4],
      [5, 4],
    ]);
    const blobs = new Blobs(W, H);
    expect(blobs.find(mask, 1)).toBe(1);
    expect([blobs.x1[0], blobs.y1[0], blobs.x2[0], blobs.y2[0], blobs.area[0]]).toEqual([2, 1, 7, 5, 9]);
  });
});

describe('dilate', () => {
  it('grows each cell into a (2r+1)² square, clipped at the edges', () => {
    const out = new Uint8Array(W * H);
    dilate(
      grid([
        [0, 0],
        [6, 4],
      ]),
      W,
      H,
      1,
      out,
      new Uint8Array(W * H),
      new Uint16Array(W),
    );
    const set = [...out.keys()].filter((i) => out[i]).map((i) => [i % W, Math.floor(i / W)]);
    expect(set).toEqual(
      expect.arrayContaining([
        [0, 0],
        [1, 1],
        [5, 3],
        [7, 5],
        [6, 4],
      ]),
    );
    expect(set).toHaveLength(4 + 9);
  });
});

describe('BackgroundModel', () => {
  it('learns at its rate; foreground is what differs by more than the threshold', () => {
    const bg = new BackgroundModel(4, 0.5);
    bg.learn(Uint8Array.from([100, 100, 100, 100]));
    bg.learn(Uint8Array.from([100, 100, 200, 100]));
    expect(Array.from(bg.values)).toEqual([100, 100, 150, 100]);
    const fg = new Uint8Array(4);
    expect(bg.foreground(Uint8Array.from([100, 140, 200, 100]), 30, fg)).toBe(2);
    expect(Array.from(fg)).toEqual([0, 1, 1, 0]);
    // A slow scene model: a cell that changed stays foreground for many frames.
    const scene = new BackgroundModel(1, 0.001);
    scene.reset(Uint8Array.from([50]));
    for (let i = 0; i < 300; i++) scene.learn(Uint8Array.from([200]));
    expect(scene.foreground(Uint8Array.from([200]), 30, new Uint8Array(1))).toBe(1);
  });

  it('masked cells are neither learnt nor foreground', () => {
    const bg = new BackgroundModel(2, 1);
    const active = Uint8Array.from([1, 0]);
    bg.reset(Uint8Array.from([0, 0]));
    bg.learn(Uint8Array.from([50, 50]), active);
    expect(Array.from(bg.values)).toEqual([50, 0]);
    expect(bg.foreground(Uint8Array.from([200, 200]), 10, new Uint8Array(2), active)).toBe(1);
  });
});

describe('rasteriseMasks', () => {
  it('cells whose centre is inside a normalised polygon are inactive', () => {
    const active = rasteriseMasks(
      [
        [
          [0, 0],
          [0.5, 0],
          [0.5, 0.5],
          [0, 0.5],
        ],
      ],
      4,
      4,
    );
    expect(Array.from(active)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });
});
