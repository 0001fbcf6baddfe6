import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { clipAround, probeDuration } from '../../agent/src/evidence/clip.ts';
import { type RingOptions, ringOutput, SegmentRing } from '../../agent/src/evidence/ring.ts';
import { cameraSourceSchema } from '../../agent/src/ingest/config.ts';
import { failureReason, startFfmpeg } from '../../agent/src/ingest/ffmpeg.ts';
import { CameraSource } from '../../agent/src/ingest/source.ts';
import { CODED_FPS, decodeFrames, frameCodedSource, frameIndex } from '../helpers/coded-footage.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

/** Key frame every second, as cameras are usually set up; three B-frames between references. */
const encodings = [
  {
    name: 'H.264 high profile with 3 B-frames',
    codec: 'h264',
    encoder: [
      '-c:v',
      'libx264',
      '-profile:v',
      'high',
      '-preset',
      'veryfast',
      '-bf',
      '3',
      '-g',
      '12',
      '-keyint_min',
      '12',
      '-sc_threshold',
      '0',
    ],
  },
  {
    name: 'H.265 with 3 B-frames',
    codec: 'hevc',
    encoder: [
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-x265-params',
      'log-level=error:bframes=3:keyint=12:min-keyint=12:scenecut=0',
      '-tag:v',
      'hvc1',
    ],
  },
];

const probe = (file: string, entries: string) =>
  spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', entries, '-of', 'csv=p=0', file])
    .stdout.toString()
    .trim();

/**
 * An event 5 s after the ring's first usable segment (however long the loaded machine took to connect), with 4 s
 * before and 3 s after it: waits for the post-roll, then cuts.
 */
