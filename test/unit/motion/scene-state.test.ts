import { describe, expect, it } from 'vitest';
import {
  carryBlobIds,
  colourfulness,
  createSceneState,
  emptyPatches,
  findShift,
  fitLight,
  isIrSwitch,
  type Patches,
  patchDiffers,
  sceneGrid,
} from '../../../agent/src/motion/scene.ts';

const K = 4;
const SAMPLES = K * K;
/** 384 × 192 pixels: 96 × 48 cells of 4 px, one pixel per sample. */
const GRID = sceneGrid(384, 192);
const NONE = { gain: 1, offset: 0 };

/** A textured scene: luma varies within every cell, colour a warm grey. */
function scene(luma: (x: number, y: number) => number, rgb: [number, number, number] = [120, 100, 80]): Patches {
  const p = emptyPatches(GRID.cells);
  for (let k = 0; k < GRID.cells; k++) {
    const cx = k % GRID.cols;
    const cy = Math.floor(k / GRID.cols);
    for (let s = 0; s < SAMPLES; s++) p.l[k * SAMPLES + s] = luma(cx * K + (s % K), cy * K + Math.floor(s / K));
    p.c.set(rgb, k * 3);
  }
  return p;
}

const texture = (x: number, y: number) => 100 + 40 * Math.sin(x * 0.9) * Math.cos(y * 0.7) + ((x * 13 + y * 7) % 11);

function map(p: Patches, f: (v: number) => number, rgb?: [number, number, number]): Patches {
  const out = { l: p.l.map(f), c: Float32Array.from(p.c) };
  if (rgb) for (let k = 0; k < GRID.cells; k++) out.c.set(rgb, k * 3);
  return out;
}

describe('scene: comparing a patch with the background', () => {
  const background = scene(texture);

  it('a shadow over the street (the patch 30 % darker, texture kept) is not foreground', () => {
    const shaded = map(background, (v) => v * 0.7);
    expect(patchDiffers(shaded, background, 10, NONE)).toBe(false);
  });

  it('a different texture at the same brightness is foreground', () => {
    const other = scene((x, y) => texture(y + 3, x + 5));
    expect(patchDiffers(other, background, 10, NONE)).toBe(true);
  });

  it('a flat patch much brighter than the background, or of another colour, is foreground', () => {
    const flat = scene(() => 80);
    const brighter = map(flat, () => 160);
    const blue = map(flat, (v) => v, [60, 100, 160]);
    expect(patchDiffers(brighter, flat, 10, NONE)).toBe(true);
    expect(patchDiffers(blue, flat, 10, NONE)).toBe(true);
    expect(patchDiffers(flat, flat, 10, NONE)).toBe(false);
  });

  it('the same brighter patch is background once the fitted light says the whole view brightened', () => {
    const flat = scene(() => 80);
    const brighter = map(flat, () => 160);
    expect(patchDiffers(brighter, flat, 10, { gain: 2, offset: 0 })).toBe(false);
  });
});

describe('scene: the global light', () => {
  it('fits the view as gain × background + offset, whatever a few changed cells say', () => {
    const background = scene(texture);
    const view = map(background, (v) => 1.3 * v + 5);
    for (let k = 0; k < 40; k++) view.l.fill(250 - k, k * SAMPLES, (k + 1) * SAMPLES);
    const light = fitLight(GRID, background.l, view.l, new Float32Array(GRID.cells));
    expect(light.gain).toBeCloseTo(1.3, 2);
    expect(light.offset).toBeCloseTo(5, 0);
  });

  it('falls back to no change when the view has too few usable cells to fit', () => {
    const white = scene(() => 250);
    expect(fitLight(GRID, white.l, white.l, new Float32Array(GRID.cells))).toEqual(NONE);
  });
});

describe('scene: camera moves and IR switches', () => {
  it('finds the shift of a camera nudged by 2 samples right and 1 down, in pixels', () => {
    const background = scene(texture);
    const nudged = scene((x, y) => texture(x + 2, y + 1));
    expect(findShift(GRID, nudged.l, background.l)).toEqual({ dx: 2 * GRID.sub, dy: GRID.sub });
  });

  it('finds no shift when the view did not move', () => {
    const background = scene(texture);
    expect(findShift(GRID, map(background, (v) => v + 1).l, background.l)).toBeUndefined();
  });

  it('a grey picture against a coloured background is an IR switch; two coloured ones are not', () => {
    const colour = colourfulness(scene(texture, [150, 90, 60]).c, GRID.cells);
    const grey = colourfulness(scene(texture, [100, 100, 100]).c, GRID.cells);
    const other = colourfulness(scene(texture, [60, 90, 150]).c, GRID.cells);
    expect(isIrSwitch(grey, colour)).toBe(true);
    expect(isIrSwitch(colour, other)).toBe(false);
  });
});

describe('scene: blob identity across frames', () => {
  it('a blob that grew keeps its id and the time it came to rest; one elsewhere gets the next id', () => {
    const state = createSceneState(384, 192);
    const [first] = carryBlobIds(state, [{ id: 0, box: { x1: 40, y1: 40, x2: 80, y2: 80 }, area: 1600, since: 1000, lastSeen: 1000 }]);
    state.blobs = [first];
    const next = carryBlobIds(state, [
      { id: 0, box: { x1: 36, y1: 40, x2: 96, y2: 84 }, area: 2640, since: 3000, lastSeen: 3000 },
      { id: 0, box: { x1: 200, y1: 100, x2: 240, y2: 140 }, area: 1600, since: 3000, lastSeen: 3000 },
    ]);
    expect(next.map((b) => [b.id, b.since])).toEqual([
      [1, 1000],
      [2, 3000],
    ]);
  });
});
