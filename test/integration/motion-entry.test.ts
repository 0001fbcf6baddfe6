import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraSchema } from '../../agent/src/config/schema.ts';
import type { Box, Point, RgbImage } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { detectorConfigSchema } from '../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../agent/src/detect/decoders/index.ts';
import type { Detector } from '../../agent/src/detect/types.ts';
import { openDetector } from '../../agent/src/detect/worker-detector.ts';
import { loadModel } from '../../agent/src/model/load.ts';
import { DetectionGate } from '../../agent/src/runtime/detection-gate.ts';
import { createTracker } from '../../agent/src/track/tracker.ts';
import type { Track } from '../../agent/src/track/types.ts';
import { CORNER_MARKS } from '../helpers/drone-clip.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';

/** car-detection.mp4 through the real ffmpeg at the default analysis size and rate (5 fps, 640×360). */
const W = 640;
const H = 360;
const FPS = 5;

function decode(file: string): RgbImage[] {
  const out = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-vf', `fps=${FPS},scale=${W}:${H}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    {
      maxBuffer: 1 << 30,
    },
  );
  if (out.status !== 0) throw new Error(`ffmpeg failed: ${out.stderr.toString()}`);
  const size = W * H * 3;
  const frames: RgbImage[] = [];
  for (let o = 0; o + size <= out.stdout.length; o += size)
    frames.push({ data: new Uint8Array(out.stdout.subarray(o, o + size)), width: W, height: H });
  return frames;
}

/** The middle lane of the road, upper half of the picture: cars driving up the lane from the bottom edge enter it. */
const ZONE = { x1: 0.33 * W, y1: 0.2 * H, x2: 0.63 * W, y2: 0.55 * H };
const inZone = (b: Box) => {
  const cx = (b.x1 + b.x2) / 2;
  const cy = (b.y1 + b.y2) / 2;
  return cx >= ZONE.x1 && cx <= ZONE.x2 && cy >= ZONE.y1 && cy <= ZONE.y2;
};
const polygon = (): Point[] => [
  [ZONE.x1 / W, ZONE.y1 / H],
  [ZONE.x2 / W, ZONE.y1 / H],
  [ZONE.x2 / W, ZONE.y2 / H],
  [ZONE.x1 / W, ZONE.y2 / H],
];
describe('a car driving into a zone, motion mode (real footage, real model)', () => {
  let detector: Detector;
  let modelInput: { width: number; height: number };
  let frames: RgbImage[];

  beforeAll(async () => {
    const model = await loadModel(detectorFamilies, defaultManifest);
    modelInput = model.manifest.input;
    detector = await openDetector(model, detectorConfigSchema.parse({}), silentLogger);
    frames = decode(sample('car-detection.mp4'));
  }, 120_000);
  afterAll(async () => {
    await detector?.close();
  });

  it('is tracked in the zone within two analysed frames of the frame the model first sees it there', async () => {
    // Where the car really is: the model on the whole of every frame (what every_frame mode runs). Seen from above,
    // the COCO model calls these cars "cell phone", "toilet" or "car": any confident object smaller than half the frame.
    const seen: boolean[] = [];
    for (const f of frames) {
      const ds = (await detector.detect(f)).filter((d) => d.score >= 0.5 && (d.box.x2 - d.box.x1) * (d.box.y2 - d.box.y1) < 0.5 * W * H);
      seen.push(ds.some((d) => inZone(d.box)));
    }
    // A car enters where the zone was empty for the frames before (a missed frame inside a passage is no entry).
    const entries = seen.flatMap((s, i) => (s && i >= 3 && !seen[i - 1] && !seen[i - 2] && !seen[i - 3] ? [i] : []));
    expect(entries.length, 'cars entering the zone in the clip').toBeGreaterThanOrEqual(2);

    const camera = cameraSchema.parse({
      id: 'road',
      url: 'rtsp://camera.invalid/stream',
      analysis: { fps: FPS, width: W, height: H },
      windows: 'none',
      motionMasks: CORNER_MARKS,
      zones: [{ id: 'lane', polygon: polygon(), rules: [{ id: 'no-entry', type: 'intrusion' }] }],
    });
    expect(camera.detection.mode).toBe('motion');
    const gate = new DetectionGate(camera, detector, [], modelInput);
    const tracker = createTracker();
    let tracks: Track[] = [];
    const tracked: boolean[] = [];
    const wholeFrame: boolean[] = [];
    for (let i = 0; i < frames.length; i++) {
      const at = (i * 1000) / FPS;
      const g = await gate.detect(frames[i], at, tracks);
      tracks = tracker.update(g.detections, at, g.view);
      wholeFrame.push(g.view === undefined);
      tracked.push(tracks.some((t) => t.state === 'tracked' && !t.carried && inZone(t.box)));
    }
    for (const e of entries) {
      const within = tracked.slice(e, e + 3).indexOf(true);
      expect(
        within,
        `car entering at frame ${e}: tracked in the zone at frames ${e}–${e + 2}: ${tracked.slice(e, e + 3)}`,
      ).toBeGreaterThanOrEqual(0);
    }
    // The run was gated: the empty road before and between the cars cost no inference at all.
    const idle = wholeFrame.filter((w) => !w).length;
    expect(idle, 'frames looked at only where something moved').toBeGreaterThan(20);
    expect(gate.counters.inferences, 'inferences in motion mode').toBeLessThan(frames.length);
  }, 600_000);
});
