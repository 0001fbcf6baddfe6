import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { compilePrivacyMask } from '../../agent/src/core/privacy-mask.ts';
import { clipAround, cutClip, probeDuration } from '../../agent/src/evidence/clip.ts';
import { SegmentRing } from '../../agent/src/evidence/ring.ts';
import { CODED_FPS, decodeFrames, frameCodedSource, plainH264 } from '../helpers/coded-footage.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

/** Frame-coded real footage with a 1 s key-frame interval, as a typical camera sends it, served by the real RTSP server. */
const FPS = CODED_FPS;

describe('evidence clip from a segment ring (real RTSP server, real ffmpeg)', () => {
  let server: RtspServer;
  let ring: SegmentRing;
  let dir: string;
  let spawnedAt: number;
  let at: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-clip-'));
    server = await startRtspServer({ '/main': frameCodedSource(dir, { name: 'coded.mp4', encoder: plainH264 }) });
    ring = new SegmentRing(
      {
        camera: 'cam1',
        url: server.url('/main'),
        rtspTransport: 'tcp',
        timeoutSeconds: 5,
        inputOptions: [],
        loop: false,
        dir: join(dir, 'ring'),
        segmentSeconds: 1,
        keepSeconds: 20,
        reconnect: { initialMs: 500, maxMs: 2000 },
      },
      silentLogger,
    );
    spawnedAt = Date.now();
    await ring.start();
    // The event happens 8 s into the stream; the clip wants 4 s before and 3 s after.
    at = spawnedAt + 8000;
  });

  afterAll(async () => {
    await ring?.stop();
    await server?.stop();
  });

  it('stream-copies a playable clip of pre+post seconds (±1 s) that starts before the event', async () => {
    const clip = await clipAround(() => ring.segments(), at, 4, 3, { out: join(dir, 'copy.mp4'), encoder: [], graceMs: 10_000 });
    expect(clip).toMatchObject({ mode: 'copy', complete: true });
    const duration = await probeDuration(clip.path);
    expect(Math.abs(duration - 7)).toBeLessThanOrEqual(1);
    expect(clip.startedAt).toBeLessThanOrEqual(at - 4000);
    const { indices } = decodeFrames(clip.path);
    // Camera frame n cannot arrive before spawnedAt + n/FPS, so the frame on air at the event is at most this:
    const atEvent = ((at - spawnedAt) / 1000) * FPS;
    expect(indices[0]).toBeLessThanOrEqual(atEvent - 3 * FPS);
    expect(indices[indices.length - 1]).toBeGreaterThanOrEqual(indices[0] + 6 * FPS);
    // Every camera frame in between, once, in order: a stream copy drops nothing.
    expect(indices.every((n, i) => i === 0 || n === indices[i - 1] + 1)).toBe(true);
  });

  it('burns privacy masks into a re-encoded clip, cut exactly to pre+post', async () => {
    const mask = compilePrivacyMask([
      [
        [0.5, 0.2],
        [0.95, 0.25],
        [0.9, 0.9],
        [0.55, 0.85],
      ],
    ]);
    const segments = await ring.segments();
    const clip = await cutClip(segments, at - 4000, at + 3000, {
      out: join(dir, 'masked.mp4'),
      mask,
      encoder: ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'],
    });
    expect(clip).toMatchObject({ mode: 'masked', complete: true, startedAt: at - 4000 });
    const duration = await probeDuration(clip.path);
    expect(Math.abs(duration - 7)).toBeLessThanOrEqual(0.2);
    const frames = decodeFrames(clip.path);
    expect(frames.indices[0]).toBeLessThanOrEqual(((at - spawnedAt) / 1000) * FPS - 3 * FPS);
    // Inside the mask (away from its edge, where chroma subsampling blends) every pixel of every sampled frame is black.
    const spans = mask.spans(frames.width, frames.height);
    let brightest = 0;
    let checked = 0;
    for (const f of [0, Math.floor(frames.indices.length / 2), frames.indices.length - 1]) {
      const px = frames.rgb(f);
      for (let k = 0; k < spans.length; k += 3) {
        const [y, x0, x1] = [spans[k], spans[k + 1], spans[k + 2]];
        if (y < 0.25 * frames.height + 4 || y > 0.85 * frames.height - 4) continue;
        for (let x = x0 + 4; x < x1 - 4; x++) {
          const i = (y * frames.width + x) * 3;
          brightest = Math.max(brightest, px[i], px[i + 1], px[i + 2]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(brightest).toBeLessThanOrEqual(24);
  });

  it('deletes the ring, which holds unmasked video, when it stops', async () => {
    expect(existsSync(join(dir, 'ring', 'segments.csv'))).toBe(true);
    await ring.stop();
    expect(existsSync(join(dir, 'ring'))).toBe(false);
  });
});

describe('evidence ring of a camera that loops a file (the demo kind; real ffmpeg)', () => {
  it('keeps recording past the end of the first pass: a clip across the loop point is cut, frames wrapping to the start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifang-clip-loop-'));
    const file = frameCodedSource(dir, { name: 'coded-4s.mp4', encoder: plainH264, seconds: 4 });
    const ring = new SegmentRing(
      {
        camera: 'loop1',
        url: file,
        rtspTransport: 'tcp',
        timeoutSeconds: 5,
        inputOptions: [],
        loop: true,
        dir: join(dir, 'ring'),
        segmentSeconds: 1,
        keepSeconds: 20,
        reconnect: { initialMs: 500, maxMs: 2000 },
      },
      silentLogger,
    );
    const spawnedAt = Date.now();
    await ring.start();
    try {
      // The third pass starts 8 s in: 2 s either side of it.
      const at = spawnedAt + 8000;
      const clip = await clipAround(() => ring.segments(), at, 2, 2, { out: join(dir, 'loop.mp4'), encoder: [], graceMs: 10_000 });
      // A stream copy starts at a key frame up to a segment early and runs to the end of the segment holding the end.
      const duration = await probeDuration(clip.path);
      expect(duration).toBeGreaterThanOrEqual(3);
      expect(duration).toBeLessThanOrEqual(6.5);
      const { indices } = decodeFrames(clip.path);
      expect(indices.some((n, i) => i > 0 && n < indices[i - 1])).toBe(true);
    } finally {
      await ring.stop();
    }
  }, 60_000);
});
