import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../agent/src/core/log.ts';
import type { Frame } from '../../../agent/src/ingest/frame.ts';
import { FrameLoop, type ProcessFrame } from '../../../agent/src/loop/frame-loop.ts';

/** Cameras as timers offering tiny frames at their rate; the clock is vitest's fake one. */
function feed(loop: FrameLoop, camera: string, targetFps: number, offerFps = targetFps) {
  const recycled: Frame[] = [];
  const offer = loop.addLane(camera, targetFps, (f) => recycled.push(f));
  let seq = 0;
  const timer = setInterval(
    () => offer({ camera, seq: seq++, receivedAt: Date.now(), monoAt: performance.now(), data: new Uint8Array(3), width: 1, height: 1 }),
    1000 / offerFps,
  );
  return { recycled, offered: () => seq, stop: () => clearInterval(timer) };
}

/** A model stub that runs one inference at a time, as the one detector the cameras share: the loop may queue two. */
function serialModel() {
  let last: Promise<unknown> = Promise.resolve();
  return (ms: number): Promise<void> => {
    const run = last.then(() => new Promise<void>((r) => setTimeout(r, ms)));
    last = run;
    return run;
  };
}

/** A detector stub that takes `ms` per frame: a capacity of 1000/ms frames per second. */
function slowStub(ms: number, seen: Frame[] = []): ProcessFrame {
  const infer = serialModel();
  return async (frame, ctx) => {
    seen.push(frame);
    await infer(ms);
    ctx.recordDetect({ preprocessMs: 0, inferenceMs: [ms], decodeMs: 0 });
  };
}

/** Stops the feeds, then the loop; the frame in flight finishes on the fake clock. */
async function stopAll(loop: FrameLoop, cams: { stop(): void }[]): Promise<void> {
  cams.forEach((c) => c.stop());
  const stopped = loop.stop();
  await vi.advanceTimersByTimeAsync(1000);
  await stopped;
}

