import { describe, expect, it } from 'vitest';
import { LiveRecorder } from '../../../agent/src/console/live.ts';
import type { Frame } from '../../../agent/src/ingest/frame.ts';

const frame = (seq: number, at: number, value: number): Frame => ({
  camera: 'c',
  seq,
  receivedAt: at,
  monoAt: at,
  width: 2,
  height: 1,
  data: new Uint8Array(6).fill(value),
});

describe('live recorder', () => {
  it('keeps the picture only while someone watches, at most once per interval, in a reused buffer', () => {
    const live = new LiveRecorder(900, 15_000);
    live.record(frame(1, 1000, 1), [], []);
    expect(live.read(1000)?.image).toBeUndefined(); // nobody watched yet: no copy was made
    live.record(frame(2, 1500, 2), [], []);
    const first = live.read(1500)!.image!;
    expect([first.seq, first.image.data[0]]).toEqual([2, 2]);
    live.record(frame(3, 2000, 3), [], []); // within 900 ms of the last copy
    expect(live.read(2000)!.image!.seq).toBe(2);
    expect(live.read(2000)!.facts.seq).toBe(3);
    live.record(frame(4, 2500, 4), [], []);
    const second = live.read(2500)!.image!;
    expect([second.seq, second.image.data[0]]).toEqual([4, 4]);
    expect(second.image.data).toBe(first.image.data);
    live.record(frame(5, 40_000, 5), [], []); // nobody has asked for 15 s
    expect(live.read(40_000)!.image!.seq).toBe(4);
  });
});
