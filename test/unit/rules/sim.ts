import { type CameraConfig, cameraSchema } from '../../../agent/src/config/schema.ts';
import type { Box } from '../../../agent/src/core/geometry.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import type { Instant } from '../../../agent/src/core/time.ts';
import type { Detection } from '../../../agent/src/detect/types.ts';
import { type CameraRules, createCameraRules } from '../../../agent/src/rules/engine.ts';
import type { RuleObject } from '../../../agent/src/rules/kind.ts';
import type { ViolationUpdate } from '../../../agent/src/rules/types.ts';
import { createTracker, type Tracker } from '../../../agent/src/track/tracker.ts';
import { createWeakObjects, type WeakObjects } from '../../../agent/src/track/weak-objects.ts';

/** Tuesday 2025-05-06 10:00 in Asia/Shanghai. */
export const T0 = Date.UTC(2025, 4, 6, 2, 0, 0);
export const SITE = { timezone: 'Asia/Shanghai' };

export function camera(zones: unknown[], extra: Record<string, unknown> = {}): CameraConfig {
  return cameraSchema.parse({ id: 'cam1', url: 'rtsp://127.0.0.1/cam1', analysis: { fps: 5, width: 640, height: 360 }, zones, ...extra });
}

/** The kerb zone (the lower left of the frame) with one no-parking rule: dwell 30 s, updates every 60 s, ended 10 s after, reminders every 120 s. */
export function kerbCamera(rule: Record<string, unknown> = {}): CameraConfig {
  return camera([
    {
      id: 'kerb',
      polygon: [
        [0, 0.5],
        [0.6, 0.5],
        [0.6, 1],
        [0, 1],
      ],
      rules: [
        {
          id: 'no-parking',
          type: 'illegal_parking',
          dwellSeconds: 30,
          updateIntervalSeconds: 60,
          endAfterSeconds: 10,
          reminderSeconds: 120,
          ...rule,
        },
      ],
    },
  ]);
}

/** A car tracked in `box`, standing still, as a rule sees it. */
export function stillCar(id: number, box: Box): RuleObject {
  return {
    id,
    label: 'car',
    classId: 2,
    state: 'tracked',
    box,
    score: 0.8,
    meanScore: 0.8,
    firstSeen: 0,
    lastSeen: 0,
    hits: 10,
    velocity: { x: 0, y: 0 },
    stationarySince: 0,
    moving: false,
    carried: false,
    lastDetected: 0,
    history: [],
  };
}

/**
 * Drives the real tracker and rules frame by frame through a scripted scene. The monotonic clock starts at `start`
 * with the wall clock; `stepWallClock` moves the wall clock alone, as NTP does.
 */
export class Sim {
  readonly tracker: Tracker = createTracker();
  readonly rules: CameraRules;
  /** Weak evidence, as the camera pipeline keeps it when a rule counts weak goods. */
  readonly weak: WeakObjects | undefined;
  readonly updates: ViolationUpdate[] = [];
  mono: number;
  private wallOffset = 0;

  constructor(
    cam: CameraConfig,
    start = T0,
    readonly fps = 5,
  ) {
    this.rules = createCameraRules(cam, SITE, { logger: silentLogger });
    this.weak = this.rules.weakLabels.length > 0 ? createWeakObjects({ labels: this.rules.weakLabels }) : undefined;
    this.mono = start;
  }

  /** The wall clock now. */
  get now(): number {
    return this.mono + this.wallOffset;
  }

  /** Both clocks now, for operator actions. */
  get at(): Instant {
    return { wall: this.now, mono: this.mono };
  }

  stepWallClock(ms: number): void {
    this.wallOffset += ms;
  }

  /** Runs `seconds` of frames; `scene(at, t)` gives the detections at wall time `at`, `t` seconds into this run. Returns the new updates. */
  run(seconds: number, scene: (at: number, t: number) => Detection[]): ViolationUpdate[] {
    const fresh: ViolationUpdate[] = [];
    const n = Math.round(seconds * this.fps);
    const start = this.mono;
    for (let i = 0; i < n; i++) {
      const mono = start + Math.round((i * 1000) / this.fps);
      const detections = scene(mono + this.wallOffset, (mono - start) / 1000);
      const tracks = this.tracker.update(detections, mono);
      const weak = this.weak?.update(detections, mono);
      fresh.push(...this.rules.evaluate(tracks, { wall: mono + this.wallOffset, mono }, undefined, weak));
    }
    this.mono = start + Math.round((n * 1000) / this.fps);
    this.updates.push(...fresh);
    return fresh;
  }

  states(updates: ViolationUpdate[] = this.updates): string[] {
    return updates.map((u) => u.state);
  }
}