async function clipOfEvent(ring: SegmentRing, out: string) {
  const until = Date.now() + 30_000;
  while ((await ring.segments()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const at = Date.now() + 5000;
  return clipAround(() => ring.segments(), at, 4, 3, { out, encoder: [], graceMs: 15_000 });
}

/**
 * A stored clip is what an operator can play: the camera's codec, B-frames kept, every frame once and in order, the
 * 4 s before and 3 s after the event and at most one 1 s segment more at either end (a stream copy cuts at key frames).
 */
function expectPlayableClip(path: string, codec: string, durationSeconds: number) {
  expect(probe(path, 'stream=codec_name')).toBe(codec);
  expect(Number(probe(path, 'stream=has_b_frames'))).toBeGreaterThan(0);
  expect(durationSeconds).toBeGreaterThanOrEqual(7 - 0.1);
  expect(durationSeconds).toBeLessThanOrEqual(9 + 0.1);
  const decodeErrors = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-']).stderr.toString();
  expect(decodeErrors).toBe('');
  const { indices } = decodeFrames(path);
  expect(indices.length).toBeGreaterThanOrEqual(6 * CODED_FPS);
  expect(indices.every((n, i) => i === 0 || n === indices[i - 1] + 1)).toBe(true);
}

describe.each(encodings)('a camera sending $name over real RTSP (GStreamer)', ({ codec, encoder }) => {
  let dir: string;
  let server: RtspServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-bframes-'));
    const file = frameCodedSource(dir, { name: `coded-${codec}.mp4`, encoder, seconds: 20 });
    // The footage really has what the test is about.
    expect(probe(file, 'stream=codec_name')).toBe(codec);
    expect(Number(probe(file, 'stream=has_b_frames'))).toBeGreaterThan(0);
    server = await startRtspServer({ '/cam': file });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ringOpts = (name: string): RingOptions => ({
    camera: 'cam1',
    url: server.url('/cam'),
    rtspTransport: 'tcp',
    timeoutSeconds: 5,
    inputOptions: [],
    loop: false,
    dir: join(dir, name),
    segmentSeconds: 1,
    keepSeconds: 30,
    reconnect: { initialMs: 500, maxMs: 2000 },
  });

  it('one connection: analysis frames keep coming in order while the same ffmpeg records the ring, and the clip is stored', async () => {
    const opts = ringOpts(`ring-ingest-${codec}`);
    const cfg = cameraSourceSchema.parse({ id: 'cam1', url: server.url('/cam'), analysis: { fps: 5, width: 384, height: 216 } });
    const src = new CameraSource(cfg, silentLogger, ringOutput(opts));
    const ring = new SegmentRing(opts, silentLogger, 'ingest');
    const frames: { index: number; at: number }[] = [];
    src.on('frame', (f) => {
      frames.push({ index: frameIndex(f.data, f.width, f.height), at: f.receivedAt });
      src.recycle(f);
    });
    await ring.start();
    src.start();
    try {
      const clip = await clipOfEvent(ring, join(dir, `ingest-${codec}.mp4`));
      const st = src.status();
      expect(st).toMatchObject({ state: 'streaming', reconnects: 0 });
      // 8 s and more of stream at 5 fps analysis: frames all along, in camera order, never a stall.
      expect(frames.length).toBeGreaterThanOrEqual(30);
      expect(frames.every((f, i) => i === 0 || f.index > frames[i - 1].index)).toBe(true);
      const longestGapMs = Math.max(...frames.slice(1).map((f, i) => f.at - frames[i].at));
      expect(longestGapMs).toBeLessThan(cfg.stallSeconds * 1000);
      expect(clip).toMatchObject({ mode: 'copy', complete: true });
      expectPlayableClip(clip.path, codec, await probeDuration(clip.path));
    } finally {
      await src.stop();
      await ring.stop();
    }
  }, 90_000);

  it("the camera's first event, decided before the ring holds any video, has a shorter clip from the ring's first second", async () => {
    const opts = ringOpts(`ring-first-${codec}`);
    const cfg = cameraSourceSchema.parse({ id: 'cam1', url: server.url('/cam'), analysis: { fps: 5, width: 384, height: 216 } });
    const src = new CameraSource(cfg, silentLogger, ringOutput(opts));
    src.on('frame', (f) => src.recycle(f));
    const ring = new SegmentRing(opts, silentLogger, 'ingest');
    await ring.start();
    src.start();
    try {
      // Decided as the camera starts: its 3 s before and the moment itself are gone before a connection's first
      // segment (left out, its opening packets dropped) is closed.
      const at = Date.now();
      const clip = await clipAround(() => ring.segments(), at, 3, 0, {
        out: join(dir, `first-${codec}.mp4`),
        encoder: [],
        graceMs: 15_000,
      });
      const first = (await ring.segments())[0];
      expect(first.startAt).toBeGreaterThan(at);
      expect(clip).toMatchObject({ mode: 'copy', complete: false, startedAt: first.startAt });
      expect(probe(clip.path, 'stream=codec_name')).toBe(codec);
      expect(spawnSync('ffmpeg', ['-v', 'error', '-i', clip.path, '-f', 'null', '-']).stderr.toString()).toBe('');
      const { indices } = decodeFrames(clip.path);
      // At least a segment's worth (an open GOP's leading frames, which refer to the GOP before, are not decodable).
      expect(indices.length).toBeGreaterThanOrEqual(CODED_FPS / 2);
      expect(indices.every((n, i) => i === 0 || n === indices[i - 1] + 1)).toBe(true);
    } finally {
      await src.stop();
      await ring.stop();
    }
  }, 90_000);

  it('a separate evidence connection: its own ring records and the clip is stored', async () => {
    const ring = new SegmentRing(ringOpts(`ring-own-${codec}`), silentLogger, 'own');
    await ring.start();
    try {
      const clip = await clipOfEvent(ring, join(dir, `own-${codec}.mp4`));
      expect(clip).toMatchObject({ mode: 'copy', complete: true });
      expectPlayableClip(clip.path, codec, clip.durationSeconds);
    } finally {
      await ring.stop();
    }
  }, 90_000);

  it('a recorder that refuses a packet is reported as a recording failure, not as unreadable input', async () => {
    // A plain MPEG-TS stream copy, as ffmpeg does it without the ring's care for timestamp-less packets.
    const p = startFfmpeg([
      '-hide_banner',
      '-nostdin',
      '-rtsp_transport',
      'tcp',
      '-i',
      server.url('/cam'),
      '-map',
      '0:v:0',
      '-c',
      'copy',
      '-f',
      'mpegts',
      join(dir, 'plain.ts'),
    ]);
    const exit = await p.exited;
    expect(exit.code).not.toBe(0);
    const reason = failureReason(p, exit, 5000);
    expect(reason).toMatch(/^recording failed: a packet without timestamps/);
  }, 30_000);
});
