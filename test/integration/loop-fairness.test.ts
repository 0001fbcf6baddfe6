import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { cameraSourceSchema } from '../../agent/src/ingest/config.ts';
import type { Frame } from '../../agent/src/ingest/frame.ts';
import { CameraSource } from '../../agent/src/ingest/source.ts';
import { FrameLoop, type LaneStats } from '../../agent/src/loop/frame-loop.ts';
import { sample } from '../helpers/paths.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

describe('frame loop over 4 real RTSP cameras with a slow detector stub (100 ms per frame = 10/s capacity)', () => {
  let server: RtspServer;
  let sources: CameraSource[];
  let loop: FrameLoop;
  let inFlight = 0;
  let maxInFlight = 0;
  const running = new Set<string>();
  let sameCamera = 0;
  const ids = ['cam-a', 'cam-b', 'cam-c', 'cam-d'];
  const sizes = new Set<string>();

  beforeAll(async () => {
    server = await startRtspServer({ '/cam': sample('car-detection.mp4') });
    sources = ids.map(
      (id) =>
        new CameraSource(
          cameraSourceSchema.parse({ id, url: server.url('/cam'), analysis: { fps: 5, width: 320, height: 180 } }),
          silentLogger,
        ),
    );
    // One model shared by the cameras: one inference at a time, though the loop hands it two frames.
    let model: Promise<void> = Promise.resolve();
    const stub = async (frame: Frame) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      if (running.has(frame.camera)) sameCamera++;
      running.add(frame.camera);
      sizes.add(`${frame.width}x${frame.height}:${frame.data.length}`);
      await (model = model.then(() => new Promise<void>((r) => setTimeout(r, 100))));
      running.delete(frame.camera);
      inFlight--;
    };
    loop = new FrameLoop({ process: stub, registry: new Registry(), log: silentLogger });
    sources.forEach((s) => loop.addSource(s));
    loop.start();
    sources.forEach((s) => s.start());
  });
  afterAll(async () => {
    await Promise.all((sources ?? []).map((s) => s.stop()));
    await loop?.stop();
    await server?.stop();
  });

  it('each camera gets about 2.5 frames/s, skips are counted, frame ages stay bounded', async () => {
    for (let i = 0; i < 300 && !loop.health().every((h) => h.state === 'streaming' && h.analysedFrames > 0); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const byCamera = (s: LaneStats[]) => new Map(s.map((c) => [c.camera, c]));
    const before = byCamera(loop.stats().cameras);
    loop.timings.takeSnapshot();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 8000));
    const seconds = (Date.now() - t0) / 1000;
    const after = byCamera(loop.stats().cameras);
    const snap = loop.timings.takeSnapshot();

    const rates = ids.map((id) => (after.get(id)!.analysedFrames - before.get(id)!.analysedFrames) / seconds);
    const skips = ids.map((id) => after.get(id)!.skippedFrames - before.get(id)!.skippedFrames);
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    expect(maxInFlight).toBe(2);
    expect(sameCamera).toBe(0);
    expect(mean * 4).toBeLessThanOrEqual(10.5);
    for (const r of rates) {
      expect(r).toBeGreaterThan(1.5);
      expect(r).toBeLessThan(3.5);
      expect(Math.abs(r - mean) / mean).toBeLessThan(0.3);
    }
    skips.forEach((s) => expect(s).toBeGreaterThan(5));
    // Latest-frame slot: a frame is never older than one source interval plus one turn of the other cameras.
    for (const id of ids) expect(snap.frameAge[id].maxMs).toBeLessThan(1500);
    expect([...sizes]).toEqual([`320x180:${320 * 180 * 3}`]);
  });
});
