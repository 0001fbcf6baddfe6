import { describe, expect, it } from 'vitest';
import { LiveRecorder } from '../../../agent/src/console/live.ts';
import type { Frame } from '../../../agent/src/ingest/frame.ts';
import type { Track } from '../../../agent/src/track/types.ts';

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

  it("shows how long a track has stood still on the tracker's monotonic clock, whatever the wall clock says", () => {
    const live = new LiveRecorder();
    const wall = Date.parse('2026-12-01T21:40:00Z');
    const track = {
      id: 1,
      label: 'car',
      meanScore: 0.88,
      box: { x1: 0, y1: 0, x2: 1, y2: 1 },
      state: 'tracked',
      moving: false,
      firstSeen: 40_000,
      stationarySince: 50_000,
    } as unknown as Track;
    live.record({ ...frame(1, wall, 0), monoAt: 60_000 }, [], [track]);
    const [shown] = live.read(wall)!.facts.tracks;
    expect([shown.stationarySeconds, shown.seenSeconds]).toEqual([10, 20]);
  });
});
