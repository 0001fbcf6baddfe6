import { describe, expect, it } from 'vitest';
import type { Box, RgbImage } from '../../../agent/src/core/geometry.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { PlateVotes } from '../../../agent/src/plate/evidence-reads.ts';
import type { PlateReader, PlateReading } from '../../../agent/src/plate/reader.ts';

const frame: RgbImage = { data: new Uint8Array(3 * 64 * 64), width: 64, height: 64 };
const car: Box = { x1: 0, y1: 0, x2: 64, y2: 64 };

/** A fake reader (the real one is exercised in plate-read.test.ts): returns scripted texts, one call at a time. */
function fakeReader(texts: string[], gate?: Promise<void>): PlateReader & { calls: number } {
  const r = {
    calls: 0,
    lastTimings: { detectMs: 0, detectOrtMs: 0, rectifyMs: 0, recogniseMs: 0, recogniseOrtMs: 0, colourMs: 0, colourOrtMs: 0, totalMs: 0 },
    async read(): Promise<PlateReading[]> {
      const text = texts[r.calls++ % texts.length];
      await gate;
      if (text === '') return [];
      return [{ box: car, corners: [[0, 0], [1, 0], [1, 1], [0, 1]], rows: 1, detectionScore: 0.9, text, charProbs: [...text].map(() => 0.95), colour: 'blue', grammar: { valid: true, kind: 'standard' }, confidence: 0.85 }];
    },
    readCrop: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
  };
  return r;
}

describe('PlateVotes: plate reads over an event’s evidence frames (fake reader)', () => {
  it('votes each vehicle’s reads into one plate, and forgets the event on request', async () => {
    const votes = new PlateVotes(fakeReader(['津B6H920', '津B6H928', '津B6H920']), silentLogger);
    for (let i = 0; i < 3; i++) await votes.observe('e1', 'cam', frame, [{ trackId: 7, box: car }]);
    expect(votes.consensus('e1').get(7)).toMatchObject({ text: '津B6H920', reads: 2 });
    expect(votes.stats()).toMatchObject({ vehicles: 3, plates: 3, skipped: 0 });
    votes.forget('e1');
    expect(votes.consensus('e1').size).toBe(0);
  });

  it('a vehicle with no plate found has no entry, and does not count as a plate', async () => {
    const votes = new PlateVotes(fakeReader(['']), silentLogger);
    await votes.observe('e1', 'cam', frame, [{ trackId: 1, box: car }]);
    expect(votes.consensus('e1').size).toBe(0);
    expect(votes.stats()).toMatchObject({ vehicles: 1, plates: 0 });
  });

  it('skips frames rather than queue a backlog, and drops reads that finish after the event was forgotten', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const reader = fakeReader(['京A12345'], gate);
    const votes = new PlateVotes(reader, silentLogger, { maxPending: 2 });
    const jobs = [1, 2, 3, 4].map(() => votes.observe('e1', 'cam', frame, [{ trackId: 1, box: car }]));
    expect(votes.stats().skipped).toBe(2);
    votes.forget('e1');
    open();
    await Promise.all(jobs);
    expect(reader.calls).toBe(2);
    expect(votes.consensus('e1').size).toBe(0);
  });

  it('a reader failure is logged, not thrown at the event sink', async () => {
    const reader = fakeReader(['京A12345']);
    reader.read = () => Promise.reject(new Error('ORT exploded'));
    const votes = new PlateVotes(reader, silentLogger);
    await expect(votes.observe('e1', 'cam', frame, [{ trackId: 1, box: car }])).resolves.toBeUndefined();
  });
});
