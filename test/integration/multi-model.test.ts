import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Alert, alertSchema } from '../../agent/src/contract/alert.ts';
import { cameraHealthSchema } from '../../agent/src/contract/health.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { detectorConfigSchema } from '../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../agent/src/detect/decoders/index.ts';
import { readRgbImage } from '../../agent/src/detect/image-file.ts';
import { ModelSet } from '../../agent/src/detect/model-set.ts';
import { createWorkerDetector, type WorkerDetector } from '../../agent/src/detect/worker-detector.ts';
import { loadModel } from '../../agent/src/model/load.ts';
import { type AgentProcess, runAgent } from '../helpers/agent-process.ts';
import type { Received } from '../helpers/mqtt-subscriber.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
import { useStage } from '../helpers/stage.ts';
import { writeStallModel } from '../helpers/stall-model.ts';

/**
 * Two models on one camera: the real default COCO model and a site detector — a tiny YOLOv8-layout model built here
 * that sees a `stall` (a label COCO has not) on the pavement of street.png. The whole agent (`jifang run`) over the
 * real RTSP server and a real mosquitto: each alert object names the model that saw it, a rule on the site model's
 * label fires, and health and metrics count each model's inferences.
 */
const W = 1440;
const H = 730;
const site = 'multi-site';
/** The kerb bay where the taxi stands (the default model's car). */
const KERB: [number, number][] = [
  [150, 595],
  [430, 595],
  [430, 690],
  [150, 690],
];
/** The right-hand pavement; the site model's stall stands on it. */
const PAVEMENT: [number, number][] = [
  [880, 390],
  [1440, 390],
  [1440, 640],
  [880, 640],
];
const STALL = { x1: 1000, y1: 430, x2: 1250, y2: 600 };

const json = (m: Received) => JSON.parse(m.payload.toString()) as unknown;

