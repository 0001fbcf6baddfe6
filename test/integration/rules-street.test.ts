import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertContext, buildAlert } from '../../agent/src/alert/build.ts';
import { loadConfig } from '../../agent/src/config/load.ts';
import { type CameraConfig, cameraSchema } from '../../agent/src/config/schema.ts';
import { type Alert, alertSchema } from '../../agent/src/contract/alert.ts';
import { type LatLon, type Point, pointInPolygon } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { detectorConfigSchema } from '../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../agent/src/detect/decoders/index.ts';
import { createDetector } from '../../agent/src/detect/detector.ts';
import type { Detector } from '../../agent/src/detect/types.ts';
import { createGeoMapper } from '../../agent/src/geo/mapper.ts';
import type { Frame } from '../../agent/src/ingest/frame.ts';
import { CameraSource } from '../../agent/src/ingest/source.ts';
import { loadModel } from '../../agent/src/model/load.ts';
import { createCameraRules } from '../../agent/src/rules/engine.ts';
import { DetectionGate } from '../../agent/src/runtime/detection-gate.ts';
import { createTracker } from '../../agent/src/track/tracker.ts';
import type { Track } from '../../agent/src/track/types.ts';
import { defaultManifest, projectRoot, sample } from '../helpers/paths.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

/**
 * street.png as a live camera: the demo clip (samples/street.mp4, made by setup) served by the real RTSP server, read by the real
 * ingest (ffmpeg), analysed by the real model, tracked and judged by the rules. Boxes were read
 * off the photo by eye (see test/integration/detect-model.test.ts); the frame is 1440×730.
 */
const W = 1440;
const H = 730;
const FPS = 2;
/** The kerb bay where the taxi stands (its bottom edge is at y ≈ 625); the SUV behind it ends at y ≈ 567. */
const KERB: Point[] = [
  [150, 595],
  [430, 595],
  [430, 690],
  [150, 690],
];
/** The right-hand pavement with the umbrella stall and its people, and no vehicle. */
const PAVEMENT: Point[] = [
  [880, 390],
  [1440, 390],
  [1440, 640],
  [880, 640],
];

/**
 * The ground the demo's calibration was surveyed on (configs/demo.yaml: marks on the street and the plaza), so the
 * test computes ground positions independently of the fit: 20 px per metre across and 10 px per metre up the image,
 * the image's bottom-left corner at ORIGIN.
 */
const ORIGIN = { lat: 31.2304, lon: 121.4737 };
const PHI = (ORIGIN.lat * Math.PI) / 180;
const M_PER_DEG_LAT = 111132.92 - 559.82 * Math.cos(2 * PHI);
const M_PER_DEG_LON = 111412.84 * Math.cos(PHI);
const ground = ([x, y]: Point): LatLon => ({ lat: ORIGIN.lat + (H - y) / 10 / M_PER_DEG_LAT, lon: ORIGIN.lon + x / 20 / M_PER_DEG_LON });
/** The demo camera, whose calibration as an installer left it the test takes, so that it follows the config. */
const DEMO_CAMERA = loadConfig(join(projectRoot, 'configs', 'demo.yaml')).config.cameras[0];
/** Where the taxi touches the ground: around the middle of its bottom edge (x 118–437, y ≈ 625), ±1.5 m. */
const TAXI_GROUND: [number, number][] = (
  [
    [247, 610],
    [307, 610],
    [307, 640],
    [247, 640],
  ] as Point[]
).map((p) => {
  const g = ground(p);
  return [g.lon, g.lat];
});

function streetCamera(url: string, mode: 'every_frame' | 'motion'): CameraConfig {
  return cameraSchema.parse({
    id: 'street',
    detection: { mode },
    name: 'Street test camera',
    url,
    analysis: { fps: FPS, width: W, height: H },
    location: { lat: 31.2301, lon: 121.4731 },
    calibration: DEMO_CAMERA.calibration,
    windows: [{ x: 880, y: 390, width: 560, height: 250 }],
    zones: [
      {
        id: 'kerb',
        units: 'pixels',
        polygon: KERB,
        rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 6, endAfterSeconds: 30 }],
      },
      {
        id: 'pavement',
        units: 'pixels',
        polygon: PAVEMENT,
        rules: [
          { id: 'vending', type: 'street_vending', dwellSeconds: 6, minScore: 0.35, endAfterSeconds: 30 },
          { id: 'no-parking-pavement', type: 'illegal_parking', dwellSeconds: 6, minScore: 0.3, endAfterSeconds: 30 },
        ],
      },
    ],
  });
}

