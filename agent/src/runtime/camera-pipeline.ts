import type { OperatorAction } from '../rules/states.ts';
import type { CameraConfig, Config } from '../config/schema.ts';
import type { Detection, DetectionWindow, Detector } from '../detect/types.ts';
import type { RgbImage } from '../core/geometry.ts';
import { windowsForCamera } from '../detect/windows.ts';
import type { PrivacyMask } from '../evidence/privacy.ts';
import { createGeoMapper } from '../geo/mapper.ts';
import type { Frame } from '../ingest/frame.ts';
import type { Logger } from '../core/log.ts';
import type { ProcessContext } from '../loop/frame-loop.ts';
import { createCameraRules, type CameraRules } from '../rules/engine.ts';
import { toPixels } from '../rules/geometry.ts';
import type { OperatorActionOptions, OperatorResult } from '../rules/types.ts';
import { createTracker, type Tracker } from '../track/tracker.ts';
import type { EventSink, SinkCamera } from './event-sink.ts';
import { LiveRecorder } from '../console/live.ts';

export interface PipelineDeps {
  site: Config['site'];
  detector: Detector;
  mask: PrivacyMask;
  sink: EventSink;
  model: { name: string; sha256: string };
  agent: { version: string; boxId: string };
  modelInput: { width: number; height: number };
}

/** A copy of an analysed frame with what was found in it, for on-request snapshots. */
export interface CapturedFrame {
  image: RgbImage;
  at: number;
  detections: Detection[];
}

/**
 * One camera's analysis: privacy mask → detection (whole frame + zone windows) → tracking → rules → event sink.
 * Owns the camera's tracker and rules state; called by the frame loop one frame at a time.
 */
export class CameraPipeline {
  readonly rules: CameraRules;
  readonly sinkCamera: SinkCamera;
  /** The latest frame's facts (and picture, while watched) for the console. */
  readonly live = new LiveRecorder();
  private readonly tracker: Tracker;
  private readonly windows: DetectionWindow[];
  private waiters: ((f: CapturedFrame) => void)[] = [];

  constructor(
    readonly camera: CameraConfig,
    private readonly deps: PipelineDeps,
    logger: Logger,
  ) {
    const frame = camera.analysis;
    this.tracker = createTracker(camera.tracker);
    this.rules = createCameraRules(camera, deps.site, { logger });
    this.windows = windowsForCamera(camera, deps.modelInput);
    this.sinkCamera = {
      id: camera.id,
      name: camera.name,
      zones: new Map(camera.zones.map((z) => [z.id, { name: z.name ?? z.id, polygon: toPixels(z.polygon, z.units, frame) }])),
      alertContext: {
        site: { id: deps.site.id },
        camera: { id: camera.id, name: camera.name, location: camera.location ?? deps.site.location, address: camera.address ?? deps.site.address },
        geo: camera.calibration ? createGeoMapper(camera.calibration, frame) : undefined,
        model: deps.model,
        agent: deps.agent,
        frame,
      },
    };
  }

  /** Detection windows in use (besides the whole frame): each costs one inference per analysed frame. */
  get windowCount(): number {
    return this.windows.length;
  }

  async process(frame: Frame, ctx: ProcessContext): Promise<void> {
    const { detector, sink, mask } = this.deps;
    const at = frame.receivedAt;
    // Masked areas are never analysed, stored or sent: black them out before anything looks at the frame.
    mask.apply(frame);
    const detections = await detector.detect(frame, this.windows);
    ctx.recordDetect(detector.lastTimings);

    let t = performance.now();
    const tracks = this.tracker.update(detections, at);
    ctx.record('track', performance.now() - t);

    t = performance.now();
    const updates = this.rules.evaluate(tracks, at);
    ctx.record('rules', performance.now() - t);
    this.live.record(frame, detections, tracks);

    t = performance.now();
    sink.submit(this.sinkCamera, updates, frame, at, detections);
    ctx.record('publish', performance.now() - t);

    if (this.waiters.length > 0) {
      const captured = { image: { data: Uint8Array.from(frame.data), width: frame.width, height: frame.height }, at, detections };
      for (const w of this.waiters.splice(0)) w(captured);
    }
  }

  /** The next analysed frame (already masked), or an error when none comes within `timeoutMs`. */
  nextFrame(timeoutMs: number): Promise<CapturedFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no frame from camera "${this.camera.id}" within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const waiter = (f: CapturedFrame) => {
        clearTimeout(timer);
        resolve(f);
      };
      this.waiters.push(waiter);
    });
  }

  /** An operator's decision; an event it ends is published at once (with the event's last evidence). */
  applyOperatorAction(eventId: string, action: OperatorAction, at: number, opts: OperatorActionOptions): OperatorResult {
    const result = this.rules.applyOperatorAction(eventId, action, at, opts);
    if (result.ok && result.update) this.deps.sink.submit(this.sinkCamera, [result.update], undefined, at);
    return result;
  }
}
