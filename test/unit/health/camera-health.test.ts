import { describe, expect, it } from 'vitest';
import { cameraHealthSchema } from '../../../agent/src/contract/health.ts';
import { cameraHealth } from '../../../agent/src/health/camera-health.ts';

describe('cameraHealth', () => {
  const now = Date.parse('2025-06-01T08:00:10.000Z');
  const counters = { targetFps: 5, analysedFps: 2.4567, analysedFrames: 120, skippedFrames: 130 };

  it('merges the stream state and the loop counters into a valid health payload', () => {
    const h = cameraHealth(
      { camera: 'gate-1', state: 'streaming', since: now - 60_000, reconnects: 2, lastFrameAt: now - 180 },
      counters,
      now,
    );
    expect(cameraHealthSchema.parse(h)).toEqual({
      camera: 'gate-1',
      state: 'streaming',
      since: '2025-06-01T07:59:10.000Z',
      targetFps: 5,
      analysedFps: 2.46,
      skippedFrames: 130,
      analysedFrames: 120,
      lastFrameAgeSeconds: 0.18,
      reconnects: 2,
      at: '2025-06-01T08:00:10.000Z',
    });
  });

  it('carries the reason while down and a null frame age before the first frame', () => {
    const h = cameraHealth(
      {
        camera: 'gate-1',
        state: 'backoff',
        reason: 'connection refused: nothing is listening at that address and port',
        since: now,
        reconnects: 0,
        lastFrameAt: null,
      },
      { ...counters, analysedFps: 0 },
      now,
    );
    expect(cameraHealthSchema.parse(h)).toMatchObject({ state: 'backoff', reason: /^connection refused/, lastFrameAgeSeconds: null });
  });

  it("reports the scene model's re-references: none yet, then the count and the last one's reason, shift and wall time", () => {
    const src = { camera: 'gate-1', state: 'streaming' as const, since: now - 60_000, reconnects: 0, lastFrameAt: now - 100 };
    const detection = {
      inferences: 10,
      inferencesPerFrame: 1,
      regionsPerFrame: 1,
      motionArea: 0,
      carried: 0,
      recalibrations: 0,
      models: {},
    };
    expect(cameraHealth(src, { ...counters, detection }, now).scene).toBeUndefined();
    expect(cameraHealth(src, { ...counters, detection: { ...detection, scene: { rereferences: 0 } } }, now).scene).toEqual({
      rereferences: 0,
    });
    const last = { at: now - 5000, reason: 'camera_moved' as const, shift: { dx: 4, dy: -2 }, changedShare: 0.41234, referenceLost: true };
    const h = cameraHealthSchema.parse(
      cameraHealth(src, { ...counters, detection: { ...detection, scene: { rereferences: 3, last } } }, now),
    );
    expect(h.scene).toEqual({
      rereferences: 3,
      lastRereference: {
        at: '2025-06-01T08:00:05.000Z',
        reason: 'camera_moved',
        shift: { dx: 4, dy: -2 },
        changedShare: 0.412,
        referenceLost: true,
      },
    });
  });

  it('says a streaming camera is degraded, and why, while the box analyses it well under its target or its clean reference was lost', () => {
    const src = { camera: 'gate-1', state: 'streaming' as const, since: now - 60_000, reconnects: 0, lastFrameAt: now - 100 };
    expect(cameraHealth(src, { ...counters, analysedFps: 4.8, shortfall: 0.04 }, now).degraded).toBeUndefined();
    const short = cameraHealth(src, { ...counters, analysedFps: 2.46, shortfall: 0.51 }, now);
    expect(cameraHealthSchema.parse(short).degraded).toBe(
      'analysing 2.5 of 5 frames per second: the box cannot keep up (fewer cameras, a lower analysis fps or a smaller analysis size)',
    );
    const scene = { rereferences: 1, last: { at: now, reason: 'scene_changed' as const, changedShare: 0.8, referenceLost: true } };
    const detection = {
      inferences: 1,
      inferencesPerFrame: 1,
      regionsPerFrame: 1,
      motionArea: 0,
      carried: 0,
      recalibrations: 0,
      models: {},
      scene,
    };
    expect(cameraHealth(src, { ...counters, shortfall: 0, detection }, now).degraded).toMatch(/clean-scene reference was replaced/);
    // A camera that is not streaming says so by its state and reason, not as degraded.
    expect(cameraHealth({ ...src, state: 'backoff' }, { ...counters, analysedFps: 0, shortfall: 1 }, now).degraded).toBeUndefined();
  });

  it('names the latest event whose clip could not be cut, and why; nothing while every clip was', () => {
    const src = { camera: 'gate-1', state: 'streaming' as const, since: now - 60_000, reconnects: 0, lastFrameAt: now - 100 };
    expect(cameraHealth(src, counters, now, {}).lastClipFailure).toBeUndefined();
    const lastClipFailure = {
      at: new Date(now).toISOString(),
      eventId: 'gate-1-e7',
      reason: 'no ring segment covers …: the ring holds no video',
    };
    expect(cameraHealthSchema.parse(cameraHealth(src, counters, now, { lastClipFailure })).lastClipFailure).toEqual(lastClipFailure);
  });
});
