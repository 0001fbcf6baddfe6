import { cameraSchema, type CameraConfig } from '../../../agent/src/config/schema.ts';
import type { Detection } from '../../../agent/src/detect/types.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { createCameraRules, type CameraRules } from '../../../agent/src/rules/engine.ts';
import type { ViolationUpdate } from '../../../agent/src/rules/types.ts';
import { createTracker, type Tracker } from '../../../agent/src/track/tracker.ts';

/** Tuesday 2025-05-06 10:00 in Asia/Shanghai. */
export const T0 = Date.UTC(2025, 4, 6, 2, 0, 0);
export const SITE = { timezone: 'Asia/Shanghai' };

export function camera(zones: unknown[], extra: Record<string, unknown> = {}): CameraConfig {
  return cameraSchema.parse({ id: 'cam1', url: 'rtsp://127.0.0.1/cam1', analysis: { fps: 5, width: 640, height: 360 }, zones, ...extra });
}

/** Drives the real tracker and rules frame by frame through a scripted scene. */
export class Sim {
  readonly tracker: Tracker = createTracker();
  readonly rules: CameraRules;
  readonly updates: ViolationUpdate[] = [];
  now: number;

  constructor(cam: CameraConfig, start = T0, readonly fps = 5) {
    this.rules = createCameraRules(cam, SITE, { logger: silentLogger });
    this.now = start;
  }

  /** Runs `seconds` of frames; `scene(at, t)` gives the detections at time `at`, `t` seconds into this run. Returns the new updates. */
  run(seconds: number, scene: (at: number, t: number) => Detection[]): ViolationUpdate[] {
    const fresh: ViolationUpdate[] = [];
    const n = Math.round(seconds * this.fps);
    const start = this.now;
    for (let i = 0; i < n; i++) {
      const at = start + Math.round((i * 1000) / this.fps);
      const tracks = this.tracker.update(scene(at, (at - start) / 1000), at);
      fresh.push(...this.rules.evaluate(tracks, at));
    }
    this.now = start + Math.round((n * 1000) / this.fps);
    this.updates.push(...fresh);
    return fresh;
  }

  states(updates: ViolationUpdate[] = this.updates): string[] {
    return updates.map((u) => u.state);
  }
}
