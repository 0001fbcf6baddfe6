import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraSchema } from '../../agent/src/config/schema.ts';
import type { RgbImage } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { detectorConfigSchema } from '../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../agent/src/detect/decoders/index.ts';
import { createDetector } from '../../agent/src/detect/detector.ts';
import type { Detector } from '../../agent/src/detect/types.ts';
import { loadModel } from '../../agent/src/model/load.ts';
import { createCameraRules } from '../../agent/src/rules/engine.ts';
import type { ViolationUpdate } from '../../agent/src/rules/types.ts';
import { DetectionGate } from '../../agent/src/runtime/detection-gate.ts';
import { createTracker } from '../../agent/src/track/tracker.ts';
import type { Track } from '../../agent/src/track/types.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';

const W = 720;
const H = 366;
const FPS = 2;

/**
 * street.png (the taxi parked in the kerb bay) as a camera would send it, H.264-encoded so every frame has its own
 * compression noise, decoded by ffmpeg: 8 s of real frames, looped. Time is the frames' own timestamps (2 fps), so
 * ten minutes of camera time run in well under that, through the real motion detector, model, tracker and rules.
 */
function stillFrames(dir: string): RgbImage[] {
  const clip = join(dir, 'still.mp4');
  const enc = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-loop',
    '1',
    '-framerate',
    String(FPS),
    '-i',
    sample('street.png'),
    '-t',
    '8',
    '-vf',
    `scale=${W}:${H}`,
    '-c:v',
    'libx264',
    '-g',
    '8',
    '-pix_fmt',
    'yuv420p',
    clip,
  ]);
  if (enc.status !== 0) throw new Error(`ffmpeg failed: ${enc.stderr.toString()}`);
  const out = spawnSync('ffmpeg', ['-v', 'error', '-i', clip, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 });
  const size = W * H * 3;
  const frames: RgbImage[] = [];
  for (let o = 0; o + size <= out.stdout.length; o += size)
    frames.push({ data: new Uint8Array(out.stdout.subarray(o, o + size)), width: W, height: H });
  return frames;
}

describe('a parked car in motion mode', () => {
  let detector: Detector;
  let modelInput: { width: number; height: number };
  let dir: string;

  beforeAll(async () => {
    const model = await loadModel(detectorFamilies, defaultManifest);
    modelInput = model.manifest.input;
    detector = await createDetector(model, detectorConfigSchema.parse({}), silentLogger);
    dir = mkdtempSync(join(tmpdir(), 'jifang-carried-'));
  });
  afterAll(async () => {
    await detector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its track id and one event for 10 minutes of camera time, at about one inference per re-check interval', async () => {
    const camera = cameraSchema.parse({
      id: 'kerb-cam',
      url: 'rtsp://camera.invalid/stream',
      analysis: { fps: FPS, width: W, height: H },
      windows: 'none',
      zones: [
        // The taxi's kerb bay (see rules-street.test.ts), normalised.
        {
          id: 'kerb',
          polygon: [
            [0.104, 0.815],
            [0.299, 0.815],
            [0.299, 0.945],
            [0.104, 0.945],
          ],
          rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 60, endAfterSeconds: 30 }],
        },
      ],
    });
    expect(camera.detection.mode).toBe('motion');
    const frames = stillFrames(dir);
    expect(frames.length).toBeGreaterThanOrEqual(12);
    const gate = new DetectionGate(camera, detector, [], modelInput);
    const tracker = createTracker();
    const rules = createCameraRules(camera, { timezone: 'Asia/Shanghai' }, { logger: silentLogger });
    const updates: ViolationUpdate[] = [];
    let tracks: Track[] = [];
    const t0 = Date.UTC(2026, 11, 1, 2, 0, 0);
    const minutes = 10;
    const n = minutes * 60 * FPS;
    for (let i = 0; i < n; i++) {
      const at = t0 + (i * 1000) / FPS;
      const g = await gate.detect(frames[i % frames.length], at, tracks);
      tracks = tracker.update(g.detections, at, g.view);
      gate.countCarried(tracks);
      updates.push(...rules.evaluate(tracks, { wall: at, mono: at }));
    }

    const started = updates.filter((u) => u.state === 'started');
    expect(
      started.map((u) => u.zone.id),
      'events started',
    ).toEqual(['kerb']);
    expect(
      updates.filter((u) => u.state === 'ended' || u.state === 'cleared'),
      'events ended',
    ).toEqual([]);
    const ids = new Set(updates.flatMap((u) => u.objects.map((o) => o.trackId)));
    expect([...ids], 'track ids in the event').toHaveLength(1);
    expect(tracks.find((t) => ids.has(t.id))?.state, 'the taxi at the end').toBe('tracked');

    // The calibration frames look at the whole frame; after that, one whole-frame pass per shortest re-check
    // interval (people on the pavement, 10 s) or per fullFrameSeconds, whichever comes first.
    const cfg = camera.detection;
    const interval = Math.min(cfg.fullFrameSeconds, ...Object.values(cfg.stationaryRecheckSeconds));
    const bound = cfg.motion.calibrationFrames + Math.ceil((minutes * 60) / interval) + 1;
    expect(gate.counters.inferences, `inferences over ${n} analysed frames (bound ${bound})`).toBeLessThanOrEqual(bound);
    expect(gate.counters.carried, 'object-frames carried without inference').toBeGreaterThan(n);
  }, 300_000);
});