describe('street.png as a live RTSP camera, end to end with the real model', () => {
  let server: RtspServer;
  let detector: Detector;
  let modelInput: { width: number; height: number };
  let source: CameraSource | undefined;

  beforeAll(async () => {
    server = await startRtspServer({ '/street': sample('street.mp4') });
    const model = await loadModel(detectorFamilies, defaultManifest);
    modelInput = model.manifest.input;
    detector = await createDetector(model, detectorConfigSchema.parse({ scoreThreshold: 0.25 }), silentLogger);
  });
  afterAll(async () => {
    await source?.stop();
    await detector?.close();
    await server?.stop();
  });

  // every_frame: the whole frame and the pavement window on every frame; motion: the same scene gated by motion
  // (the whole frame while calibrating, then nothing moves: the objects are carried and re-checked now and then).
  it.each(['every_frame', 'motion'] as const)(
    '%s: one illegal_parking over the taxi, located in its bay; a street_vending on the pavement; no parking event where no vehicle is',
    async (mode) => {
      // The calibration's pixels are the demo's analysed frame's, the size of the test's.
      expect(DEMO_CAMERA.analysis).toMatchObject({ width: W, height: H });
      const camera = streetCamera(server.url('/street'), mode);
      const tracker = createTracker({ highScore: 0.4, newTrackScore: 0.4, lowScore: 0.25 });
      const rules = createCameraRules(camera, { timezone: 'Asia/Shanghai' }, { logger: silentLogger });
      const ctx: AlertContext = {
        site: { id: 'test-site' },
        camera: { id: camera.id, name: camera.name, location: camera.location! },
        geo: createGeoMapper(camera.calibration!, camera.analysis),
        model: { name: detector.info.modelName, sha256: detector.info.modelSha256 },
        agent: { version: '0.0.0-test', boxId: 'test-box' },
        frame: camera.analysis,
      };
      const windows = Array.isArray(camera.windows) ? camera.windows : [];
      const gate = new DetectionGate(camera, detector, windows, modelInput);
      let tracks: Track[] = [];
      const alerts: Alert[] = [];
      let analysed = 0;
      let firstAt: number | undefined;

      source = new CameraSource(camera, silentLogger);
      // Analysed frames are taken one at a time; frames arriving meanwhile are skipped, as the agent's loop does.
      let busy = false;
      const done = new Promise<void>((resolve, reject) => {
        source!.on('frame', (frame: Frame) => {
          if (busy) return source!.recycle(frame);
          busy = true;
          const at = { wall: frame.receivedAt, mono: frame.monoAt };
          firstAt ??= at.mono;
          gate
            .detect(frame, at.mono, tracks)
            .then(({ detections, view }) => {
              source!.recycle(frame);
              analysed++;
              tracks = tracker.update(detections, at.mono, view);
              for (const u of rules.evaluate(tracks, at)) alerts.push(buildAlert(u, ctx));
              // Well past the dwell (6 s) plus the settling time of the stall objects (6 s): long enough for a second event to show.
              if (at.mono - firstAt! > 20_000) resolve();
            })
            .catch(reject)
            .finally(() => (busy = false));
        });
      });
      source.start();
      await done;
      await source.stop();

      for (const a of alerts) expect(alertSchema.safeParse(a).success).toBe(true);
      const started = alerts.filter((a) => a.state === 'started');
      const parking = started.filter((a) => a.type === 'illegal_parking');
      expect(
        parking.map((a) => a.zone),
        `parking events: ${JSON.stringify(parking.map((a) => a.objects))}`,
      ).toEqual(['kerb']);
      const [taxi] = parking;
      expect(taxi.objects.map((o) => o.label)).toEqual(['car']);
      expect(taxi.dwellSeconds).toBeGreaterThanOrEqual(6);
      expect(taxi.locationSource).toBe('calibrated');
      expect(pointInPolygon(taxi.location.coordinates, TAXI_GROUND), `taxi located at ${taxi.location.coordinates}`).toBe(true);
      expect(taxi.model.sha256).toBe('cdab77bdde16e4f76bec734c4e5791801d1739e4c7ec1995e0e110e04300d0c2');

      const vending = started.filter((a) => a.type === 'street_vending');
      expect(vending).toHaveLength(1);
      expect(vending[0].zone).toBe('pavement');
      expect(vending[0].objects.some((o) => o.label === 'umbrella')).toBe(true);
      expect(vending[0].objects.some((o) => o.label === 'person')).toBe(true);
      expect(alerts.filter((a) => a.state === 'ended')).toEqual([]);
      expect(analysed).toBeGreaterThan(10);
      if (mode === 'motion') expect(gate.counters.inferences, 'inferences in motion mode').toBeLessThan(analysed);
    },
    90_000,
  );
});