describe('more than one model per box', () => {
  const stage = useStage({
    prefix: 'jifang-multi-model',
    streams: () => ({ '/street': sample('street.mp4') }),
    topic: `jifang/v1/${site}/#`,
  });
  let agent: AgentProcess | undefined;
  afterEach(async () => {
    await agent?.stop('SIGKILL');
    agent = undefined;
  });

  it('jifang run with [default, stalls] on one camera: a rule on the site model’s `stall` fires, objects name their model, inferences counted per model', async () => {
    const stalls = writeStallModel(stage.dir, { box: STALL, frame: { width: W, height: H } });
    const port = await freePort();
    const runDir = mkdtempSync(join(stage.dir, 'run-'));
    agent = runAgent(runDir, {
      site: { id: site, name: 'Two models', timezone: 'Asia/Shanghai', location: { lat: 31.2304, lon: 121.4737 }, boxId: 'multi-box' },
      mqtt: { url: stage.broker.url, healthIntervalSeconds: 2 },
      model: { manifest: defaultManifest },
      models: { stalls: { manifest: stalls } },
      dataDir: join(runDir, 'data'),
      evidence: { clip: { enabled: false } },
      http: { port },
      cameras: [
        {
          id: 'street',
          url: stage.rtsp.url('/street'),
          analysis: { fps: 2, width: W, height: H },
          models: ['default', 'stalls'],
          detection: { mode: 'every_frame' },
          windows: 'none',
          zones: [
            { id: 'kerb', units: 'pixels', polygon: KERB, rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 4 }] },
            {
              id: 'pavement',
              units: 'pixels',
              polygon: PAVEMENT,
              rules: [{ id: 'stall-here', type: 'intrusion', labels: ['stall'], dwellSeconds: 3 }],
            },
          ],
        },
      ],
    });
    const events = `jifang/v1/${site}/street/events`;
    const started = (rule: string) => (m: Received) =>
      m.topic === events && (json(m) as Alert).rule?.id === rule && (json(m) as Alert).state === 'started';
    const wait = (rule: string) =>
      stage.sub.waitFor(started(rule), 1, 90_000).catch((err: Error) => {
        throw new Error(`${err.message}\nagent stderr:\n${agent!.stderr()}`);
      });
    const [stallMsg, parkingMsg] = await Promise.all([wait('stall-here'), wait('no-parking')]).then((r) => r.map((m) => m[0]));

    const stallAlert = alertSchema.parse(json(stallMsg));
    expect(stallAlert).toMatchObject({ type: 'intrusion', zone: 'pavement', camera: 'street' });
    expect(stallAlert.objects.map((o) => [o.label, o.model])).toEqual([['stall', 'stalls']]);
    const box = stallAlert.objects[0].box;
    expect(box.x * W).toBeCloseTo(STALL.x1, -1);
    expect((box.y + box.height) * H).toBeCloseTo(STALL.y2, -1);
    const stallsSha = stallAlert.models?.stalls?.sha256;
    expect(stallAlert.models).toEqual({
      default: { name: 'picodet_s_416_coco', sha256: 'cdab77bdde16e4f76bec734c4e5791801d1739e4c7ec1995e0e110e04300d0c2' },
      stalls: { name: 'tiny-stalls', sha256: stallsSha },
    });
    expect(stallAlert.model.name).toBe('picodet_s_416_coco');

    // The taxi is the COCO model's: a car, named by the default model, never by the site's.
    const parkingAlert = alertSchema.parse(json(parkingMsg));
    expect(parkingAlert.objects.map((o) => [o.label, o.model])).toEqual([['car', 'default']]);

    // Each frame is one inference on each model (the whole frame, no windows): the counts go up together.
    const [health] = await stage.sub.waitFor(
      (m) => m.topic === `jifang/v1/${site}/street/health` && ((json(m) as { analysedFrames?: number }).analysedFrames ?? 0) >= 4,
      1,
      30_000,
    );
    const h = cameraHealthSchema.parse(json(health));
    const perModel = h.detection!.models!;
    expect(Object.keys(perModel).sort()).toEqual(['default', 'stalls']);
    expect(perModel.stalls.inferences).toBeGreaterThanOrEqual(4);
    expect(perModel.stalls.inferences).toBe(perModel.default.inferences);
    expect(perModel.default.failures + perModel.stalls.failures).toBe(0);
    // The scheduler charges the camera for both models' inferences.
    expect(h.detection!.inferences).toBe(perModel.default.inferences + perModel.stalls.inferences);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const count = (model: string) =>
      Number(new RegExp(`^jifang_model_inferences_total\\{camera="street",model="${model}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(count('default')).toBeGreaterThanOrEqual(4);
    expect(count('stalls')).toBe(count('default'));
  }, 180_000);

  it('one model’s worker crashing costs only its own detections: the other model answers, and the crashed one comes back', async () => {
    const image = await readRgbImage(sample('street.png'));
    const stallBox = { x1: image.width * 0.7, y1: image.height * 0.6, x2: image.width * 0.85, y2: image.height * 0.8 };
    const crashDir = mkdtempSync(join(stage.dir, 'crash-'));
    const stalls = await loadModel(detectorFamilies, writeStallModel(crashDir, { box: stallBox, frame: image }));
    const cfg = detectorConfigSchema.parse({ intraOpThreads: 1 });
    const open: WorkerDetector[] = [];
    try {
      const coco = await createWorkerDetector(await loadModel(detectorFamilies, defaultManifest), cfg, silentLogger);
      open.push(coco);
      const stallsDetector = await createWorkerDetector(stalls, cfg, silentLogger);
      open.push(stallsDetector);
      const set = new ModelSet(
        [
          { name: 'default', detector: coco },
          { name: 'stalls', detector: stallsDetector },
        ],
        { nmsIou: 0.5, log: silentLogger },
      );
      const byModel = (dets: { model?: string; label: string }[]) =>
        [...new Set(dets.map((d) => `${d.model}:${d.label === 'stall' ? 'stall' : 'coco'}`))].sort();

      expect(byModel(await set.detect(image))).toEqual(['default:coco', 'stalls:stall']);
      expect(set.lastRuns.map((r) => [r.model, r.inferences, r.error])).toEqual([
        ['default', 1, undefined],
        ['stalls', 1, undefined],
      ]);

      // Regions (what motion-gated detection plans) go to each model: one inference per region per model.
      const half = Math.floor(image.width / 2);
      const regions = [
        { x: 0, y: 0, width: half, height: image.height },
        { x: half, y: 0, width: image.width - half, height: image.height },
      ];
      const inRegions = await set.detect(image, regions, { wholeFrame: false });
      expect(set.lastRuns.map((r) => [r.model, r.inferences])).toEqual([
        ['default', 2],
        ['stalls', 2],
      ]);
      const stallBoxes = inRegions.filter((d) => d.label === 'stall');
      expect(stallBoxes.every((d) => d.model === 'stalls')).toBe(true);
      // The constant model sees its stall at the same place of each region it is given: one per region.
      expect(stallBoxes.map((d) => d.box.x1 < half).sort()).toEqual([false, true]);

      // The site model's thread dies with the frame in flight (as a native fault in its run would end it).
      const killing = stallsDetector.kill();
      const during = set.detect(image);
      await killing;
      expect(byModel(await during)).toEqual(['default:coco']);
      expect(set.lastRuns.find((r) => r.model === 'stalls')).toMatchObject({ inferences: 0, error: expect.stringMatching(/exited/) });

      // Restarted by its detector: the next frames have both models again.
      expect(byModel(await set.detect(image))).toEqual(['default:coco', 'stalls:stall']);
      expect(stallsDetector.restarts).toBe(1);
    } finally {
      await Promise.all(open.map((d) => d.close()));
    }
  }, 120_000);
});
