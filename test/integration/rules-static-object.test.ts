import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAlert } from '../../agent/src/alert/build.ts';
import { type Alert, alertSchema } from '../../agent/src/contract/alert.ts';
import { type Box, iou, pointInPolygon } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { detectorConfigSchema } from '../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../agent/src/detect/decoders/index.ts';
import { createDetector } from '../../agent/src/detect/detector.ts';
import type { Detection, Detector } from '../../agent/src/detect/types.ts';
import { loadModel } from '../../agent/src/model/load.ts';
import { createSceneModel } from '../../agent/src/motion/scene.ts';
import { createCameraRules } from '../../agent/src/rules/engine.ts';
import { createTracker } from '../../agent/src/track/tracker.ts';
import { clipFrames, type Overlay, type SceneClip } from '../helpers/composite.ts';
import { defaultManifest } from '../helpers/paths.ts';
import { camera } from '../unit/rules/sim.ts';

/**
 * street.png (Times Square) looped at 720×365 and 2 fps, decoded by the real ffmpeg, with real photos composited onto
 * the empty pavement in the foreground by ffmpeg `overlay`; the real model, tracker, scene model and rules judge it.
 */
const W = 720;
const H = 365;
const FPS = 2;
const T0 = Date.UTC(2026, 11, 1, 2, 0, 0);
/** The empty pavement in front of the camera. */
const PAVEMENT: [number, number][] = [
  [250, 270],
  [480, 270],
  [480, 365],
  [250, 365],
];

/** The "SHOW … FAST FOOD TO GO" sign board cut from street-sf.jpg, set down on the pavement at t = 20 s. */
const SIGN: Overlay = {
  photo: 'street-sf.jpg',
  crop: { x: 590, y: 210, width: 176, height: 180 },
  width: 60,
  at: { x: 330, y: 300 },
  fromSeconds: 20,
};
const SIGN_BOX: Box = { x1: 330, y1: 300, x2: 390, y2: 361 };
/** A man cut from bus.jpg. */
const man = (at: { x: number; y: number }, fromSeconds: number, speed?: number): Overlay => ({
  photo: 'bus.jpg',
  crop: { x: 221, y: 401, width: 125, height: 452 },
  width: 40,
  at,
  fromSeconds,
  speed,
});
/** The car behind the dog in dog.jpg, driving across the pavement. */
const car = (fromSeconds: number): Overlay => ({
  photo: 'dog.jpg',
  crop: { x: 462, y: 73, width: 217, height: 92 },
  width: 130,
  at: { x: -130, y: 290 },
  fromSeconds,
  speed: 140,
});

interface Run {
  alerts: Alert[];
  detections: Detection[][];
  msPerFrame: number;
}

