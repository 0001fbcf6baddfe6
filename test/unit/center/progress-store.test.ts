import { afterEach, describe, expect, it } from 'vitest';
import type { CenterStore } from '../../../agent/src/center/store/types.ts';
import { openTempArchive } from '../../helpers/center-archive.ts';

let opened: { store: CenterStore; remove: () => Promise<void> } | undefined;
afterEach(async () => {
  await opened?.remove();
  opened = undefined;
});

describe("the archive's progress per box (real SQLite archive)", () => {
  it('a publication given up as lost that arrives after all (through the other instance) is archived, not lost', async () => {
    opened = await openTempArchive();
    const { progress } = opened.store;
    await progress.noteArchived('box-a', 1, 1000);
    await progress.noteArchived('box-a', 12, 1000);
    expect(await progress.markLost('box-a', [[2, 11]], 2000)).toEqual([[2, 11]]);
    await progress.noteArchived('box-a', 7, 3000);
    const [box] = await progress.advance(4000);
    expect(box.lost).toEqual([
      [2, 6],
      [8, 11],
    ]);
    expect(box.contiguous).toBe(12);
  });
});
