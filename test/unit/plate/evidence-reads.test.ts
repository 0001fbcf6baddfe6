import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Box, RgbImage } from '../../../agent/src/core/geometry.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { openPlateVotes, PlateVotes } from '../../../agent/src/plate/evidence-reads.ts';
import { fakePlateReader } from '../../helpers/fake-plate-reader.ts';

const frame: RgbImage = { data: new Uint8Array(3 * 64 * 64), width: 64, height: 64 };
const car: Box = { x1: 0, y1: 0, x2: 64, y2: 64 };

describe('PlateVotes: plate reads while vehicles dwell (fake reader)', () => {
  it('reads a vehicle at most once per interval, votes its reads, and copies the frame it was offered', async () => {
    const reader = fakePlateReader(['津B6H920', '津B6H928', '津B6H920']);
    const votes = new PlateVotes(reader, silentLogger, { intervalMs: 1000 });
    for (let at = 0; at <= 2500; at += 500) {
      votes.offer('cam', frame, [{ trackId: 7, box: car }], at);
      await votes.idle();
    }
    expect(reader.calls).toBe(3);
    expect(reader.seen[0]).not.toBe(frame.data);
    expect(votes.consensus('cam', [7, 8]).get(7)).toMatchObject({ text: '津B6H920', reads: 2 });
    expect(votes.consensus('cam', [7, 8]).has(8)).toBe(false);
    expect(votes.consensus('other-cam', [7]).size).toBe(0);
    expect(votes.stats()).toMatchObject({ vehicles: 3, plates: 3, skipped: 0 });
  });

  it('stops reading a vehicle after maxReadsPerVehicle, and forgets it once it is no longer offered', async () => {
    const reader = fakePlateReader(['京A12345']);
    const votes = new PlateVotes(reader, silentLogger, { intervalMs: 0, maxReadsPerVehicle: 2, forgetAfterMs: 10_000 });
    for (let at = 0; at < 5; at++) {
      votes.offer('cam', frame, [{ trackId: 1, box: car }], at);
      await votes.idle();
    }
    expect(reader.calls).toBe(2);
    votes.offer('cam', frame, [], 20_000);
    expect(votes.consensus('cam', [1]).size).toBe(0);
  });

  it('a vehicle with no plate found has no consensus and does not count as a plate', async () => {
    const votes = new PlateVotes(fakePlateReader(['']), silentLogger);
    votes.offer('cam', frame, [{ trackId: 1, box: car }], 0);
    await votes.idle();
    expect(votes.consensus('cam', [1]).size).toBe(0);
    expect(votes.stats()).toMatchObject({ vehicles: 1, plates: 0 });
  });

  it('skips offers rather than queue a backlog', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const reader = fakePlateReader(['京A12345'], gate);
    const votes = new PlateVotes(reader, silentLogger, { maxPending: 2 });
    for (const id of [1, 2, 3, 4]) votes.offer('cam', frame, [{ trackId: id, box: car }], 0);
    expect(votes.stats().skipped).toBe(2);
    open();
    await votes.idle();
    expect(reader.calls).toBe(2);
    expect([...votes.consensus('cam', [1, 2, 3, 4]).keys()]).toEqual([1, 2]);
  });

  it('a reader failure is logged, not thrown at the frame loop', async () => {
    const reader = fakePlateReader(['京A12345']);
    reader.read = () => Promise.reject(new Error('ORT exploded'));
    const lines: Record<string, unknown>[] = [];
    const votes = new PlateVotes(reader, pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) }));
    expect(votes.offer('cam', frame, [{ trackId: 1, box: car }], 0)).toBeUndefined();
    // The read's rejection is caught inside: waiting for the reads resolves, and the failure is one warning.
    await expect(votes.idle()).resolves.toBeUndefined();
    expect(votes.consensus('cam', [1]).size).toBe(0);
    expect(lines).toEqual([expect.objectContaining({ level: 40, stage: 'plate', camera: 'cam', msg: 'plate read failed' })]);
    expect(JSON.stringify(lines[0])).toContain('ORT exploded');
  });
});

describe('a box without the plate models', () => {
  it('runs without plate reading and says so in one line, with the reason', async () => {
    const lines: { msg: string; reason?: string; level: number }[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const dir = mkdtempSync(join(tmpdir(), 'jifang-no-plates-'));
    try {
      expect(await openPlateVotes(log, {}, dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'plate reading off: plate models unavailable', level: 30 });
    expect(lines[0].reason).toContain(join(dir, 'y5fu_320x_sim.json'));
  });
});