describe('static_object on a real street still with composited real objects', () => {
  let detector: Detector;
  beforeAll(async () => {
    detector = await createDetector(
      await loadModel(detectorFamilies, defaultManifest),
      detectorConfigSchema.parse({ scoreThreshold: 0.25 }),
      silentLogger,
    );
  });
  afterAll(async () => {
    await detector?.close();
  });

  async function run(
    clip: Omit<SceneClip, 'still' | 'width' | 'height'>,
    rules: unknown[] = [{ id: 'obstruction', type: 'static_object', dwellSeconds: 15, endAfterSeconds: 10 }],
  ): Promise<Run> {
    const cam = camera([{ id: 'pavement', units: 'pixels', polygon: PAVEMENT, rules }], { analysis: { fps: FPS, width: W, height: H } });
    const engine = createCameraRules(cam, { timezone: 'Asia/Shanghai' }, { logger: silentLogger });
    const tracker = createTracker({ highScore: 0.4, newTrackScore: 0.4, lowScore: 0.25 });
    const scene = createSceneModel(W, H);
    const ctx = {
      site: { id: 's', divisionCode: '310101' },
      camera: { id: cam.id, location: { lat: 31.23, lon: 121.47 } },
      model: { name: detector.info.modelName, sha256: detector.info.modelSha256 },
      agent: { version: '0', boxId: 'b' },
      frame: { width: W, height: H },
    };
    const out: Run = { alerts: [], detections: [], msPerFrame: 0 };
    let sceneMs = 0;
    let frames = 0;
    for await (const f of clipFrames({ still: 'street.png', width: W, height: H, ...clip }, FPS)) {
      const at = T0 + f.t * 1000;
      const image = { data: f.data, width: W, height: H };
      const dets = await detector.detect(image);
      out.detections.push(dets);
      const t = performance.now();
      const blobs = scene.update(image, at).blobs;
      sceneMs += performance.now() - t;
      frames++;
      for (const u of engine.evaluate(tracker.update(dets, at), { wall: at, mono: at }, blobs)) out.alerts.push(buildAlert(u, ctx));
    }
    out.msPerFrame = sceneMs / frames;
    return out;
  }

  const inZone = (d: Detection) => pointInPolygon([(d.box.x1 + d.box.x2) / 2, d.box.y2], PAVEMENT);

  it('a sign board set down on the pavement at t = 20 s: one event after the dwell, located on the board', async () => {
    const r = await run({ seconds: 50, overlays: [SIGN] });
    for (const a of r.alerts) expect(alertSchema.safeParse(a).success).toBe(true);
    const started = r.alerts.filter((a) => a.state === 'started');
    expect(started, JSON.stringify(r.alerts.map((a) => [a.state, a.objects]))).toHaveLength(1);
    const [e] = started;
    expect(e.type).toBe('static_object');
    expect(e.category).toMatchObject({ id: 'road_obstruction', name: '异物占道', dahuaCode: '0x33B' });
    expect(Date.parse(e.startedAt) - T0).toBeGreaterThanOrEqual(20_000);
    expect(Date.parse(e.observedAt) - Date.parse(e.startedAt)).toBeGreaterThanOrEqual(15_000);
    const [o] = e.objects;
    const box = { x1: o.box.x * W, y1: o.box.y * H, x2: (o.box.x + o.box.width) * W, y2: (o.box.y + o.box.height) * H };
    expect(iou(box, SIGN_BOX), `event box ${JSON.stringify(box)}`).toBeGreaterThan(0.5);
    expect(o.label).toBe('static_object');
    expect(o.foreground!.area * W * H).toBeGreaterThan(0.5 * 60 * 61);
    console.log(
      `static_object: event ${((Date.parse(e.observedAt) - T0) / 1000).toFixed(1)} s into the clip, box ${JSON.stringify(box)}, IoU with the board ${iou(box, SIGN_BOX).toFixed(2)}; scene model ${r.msPerFrame.toFixed(1)} ms/frame at ${W}×${H}`,
    );
  }, 240_000);

  it('a brightness ramp (+25 % over 30 s) and a brightness step (+15 % at t = 20 s): no event', async () => {
    const ramp = await run({ seconds: 50, brightness: '0.25*min(1,max(0,(t-10)/30))' });
    expect(ramp.alerts).toEqual([]);
    const step = await run({ seconds: 50, brightness: 'if(gte(t,20),0.15,0)' });
    expect(step.alerts).toEqual([]);
  }, 240_000);

  it('a man standing still in the zone from t = 10 s: the tracked person explains it, no static_object', async () => {
    // The control rule is told people explain nothing: it sees the man as static foreground, so the scene did change.
    const r = await run({ seconds: 50, overlays: [man({ x: 340, y: 215 }, 10)] }, [
      { id: 'obstruction', type: 'static_object', dwellSeconds: 15, endAfterSeconds: 10 },
      { id: 'control', type: 'static_object', explainedBy: ['car'], dwellSeconds: 15, endAfterSeconds: 10 },
    ]);
    const seen = r.detections.slice(FPS * 12).filter((ds) => ds.some((d) => d.label === 'person' && inZone(d))).length;
    expect(seen / (r.detections.length - FPS * 12), 'share of frames the model saw the man in the zone').toBeGreaterThan(0.8);
    expect(r.alerts.filter((a) => a.rule.id === 'obstruction')).toEqual([]);
    const control = r.alerts.filter((a) => a.rule.id === 'control' && a.state === 'started');
    expect(control).toHaveLength(1);
    // What the detector thinks the blob is travels with it.
    expect(control[0].objects[0].foreground!.overlaps).toContain('person');
  }, 240_000);

  it('traffic: cars driving across the pavement one after another: no event', async () => {
    const r = await run({ seconds: 50, overlays: [5, 12, 19, 26, 33, 40].map(car) });
    expect(
      r.detections.some((ds) => ds.some((d) => (d.label === 'car' || d.label === 'truck') && inZone(d))),
      'the model saw the cars in the zone',
    ).toBe(true);
    expect(r.alerts).toEqual([]);
  }, 240_000);

  it('street vending on a stall no class names: the board set down with a man standing at it fires on the static foreground and the man', async () => {
    const r = await run({ seconds: 50, overlays: [SIGN, man({ x: 400, y: 215 }, 20)] }, [
      { id: 'vending', type: 'street_vending', stall: 'foreground', dwellSeconds: 15, endAfterSeconds: 10 },
    ]);
    const started = r.alerts.filter((a) => a.state === 'started');
    expect(started, JSON.stringify(r.alerts.map((a) => [a.state, a.objects]))).toHaveLength(1);
    const labels = started[0].objects.map((o) => o.label);
    expect(labels).toContain('static_object');
    expect(labels).toContain('person');
    const stall = started[0].objects.find((o) => o.label === 'static_object')!;
    const box = {
      x1: stall.box.x * W,
      y1: stall.box.y * H,
      x2: (stall.box.x + stall.box.width) * W,
      y2: (stall.box.y + stall.box.height) * H,
    };
    expect(
      box.x1 < SIGN_BOX.x2 && box.x2 > SIGN_BOX.x1 && box.y1 < SIGN_BOX.y2 && box.y2 > SIGN_BOX.y1,
      `stall box ${JSON.stringify(box)} on the board`,
    ).toBe(true);
    expect(started[0].category).toMatchObject({ id: 'street_vending', code: '09006', fullCode: '31010109006' });
  }, 240_000);

  it('street vending: a bicycle parked in the zone with people walking past outside it: no vending alert', async () => {
    const bicycle: Overlay = {
      photo: 'street-sf.jpg',
      crop: { x: 775, y: 700, width: 474, height: 331 },
      width: 110,
      at: { x: 300, y: 285 },
      fromSeconds: 0,
    };
    const walkers = [0, 8, 16, 24, 32].map((from) => man({ x: 150, y: 120 }, from, 40));
    const r = await run({ seconds: 50, overlays: [bicycle, ...walkers] }, [
      { id: 'vending', type: 'street_vending', dwellSeconds: 15, endAfterSeconds: 10 },
    ]);
    const bikeSeen = r.detections.filter((ds) => ds.some((d) => d.label === 'bicycle' && inZone(d))).length;
    expect(bikeSeen / r.detections.length, 'share of frames the model saw the bicycle in the zone').toBeGreaterThan(0.5);
    expect(
      r.detections.some((ds) => ds.some((d) => d.label === 'person' && !inZone(d) && d.box.y2 > 240 && d.box.x1 > 200 && d.box.x2 < 520)),
      'walkers passed right by the zone',
    ).toBe(true);
    expect(r.alerts).toEqual([]);
  }, 240_000);
});
