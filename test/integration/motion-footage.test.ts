import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box, Point, RgbImage } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { detectorConfigSchema } from '../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../agent/src/detect/decoders/index.ts';
import { createDetector } from '../../agent/src/detect/detector.ts';
import type { Detector } from '../../agent/src/detect/types.ts';
import { loadModel } from '../../agent/src/model/load.ts';
import { MotionDetector } from '../../agent/src/motion/detector.ts';
import { CORNER_MARKS } from '../helpers/drone-clip.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';

/** Real footage through the real ffmpeg at the default analysis size and rate. */
const W = 640;
const H = 360;

function decode(args: string[]): RgbImage[] {
  const out = spawnSync('ffmpeg', ['-v', 'error', ...args, '-vf', `fps=5,scale=${W}:${H}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 1 << 30,
  });
  if (out.status !== 0) throw new Error(`ffmpeg failed: ${out.stderr.toString()}`);
  const size = W * H * 3;
  const frames: RgbImage[] = [];
  for (let o = 0; o + size <= out.stdout.length; o += size)
    frames.push({ data: new Uint8Array(out.stdout.subarray(o, o + size)), width: W, height: H });
  return frames;
}

/**
 * The looped still as a camera would send it: street.png encoded to H.264 (so every frame carries its own
 * compression noise) at 5 fps, with an optional filter (a brightness step or ramp made with `eq`).
 */
function stillClip(dir: string, name: string, seconds: number, filter = 'null'): string {
  const file = join(dir, name);
  const still = join(dir, 'street-640.png');
  if (!existsSync(still)) spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', sample('street.png'), '-vf', `scale=${W}:${H}`, still]);
  const r = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-loop',
    '1',
    '-framerate',
    '5',
    '-i',
    still,
    '-t',
    String(seconds),
    '-r',
    '5',
    '-vf',
    filter,
    '-c:v',
    'libx264',
    '-g',
    '10',
    '-pix_fmt',
    'yuv420p',
    file,
  ]);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
  return file;
}

const area = (b: Box) => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
const overlap = (a: Box, b: Box) =>
  area({ x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1), x2: Math.min(a.x2, b.x2), y2: Math.min(a.y2, b.y2) });

describe('motion detector on real footage', () => {
  let detector: Detector;
  let dir: string;

  beforeAll(async () => {
    detector = await createDetector(await loadModel(detectorFamilies, defaultManifest), detectorConfigSchema.parse({}), silentLogger);
    dir = mkdtempSync(join(tmpdir(), 'jifang-motion-'));
  });
  afterAll(async () => {
    await detector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('car-detection.mp4: the moving cars the model finds lie in motion boxes, and the empty road before them barely moves (corner marks masked)', async () => {
    const frames = decode(['-i', sample('car-detection.mp4')]);
    const md = new MotionDetector(W, H, CORNER_MARKS);
    let cars = 0;
    let covered = 0;
    let emptyRoadArea = 0;
    for (let i = 0; i < frames.length; i++) {
      const m = md.update(frames[i]);
      // The first car enters at about 4.2 s: before that the road is empty.
      if (i < 20) emptyRoadArea = Math.max(emptyRoadArea, m.areaFraction);
      if (m.calibrating || i % 2 !== 0) continue;
      // Seen from above, the COCO model calls these cars "cell phone" or "parking meter", but its boxes are where the
      // cars are: any confident object smaller than half the frame (not the whole-frame "sink" of the asphalt).
      const found = (await detector.detect(frames[i])).filter((d) => d.score >= 0.5 && area(d.box) < 0.5 * W * H);
      for (const car of found) {
        // A car mostly out of the picture barely shows: judge the ones at least half a car inside.
        if (area(car.box) < 60 * 60) continue;
        cars++;
        if (m.boxes.some((b) => overlap(b, car.box) >= 0.5 * area(car.box))) covered++;
      }
    }
    expect(cars, 'cars detected by the model').toBeGreaterThan(8);
    expect(covered / cars, `${covered} of ${cars} cars inside a motion box`).toBeGreaterThanOrEqual(0.8);
    expect(emptyRoadArea, 'largest share of the empty road (first 4 s) seen moving').toBeLessThan(0.005);
  }, 120_000);

  it('car-detection.mp4 without motion masks: the corner marks move; with them masked, no motion box touches them', () => {
    const frames = decode(['-i', sample('car-detection.mp4'), '-t', '4']);
    const inMarks = (b: Box) =>
      CORNER_MARKS.some((poly) => {
        const xs = poly.map(([x]) => x * W);
        const ys = poly.map(([, y]) => y * H);
        return overlap(b, { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) }) > 0;
      });
    const count = (masks: Point[][]) => {
      const md = new MotionDetector(W, H, masks);
      return frames.reduce((n, f) => n + md.update(f).boxes.filter(inMarks).length, 0);
    };
    expect(count([]), 'motion boxes on the corner marks, unmasked').toBeGreaterThan(0);
    expect(count(CORNER_MARKS), 'motion boxes on the corner marks, masked').toBe(0);
  }, 60_000);

  it('a looped still (street.png, H.264) shows no motion once calibrated', () => {
    const frames = decode(['-i', stillClip(dir, 'still.mp4', 12)]);
    const md = new MotionDetector(W, H);
    const results = frames.map((f) => md.update(f));
    const settled = results.filter((r) => !r.calibrating);
    expect(settled.length).toBeGreaterThan(40);
    expect(
      settled.flatMap((r) => r.boxes),
      'motion boxes after calibration',
    ).toEqual([]);
    expect(md.counters.recalibrations).toBe(0);
  }, 60_000);

  it.each([
    ['a brightness step', "eq=brightness=0.25:enable='gte(t,5)'"],
    ['a brightness ramp', "eq=eval=frame:brightness='min(0.3,max(0,(t-4)*0.3))'"],
    ['a darkening step (contrast and brightness)', "eq=contrast=0.6:brightness=-0.15:enable='gte(t,5)'"],
  ])(
    '%s on the still recalibrates instead of reporting motion everywhere',
    (_name, filter) => {
      const frames = decode(['-i', stillClip(dir, 'lit.mp4', 12, filter)]);
      const md = new MotionDetector(W, H);
      const results = frames.map((f) => md.update(f));
      expect(md.counters.recalibrations, 'recalibrations').toBeGreaterThanOrEqual(1);
      const storm = results.filter((r) => r.boxes.length > 0);
      expect(
        storm.length,
        `frames with motion boxes: ${storm.map((r) => `${r.boxes.length} boxes, ${(r.areaFraction * 100).toFixed(1)} %`).join('; ')}`,
      ).toBeLessThanOrEqual(2);
      expect(results.at(-1)!.calibrating, 'calibrated again by the end').toBe(false);
    },
    60_000,
  );
});
