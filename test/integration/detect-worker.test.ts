import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { detectorConfigSchema } from '../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../agent/src/detect/decoders/index.ts';
import { createDetector } from '../../agent/src/detect/detector.ts';
import { readRgbImage } from '../../agent/src/detect/image-file.ts';
import type { Detector } from '../../agent/src/detect/types.ts';
import { createWorkerDetector, type WorkerDetector } from '../../agent/src/detect/worker-detector.ts';
import { type LoadedModel, loadModel } from '../../agent/src/model/load.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';

describe('the detector in a worker thread (real model)', () => {
  let model: LoadedModel;
  let inProcess: Detector;
  let worker: WorkerDetector;
  let bus: RgbImage;
  const cfg = detectorConfigSchema.parse({});

  beforeAll(async () => {
    model = await loadModel(detectorFamilies, defaultManifest);
    inProcess = await createDetector(model, cfg, silentLogger);
    worker = await createWorkerDetector(model, cfg, silentLogger);
    bus = await readRgbImage(sample('bus.jpg'));
  }, 60_000);
  afterAll(async () => {
    await inProcess?.close();
    await worker?.close();
  });

  it('finds what the in-process detector finds, windows and whole-frame switch included', async () => {
    expect(await worker.detect(bus)).toEqual(await inProcess.detect(bus));
    const windows = [{ x: 0, y: 400, width: 416, height: 416 }];
    expect(await worker.detect(bus, windows, { wholeFrame: false })).toEqual(await inProcess.detect(bus, windows, { wholeFrame: false }));
    expect(worker.lastTimings.inferenceMs).toHaveLength(1);
    expect(worker.info.modelSha256).toBe(model.sha256);
  }, 60_000);

  it('keeps the main thread free while it infers: six requests in flight, event-loop delay small', async () => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 6; i++) runs.push(worker.detect(bus));
    const all = await Promise.all(runs);
    h.disable();
    expect(all).toHaveLength(6);
    // Inference takes ~100 ms or more per run here; a blocked main thread would show the whole of it.
    expect(h.max / 1e6, `event-loop delay max ${(h.max / 1e6).toFixed(0)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(0)} ms`).toBeLessThan(
      250,
    );
  }, 120_000);

  it('a worker that ends (terminated, as a crash would) fails the call in flight with a clear error, is restarted, and detects again', async () => {
    const inFlight = worker.detect(bus);
    await worker.kill();
    await expect(inFlight).rejects.toThrow(/detector worker exited/);
    const after = await worker.detect(bus);
    expect(worker.restarts).toBe(1);
    expect(after).toEqual(await inProcess.detect(bus));
  }, 120_000);
});
