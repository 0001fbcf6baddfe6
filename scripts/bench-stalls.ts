// Stalls in view from the first frame, and scenes without a stall: which raise a street_vending event, with and without
// weak goods (many low-score detections at one place, track/weak-objects.ts). Real photos and footage from ../shared,
// H.264-encoded at 2 fps and decoded again (codec noise), the real model on the whole frame and the zone's window
// (as a camera in every_frame mode), the tracker's defaults, the street_vending preset with a 15 s dwell.
// Usage: npm run bench:stalls   (about 2 minutes of CPU)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cameraSchema } from '../agent/src/config/schema.ts';
import { bottomCentre, pointInPolygon } from '../agent/src/core/geometry.ts';
import { silentLogger } from '../agent/src/core/log.ts';
import { detectorConfigSchema } from '../agent/src/detect/config.ts';
import { detectorFamilies } from '../agent/src/detect/decoders/index.ts';
import { createDetector } from '../agent/src/detect/detector.ts';
import { windowsForCamera } from '../agent/src/detect/windows.ts';
import { loadModel } from '../agent/src/model/load.ts';
import { createCameraRules } from '../agent/src/rules/engine.ts';
import { DetectionGate } from '../agent/src/runtime/detection-gate.ts';
import { createTracker } from '../agent/src/track/tracker.ts';
import type { Track } from '../agent/src/track/types.ts';
import { createWeakObjects } from '../agent/src/track/weak-objects.ts';
import { clipArgs, type Overlay } from '../test/helpers/composite.ts';
import { defaultManifest, sample, sharedDir } from '../test/helpers/paths.ts';

const FPS = 2;
const SECONDS = 45;
type Poly = [number, number][];
const rect = (x1: number, y1: number, x2: number, y2: number): Poly => [
  [x1, y1],
  [x2, y1],
  [x2, y2],
  [x1, y2],
];

/** The food cart with its umbrellas and the people at it, cut from street.png. */
const CART = { photo: 'street.png', crop: { x: 950, y: 370, width: 290, height: 200 } };
/** A man cut from bus.jpg, walking across. */
const walker = (y: number, from: number, width = 40): Overlay => ({
  photo: 'bus.jpg',
  crop: { x: 221, y: 401, width: 125, height: 452 },
  width,
  at: { x: -width, y },
  fromSeconds: from,
  speed: 60,
});

interface Scene {
  name: string;
  stall: boolean;
  width: number;
  height: number;
  zone: Poly;
  /** ffmpeg input and filter arguments ending in a [out] map. */
  args: string[];
}

const still = (s: string, w: number, h: number, overlays: Overlay[] = []) =>
  clipArgs({ still: s, width: w, height: h, seconds: SECONDS, overlays }, FPS);
const file = (path: string, w: number, h: number, loop: boolean) => [
  ...(loop ? ['-loop', '1', '-framerate', String(FPS), '-t', String(SECONDS)] : ['-t', String(SECONDS)]),
  '-i',
  path,
  '-filter_complex',
  `[0:v]fps=${FPS},scale=${w}:${h},format=rgb24[out]`,
  '-map',
  '[out]',
];

const scenes: Scene[] = [
  {
    name: 'street.png: food cart + umbrellas on the right pavement',
    stall: true,
    width: 640,
    height: 360,
    zone: rect(0.61, 0.53, 1, 0.88),
    args: still('street.png', 640, 360),
  },
  {
    name: 'street.png: the same, passers-by walking in front',
    stall: true,
    width: 640,
    height: 360,
    zone: rect(0.61, 0.53, 1, 0.88),
    args: still(
      'street.png',
      640,
      360,
      [0, 5, 10, 15, 20, 25, 30, 35].map((t) => walker(215, t, 45)),
    ),
  },
  {
    name: 'street-sf.jpg: the food cart set on its pavement from frame 1',
    stall: true,
    width: 480,
    height: 480,
    zone: rect(0, 0.45, 0.45, 0.8),
    args: still('street-sf.jpg', 480, 480, [{ ...CART, width: 160, at: { x: 20, y: 230 }, fromSeconds: 0 }]),
  },
  {
    name: 'street.png: kerb, parked taxi and cars',
    stall: false,
    width: 640,
    height: 360,
    zone: rect(0, 0.6, 0.45, 1),
    args: still('street.png', 640, 360),
  },
  {
    name: 'street.png: crossing, passers-by',
    stall: false,
    width: 640,
    height: 360,
    zone: rect(0.45, 0.6, 0.61, 1),
    args: still('street.png', 640, 360),
  },
  {
    name: 'street-sf.jpg: pavement, bench, parked car, bicycle',
    stall: false,
    width: 480,
    height: 480,
    zone: rect(0, 0.4, 1, 1),
    args: still('street-sf.jpg', 480, 480),
  },
  {
    name: 'bus.jpg: people queueing at the bus',
    stall: false,
    width: 360,
    height: 480,
    zone: rect(0, 0.3, 1, 1),
    args: still('bus.jpg', 360, 480),
  },
  {
    name: 'bus.jpg: the same, zone over the bus too',
    stall: false,
    width: 360,
    height: 480,
    zone: rect(0, 0, 1, 1),
    args: still('bus.jpg', 360, 480),
  },
  {
    name: 'dog.jpg: dog, bicycle, parked truck',
    stall: false,
    width: 640,
    height: 480,
    zone: rect(0, 0, 1, 1),
    args: still('dog.jpg', 640, 480),
  },
  {
    name: 'hyperlpr-test_img.jpg: cars in bays, motorbike',
    stall: false,
    width: 640,
    height: 360,
    zone: rect(0, 0.3, 1, 1),
    args: file(join(sharedDir, 'plates', 'hyperlpr-test_img.jpg'), 640, 360, true),
  },
  {
    name: 'car-detection.mp4: parking lot, cars driving (footage)',
    stall: false,
    width: 640,
    height: 360,
    zone: rect(0, 0, 1, 1),
    args: file(sample('car-detection.mp4'), 640, 360, false),
  },
];