describe('FrameLoop with a slow detector stub (fake clock)', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('4 cameras at 5 fps against 10/s capacity get 2.5/s each, bounded ages, skips counted', async () => {
    const loop = new FrameLoop({ process: slowStub(100), registry: new Registry(), log: silentLogger });
    const cams = ['a', 'b', 'c', 'd'].map((id) => feed(loop, id, 5));
    loop.start();
    await vi.advanceTimersByTimeAsync(20_000);
    const stats = loop.stats();
    await stopAll(loop, cams);
    for (const c of stats.cameras) {
      expect(c.analysedFrames / 20).toBeCloseTo(2.5, 0);
      expect(c.analysedFps).toBeCloseTo(2.5, 0);
      expect(c.shortfall).toBe(0.5);
    }
    // 400 frames offered in 20 s: each analysed or skipped, but the four waiting in their slots and the two in process.
    expect(stats.cameras.reduce((n, c) => n + c.analysedFrames + c.skippedFrames, 0)).toBe(400 - 4 - 2);
    expect(stats.analysedFps).toBeCloseTo(10, 0);
    const snap = loop.timings.takeSnapshot();
    for (const id of ['a', 'b', 'c', 'd']) expect(snap.frameAge[id].maxMs).toBeLessThanOrEqual(400);
    expect(snap.stages.inference?.p50Ms).toBe(100);
  });

  it('slows cameras with different targets in proportion (10 and 2 fps against 6/s)', async () => {
    const loop = new FrameLoop({ process: slowStub(1000 / 6), registry: new Registry(), log: silentLogger });
    const cams = [feed(loop, 'fast', 10), feed(loop, 'slow', 2)];
    loop.start();
    await vi.advanceTimersByTimeAsync(30_000);
    await stopAll(loop, cams);
    const [fast, slow] = loop.stats().cameras;
    expect(fast.analysedFrames / 30).toBeCloseTo(5, 0);
    expect(slow.analysedFrames / 30).toBeCloseTo(1, 0);
  });

  it('charges cameras by inferences: a camera whose frames cost 3 inferences gets a third of the frames, the same inference share', async () => {
    // 100 ms per inference (capacity 10 inferences/s); camera "busy" reports 3 per frame, "quiet" 1; both always have a
    // frame waiting, so the share is the scheduler's choice (charged per frame, "busy" would take 7.5 inferences/s).
    const cost: Record<string, number> = { busy: 3, quiet: 1 };
    const infer = serialModel();
    const process: ProcessFrame = async (frame, ctx) => {
      const n = cost[frame.camera];
      await infer(100 * n);
      ctx.recordDetection({ inferences: n, regions: n, motionArea: 0.1, carried: 0, recalibrated: false });
    };
    const loop = new FrameLoop({ process, registry: new Registry(), log: silentLogger });
    const cams = [feed(loop, 'busy', 20), feed(loop, 'quiet', 20)];
    loop.start();
    await vi.advanceTimersByTimeAsync(30_000);
    const stats = loop.stats();
    await stopAll(loop, cams);
    const [busy, quiet] = stats.cameras;
    expect(busy.detection.inferences / 30, 'busy camera inferences/s').toBeCloseTo(5, 0);
    expect(quiet.detection.inferences / 30, 'quiet camera inferences/s').toBeCloseTo(5, 0);
    expect(busy.detection.inferencesPerFrame).toBe(3);
    expect(quiet.detection.regionsPerFrame).toBe(1);
  });

  it('a camera whose frames need no inference is analysed at its full rate beside a saturating one', async () => {
    const infer = serialModel();
    const process: ProcessFrame = async (frame, ctx) => {
      const n = frame.camera === 'idle' ? 0 : 1;
      if (n > 0) await infer(100);
      ctx.recordDetection({ inferences: n, regions: n, motionArea: 0, carried: 2, recalibrated: false });
    };
    const loop = new FrameLoop({ process, registry: new Registry(), log: silentLogger });
    const cams = [feed(loop, 'traffic', 20), feed(loop, 'idle', 5)];
    loop.start();
    await vi.advanceTimersByTimeAsync(20_000);
    const stats = loop.stats();
    await stopAll(loop, cams);
    const idle = stats.cameras.find((c) => c.camera === 'idle')!;
    expect(idle.analysedFrames / 20).toBeCloseTo(5, 0);
    expect(idle.detection.carried).toBe(2);
  });

  it('quiet cameras are not held behind busy ones filling both places at the detector, which stay two', async () => {
    const infer = serialModel();
    let holding = 0;
    let maxHolding = 0;
    const process: ProcessFrame = async (frame, ctx) => {
      const n = frame.camera.startsWith('quiet') ? 0 : 1;
      if (n > 0) {
        maxHolding = Math.max(maxHolding, ++holding);
        await infer(100);
        holding--;
      }
      ctx.releaseInference();
      ctx.recordDetection({ inferences: n, regions: n, motionArea: 0, carried: 1, recalibrated: false });
      // Tracking, rules and evidence after the detector: the next frame may already be at the detector meanwhile.
      await new Promise((r) => setTimeout(r, 20));
    };
    const loop = new FrameLoop({ process, registry: new Registry(), log: silentLogger });
    const cams = [...['busy1', 'busy2', 'busy3'].map((id) => feed(loop, id, 5)), ...['quiet1', 'quiet2'].map((id) => feed(loop, id, 5))];
    loop.start();
    await vi.advanceTimersByTimeAsync(20_000);
    const stats = loop.stats();
    await stopAll(loop, cams);
    for (const id of ['quiet1', 'quiet2']) expect(stats.cameras.find((c) => c.camera === id)!.analysedFrames / 20).toBeCloseTo(5, 0);
    // The three busy ones share the detector's 10/s between them.
    const busy = stats.cameras.filter((c) => c.camera.startsWith('busy')).reduce((s, c) => s + c.analysedFrames, 0) / 20;
    // 198 inferences of 100 ms fit between the first frame (at 200 ms) and 20 s; the last is in its tail when counted.
    expect(busy).toBe(197 / 20);
    expect(maxHolding).toBe(2);
  });

  it('analyses every frame at the target rate with no skips when there is room', async () => {
    const loop = new FrameLoop({ process: slowStub(20), registry: new Registry(), log: silentLogger });
    const cams = [feed(loop, 'a', 5), feed(loop, 'b', 5)];
    loop.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await stopAll(loop, cams);
    for (const c of loop.stats().cameras) {
      expect(c.skippedFrames).toBe(0);
      // 50 frames offered in 10 s; the one offered as the feeds stop is left in its slot.
      expect(c.analysedFrames).toBe(49);
      expect(c.shortfall).toBe(0);
    }
    expect(loop.stats().overCapacity).toBe(false);
  });

  it('holds a camera that delivers faster than its target to the target, skipping the rest', async () => {
    const loop = new FrameLoop({ process: slowStub(5), registry: new Registry(), log: silentLogger });
    const cam = feed(loop, 'a', 2, 10);
    loop.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await stopAll(loop, [cam]);
    const [a] = loop.stats().cameras;
    // 2 fps for 10 s, plus the first frame at once.
    expect(a.analysedFrames).toBe(21);
    // Every offered frame is analysed or skipped, except the one left in the slot at the end.
    expect(cam.offered()).toBe(100);
    expect(cam.offered() - a.analysedFrames - a.skippedFrames).toBe(1);
  });

  it('keeps two frames in process (never two of one camera, each camera in order) and recycles every frame exactly once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const busy = new Set<string>();
    let sameCamera = 0;
    const lastSeq = new Map<string, number>();
    let outOfOrder = 0;
    const loop = new FrameLoop({
      process: async (frame) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        if (busy.has(frame.camera)) sameCamera++;
        if (frame.seq <= (lastSeq.get(frame.camera) ?? -1)) outOfOrder++;
        lastSeq.set(frame.camera, frame.seq);
        busy.add(frame.camera);
        await new Promise((r) => setTimeout(r, 30));
        busy.delete(frame.camera);
        inFlight--;
      },
      registry: new Registry(),
      log: silentLogger,
    });
    const cams = ['a', 'b', 'c'].map((id) => feed(loop, id, 10));
    loop.start();
    await vi.advanceTimersByTimeAsync(5000);
    await stopAll(loop, cams);
    ['a', 'b', 'c'].forEach((id) => loop.removeCamera(id));
    expect(maxInFlight).toBe(2);
    expect(sameCamera).toBe(0);
    expect(outOfOrder).toBe(0);
    for (const c of cams) {
      expect(new Set(c.recycled).size).toBe(c.recycled.length);
      expect(c.recycled).toHaveLength(c.offered());
    }
  });

  it('counts failed frames and keeps going', async () => {
    let n = 0;
    const loop = new FrameLoop({
      process: async () => {
        if (n++ % 2 === 0) throw new Error('detector exploded');
      },
      registry: new Registry(),
      log: silentLogger,
    });
    const cam = feed(loop, 'a', 5);
    loop.start();
    await vi.advanceTimersByTimeAsync(4000);
    await stopAll(loop, [cam]);
    const [a] = loop.stats().cameras;
    // 20 frames offered in 4 s, the last left in its slot: of the 19 processed, every other one (the first included) failed.
    expect(a.processErrors).toBe(10);
    expect(a.analysedFrames).toBe(9);
  });

  it('exposes analysed and skipped counters and stage histograms in Prometheus text', async () => {
    const registry = new Registry();
    const loop = new FrameLoop({ process: slowStub(300), registry, log: silentLogger });
    const cam = feed(loop, 'gate-1', 5);
    loop.start();
    await vi.advanceTimersByTimeAsync(3000);
    await stopAll(loop, [cam]);
    const text = await registry.metrics();
    expect(text).toMatch(/jifang_frames_analysed_total\{camera="gate-1"\} (9|10|11)\b/);
    expect(text).toMatch(/jifang_frames_skipped_total\{camera="gate-1"\} [1-9]/);
    expect(text).toContain('jifang_stage_duration_seconds_bucket{le="0.5",stage="inference",camera="gate-1"}');
    expect(text).toContain('jifang_frame_age_seconds_count{camera="gate-1"}');
  });

  it('rejects a duplicate camera and a non-positive rate', () => {
    const loop = new FrameLoop({ process: async () => {}, registry: new Registry(), log: silentLogger });
    loop.addLane('a', 5);
    expect(() => loop.addLane('a', 5)).toThrow('camera "a" is already in the frame loop');
    expect(() => loop.addLane('b', 0)).toThrow('expected a target fps > 0 for camera "b", got 0');
  });
});
