import { describe, expect, it } from 'vitest';
import {
  clipSpan,
  parseSegmentList,
  type RingOptions,
  ringArgs,
  ringSize,
  selectSegments,
  timeline,
} from '../../../agent/src/evidence/ring.ts';

const opts: RingOptions = {
  camera: 'cam1',
  url: 'rtsp://u:p@10.0.0.5/main',
  rtspTransport: 'tcp',
  timeoutSeconds: 5,
  inputOptions: [],
  loop: true,
  dir: '/data/ring/cam1',
  segmentSeconds: 1,
  keepSeconds: 30,
  reconnect: { initialMs: 1000, maxMs: 30_000 },
};

describe('ring ffmpeg arguments', () => {
  it('stream-copies video only into a wrapping ring of MPEG-TS segments with a list one shorter than the ring', () => {
    const a = ringArgs(opts).join(' ');
    expect(ringSize(opts)).toBe(32);
    expect(a).toContain('-rtsp_transport tcp -timeout 5000000 -i rtsp://u:p@10.0.0.5/main');
    expect(a).toContain('-map 0:v:0 -c copy -an');
    expect(a).toContain('-segment_time 1 -segment_wrap 32 -segment_format mpegts');
    expect(a).toContain(
      '-segment_list /data/ring/cam1/segments.csv -segment_list_type csv -segment_list_size 31 /data/ring/cam1/seg-%03d.ts',
    );
    expect(a).not.toContain('-c:v');
  });

  it('paces and loops a file source like a camera, and refuses a still image', () => {
    expect(
      ringArgs({ ...opts, url: '/samples/car.mp4' })
        .slice(0, 8)
        .join(' '),
    ).toContain('-re -stream_loop -1');
    expect(() => ringArgs({ ...opts, url: '/samples/street.png' })).toThrow(/a still image has no video to keep/);
  });
});

describe('ring timeline', () => {
  const csv = 'seg-003.ts,6.64,8.56\nseg-004.ts,8.56,10.48\ngarbage\nseg-000.ts,10.48,12.40\n';

  it('reads the segment list, skipping malformed lines', () => {
    expect(parseSegmentList(csv).map((e) => [e.name, +e.seconds.toFixed(2)])).toEqual([
      ['seg-003.ts', 1.92],
      ['seg-004.ts', 1.92],
      ['seg-000.ts', 1.92],
    ]);
  });

  it('lets a segment of an open-GOP stream last until the next starts (the list ends it before its last frames)', () => {
    // As ffmpeg 5.1 listed H.265 with B-frames and 0.96 s GOPs: each entry ends 0.24 s before the next starts.
    const list = 'seg-001.ts,1.680000,2.400000\nseg-002.ts,2.640000,3.360000\nseg-003.ts,3.600000,4.320000\n';
    expect(parseSegmentList(list).map((e) => +e.seconds.toFixed(2))).toEqual([0.96, 0.96, 0.96]);
  });

  it("leaves out a recording's first segment, whose opening packets may have been dropped", () => {
    const list = parseSegmentList('seg-000.ts,0.000000,1.680000\nseg-001.ts,1.680000,2.640000\n');
    expect(list.map((e) => [e.name, +e.seconds.toFixed(2)])).toEqual([['seg-001.ts', 0.96]]);
  });

  it('ends each segment at its modification time and starts it one length earlier; drops a file rewritten behind the list', () => {
    const mtimes = new Map([
      ['seg-003.ts', 10_000],
      ['seg-004.ts', 11_920],
      ['seg-000.ts', 9_000],
    ]);
    const t = timeline(parseSegmentList(csv), mtimes, '/r');
    expect(t.map((s) => [s.path, Math.round(s.startAt), s.endAt])).toEqual([
      ['/r/seg-003.ts', 8080, 10_000],
      ['/r/seg-004.ts', 10_000, 11_920],
    ]);
  });

  const seg = (startAt: number, endAt: number) => ({ path: `/r/${startAt}.ts`, startAt, endAt });
  const ring = [seg(0, 1000), seg(1000, 2000), seg(2000, 3000), seg(3000, 4000), seg(7000, 8000), seg(8000, 9000)];

  it('selects the contiguous segments covering the window, starting with the one holding its start', () => {
    expect(selectSegments(ring, 1500, 3200).map((s) => s.startAt)).toEqual([1000, 2000, 3000]);
    expect(selectSegments(ring, 2000, 2500).map((s) => s.startAt)).toEqual([2000]);
  });

  it('stops at a gap (ffmpeg restarted) and returns nothing for a window the ring does not hold', () => {
    expect(selectSegments(ring, 2500, 7500).map((s) => s.startAt)).toEqual([2000, 3000]);
    expect(selectSegments(ring, 9500, 9900)).toEqual([]);
    expect(selectSegments(ring, 4500, 6000)).toEqual([]);
  });

  const starts = (span: ReturnType<typeof clipSpan>) => ('why' in span ? span.why : span.segments.map((s) => s.startAt));

  it('cuts an event the ring began recording only after (its first seconds, a reconnect) from the first second it holds', () => {
    const late = [seg(5000, 6000), seg(6000, 7000), seg(7000, 8000)];
    // The window 1000–4000 ends before the ring's first segment: the same 3 s from 5000 on.
    expect(clipSpan(late, 1000, 4000, 2000)).toMatchObject({ from: 5000, to: 8000 });
    expect(starts(clipSpan(late, 1000, 4000, 2000))).toEqual([5000, 6000, 7000]);
    // A window inside a gap of the ring: from where the ring resumes.
    expect(starts(clipSpan(ring, 4500, 6000, 1000))).toEqual([7000, 8000]);
    // A window the ring holds part of keeps its own times.
    expect(clipSpan(late, 3000, 5500, 0)).toMatchObject({ from: 3000, to: 5500 });
  });

  it('says why there is no clip: no video yet, the video ended, or resumed too long after the window', () => {
    expect(starts(clipSpan([], 1000, 2000, 5000))).toMatch(/ring holds no video/);
    expect(starts(clipSpan(ring, 9500, 9900, 5000))).toMatch(/ends at 1970-01-01T00:00:09.000Z/);
    expect(starts(clipSpan(ring, 4500, 5000, 1000))).toMatch(/begins only at 1970-01-01T00:00:07.000Z/);
  });
});
