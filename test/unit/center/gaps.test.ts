import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createArchiveGaps, missingRanges } from '../../../agent/src/center/gaps.ts';
import type { CenterStore } from '../../../agent/src/center/store/types.ts';
import type { CommandResult, ResendCommand } from '../../../agent/src/contract/commands.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
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

describe('archive gaps: asking the box (a fake box answering cmd/resend)', () => {
  const fast = { graceMs: 50, checkMs: 20, retryMinMs: 50, retryMaxMs: 200 };
  type Asked = { site: string; from: number; to?: number };
  /** Answers like a box that keeps publications from `keptFrom` on and has published up to `latest`. */
  const fakeBox =
    (asked: Asked[], box: { keptFrom: number; latest: number } | 'silent') =>
    async (site: string, cmd: ResendCommand): Promise<CommandResult | { timeout: true }> => {
      asked.push({ site, from: cmd.from, ...(cmd.to !== undefined ? { to: cmd.to } : {}) });
      if (box === 'silent') return { timeout: true };
      const to = Math.min(cmd.to ?? box.latest, box.latest);
      const notKept: [number, number][] = cmd.from < box.keptFrom ? [[cmd.from, Math.min(to, box.keptFrom - 1)]] : [];
      const detail = { from: cmd.from, through: to, latest: box.latest, resent: 0, queued: 0, notKept, more: false };
      return {
        schema: 'jifang.cmd-result/1',
        command: 'resend',
        topic: '',
        ok: true,
        detail,
        boxId: site,
        at: new Date().toISOString(),
      };
    };

  it('asks for the exact missing range once the gap has stood, and reports what the box no longer keeps as lost', async () => {
    await archive('box-a', 1, 2, 9);
    const asked: Asked[] = [];
    const gaps = createArchiveGaps({
      progress: store.progress,
      resend: fakeBox(asked, { keptFrom: 6, latest: 9 }),
      log: silentLogger,
      timing: fast,
    });
    try {
      await expect.poll(() => gaps.report().lost, { timeout: 5000 }).toEqual([{ site: 'box-a', publications: 3, ranges: [[3, 5]] }]);
      expect(asked[0]).toEqual({ site: 'box-a', from: 3, to: 8 });
      // 6–8 are kept by the box: re-sent copies arriving close the gap.
      await archive('box-a', 6, 7, 8);
      await expect.poll(async () => (await progressOf('box-a')).contiguous, { timeout: 5000 }).toBe(9);
      await expect.poll(() => gaps.report().behind, { timeout: 5000 }).toEqual([]);
    } finally {
      gaps.close();
    }
  });

  it('says the archive is behind while a silent box does not answer, and keeps asking it', async () => {
    await archive('box-a', 1, 4);
    const asked: Asked[] = [];
    const gaps = createArchiveGaps({ progress: store.progress, resend: fakeBox(asked, 'silent'), log: silentLogger, timing: fast });
    try {
      await expect.poll(() => asked.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
      expect(asked.every((a) => a.from === 2 && a.to === 3)).toBe(true);
      expect(gaps.report().behind).toEqual([{ site: 'box-a', missing: 2, since: expect.any(Number) }]);
      expect(gaps.report().lost).toEqual([]);
    } finally {
      gaps.close();
    }
  });

  it('on a (re)connection asks every known box for anything after the highest number archived', async () => {
    await archive('box-a', 1, 2);
    await archive('box-b', 7);
    const asked: Asked[] = [];
    const gaps = createArchiveGaps({
      progress: store.progress,
      resend: fakeBox(asked, { keptFrom: 1, latest: 2 }),
      log: silentLogger,
      timing: fast,
    });
    try {
      gaps.connected();
      await expect
        .poll(() => asked.map((a) => `${a.site}:${a.from}:${a.to ?? ''}`).sort(), { timeout: 5000 })
        .toEqual(['box-a:3:', 'box-b:8:']);
    } finally {
      gaps.close();
    }
  });
});