async function* frames(args: string[], w: number, h: number, tmp: string): AsyncGenerator<Uint8Array> {
  // Encoded and decoded again, so that every frame carries its own codec noise as a camera's would.
  const mp4 = join(tmp, 'clip.mp4');
  await ffmpeg(['-y', ...args, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', String(FPS * 2), mp4]);
  const proc = spawn('ffmpeg', ['-v', 'error', '-i', mp4, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const size = w * h * 3;
  let pending = Buffer.alloc(0);
  for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= size) {
      yield new Uint8Array(pending.subarray(0, size));
      pending = pending.subarray(size);
    }
  }
}

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', ['-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))));
  });
}

const model = await loadModel(detectorFamilies, defaultManifest);
const detector = await createDetector(model, detectorConfigSchema.parse({}), silentLogger);
const tmp = mkdtempSync(join(tmpdir(), 'bench-stalls-'));
const rows: string[] = [];
try {
  for (const s of scenes) {
    const rule = { id: 'vending', type: 'street_vending', dwellSeconds: 15 };
    const cam = (weakGoods: boolean) =>
      cameraSchema.parse({
        id: 'cam',
        url: 'rtsp://127.0.0.1/cam',
        detection: { mode: 'every_frame' },
        analysis: { fps: FPS, width: s.width, height: s.height },
        zones: [{ id: 'z', polygon: s.zone, rules: [{ ...rule, weakGoods }] }],
      });
    const before = createCameraRules(cam(false), { timezone: 'Asia/Shanghai' }, { logger: silentLogger });
    const after = createCameraRules(cam(true), { timezone: 'Asia/Shanghai' }, { logger: silentLogger });
    const gate = new DetectionGate(cam(true), detector, windowsForCamera(cam(true), model.manifest.input), model.manifest.input);
    const tracker = createTracker(cam(true).tracker);
    const weak = createWeakObjects({ labels: after.weakLabels });
    const zonePx: Poly = s.zone.map(([x, y]) => [x * s.width, y * s.height]);
    let tracks: Track[] = [];
    const events = { before: [] as number[], after: [] as number[] };
    const weakSeen = new Map<string, number>();
    let n = 0;
    for await (const data of frames(s.args, s.width, s.height, tmp)) {
      const at = 1_000_000 + (n++ * 1000) / FPS;
      const { detections, view } = await gate.detect({ data, width: s.width, height: s.height }, at, tracks);
      tracks = tracker.update(detections, at, view);
      const w = weak.update(detections, at, view);
      for (const o of w) if (pointInPolygon(bottomCentre(o.box), zonePx)) weakSeen.set(`${o.label} ${o.meanScore.toFixed(2)}`, o.id);
      const now = { wall: at, mono: at };
      for (const u of before.evaluate(tracks, now)) if (u.state === 'started') events.before.push((at - 1_000_000) / 1000);
      for (const u of after.evaluate(tracks, now, undefined, w)) if (u.state === 'started') events.after.push((at - 1_000_000) / 1000);
    }
    const say = (e: number[]) => (e.length === 0 ? 'none' : e.map((t) => `event at ${t} s`).join(', '));
    const ok = (e: number[]) => ((s.stall ? e.length === 1 : e.length === 0) ? 'ok' : 'WRONG');
    rows.push(
      `| ${s.name} | ${s.stall ? 'stall' : 'no stall'} | ${say(events.before)} (${ok(events.before)}) | ${say(events.after)} (${ok(events.after)}) | ${[...weakSeen.keys()].slice(0, 6).join('; ') || '—'} |`,
    );
    console.log(rows.at(-1));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
  await detector.close();
}
console.log(`\n${SECONDS} s at ${FPS} fps, street_vending dwell 15 s, every_frame with zone windows\n`);
console.log(
  '| scene | truth | before (tracked goods only) | after (weak goods too) | weak goods that counted in the zone (label, mean score) |',
);
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(r);
