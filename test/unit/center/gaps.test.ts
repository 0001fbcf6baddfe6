import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { missingRanges } from '../../../agent/src/center/gaps.ts';
import type { CenterStore } from '../../../agent/src/center/store/types.ts';
import { openTempArchive } from '../../helpers/center-archive.ts';

/** Which of a box's numbered alerts the archive has, on a real SQLite archive: what is missing, what is lost. */
const T0 = Date.parse('2026-12-07T08:00:00Z');
let store: CenterStore;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ store, remove } = await openTempArchive());
});
afterEach(() => remove());

const archive = async (site: string, ...numbers: number[]) => {
  for (const n of numbers) await store.progress.noteArchived(site, n, T0);
};
const progressOf = async (site: string) => (await store.progress.advance(T0)).find((b) => b.site === site)!;

describe('archive gaps', () => {
  it('follows a box from the first number it sent, and sees the numbers that did not arrive', async () => {
    await archive('box-a', 1, 2, 3, 6, 9);
    const p = await progressOf('box-a');
    expect(p).toMatchObject({ contiguous: 3, highest: 9, above: [6, 9] });
    expect(missingRanges(p)).toEqual([
      [4, 5],
      [7, 8],
    ]);
  });

  it('closes the gap when the re-sent messages arrive, in any order and twice over', async () => {
    await archive('box-a', 1, 2, 5);
    await archive('box-a', 4, 3, 4, 5);
    const p = await progressOf('box-a');
    expect(p).toMatchObject({ contiguous: 5, highest: 5, above: [] });
    expect(missingRanges(p)).toEqual([]);
  });

  it("counts a box's latest number as missing until it arrives (the tail the broker dropped)", async () => {
    await archive('box-a', 1, 2);
    await store.progress.noteLatest('box-a', 7, T0);
    expect(missingRanges(await progressOf('box-a'))).toEqual([[3, 7]]);
  });

  it('reports what the box no longer keeps as lost, and waits only for the rest', async () => {
    await archive('box-a', 1, 2, 50);
    await store.progress.markLost('box-a', [[3, 40]], T0);
    // Marked twice and overlapping (two instances asked at different times): each number counted once.
    await store.progress.markLost('box-a', [[3, 40]], T0);
    await store.progress.markLost('box-a', [[10, 30]], T0);
    const p = await progressOf('box-a');
    expect(p.contiguous).toBe(40);
    expect(p.lost).toEqual([[3, 40]]);
    expect(missingRanges(p)).toEqual([[41, 49]]);
  });

  it('records as lost only what the archive has not got, whatever the box no longer keeps', async () => {
    await archive('box-a', 1, 2, 5, 6, 9);
    const lost = await store.progress.markLost('box-a', [[1, 8]], T0);
    expect(lost).toEqual([
      [3, 4],
      [7, 8],
    ]);
    const p = await progressOf('box-a');
    expect(p.contiguous).toBe(9);
    expect(missingRanges(p)).toEqual([]);
  });

  it('keeps each box apart', async () => {
    await archive('box-a', 1, 2);
    await archive('box-b', 10, 12);
    const boxes = await store.progress.advance(T0);
    expect(boxes.map((b) => [b.site, b.contiguous, missingRanges(b)])).toEqual([
      ['box-a', 2, []],
      ['box-b', 10, [[11, 11]]],
    ]);
  });
});
