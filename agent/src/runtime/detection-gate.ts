import type { Box, Point, RgbImage } from '../core/geometry.ts';
import { silentLogger } from '../core/log.ts';
import { type ModelRun, ModelSet } from '../detect/model-set.ts';
import type { Detection, DetectionWindow, Detector } from '../detect/types.ts';
import { type DetectionConfig, recheckSecondsFor } from '../motion/config.ts';
import { MotionDetector } from '../motion/detector.ts';
import { moved, type PlannedObject, planRegions, type RegionPlan, sees } from '../motion/regions.ts';
import type { FrameView } from '../track/tracker.ts';
import type { Track } from '../track/types.ts';

/** What the gate needs of a camera's config. */
export interface GateCamera {
  analysis: { width: number; height: number };
  detection: DetectionConfig;
  privacyMasks: readonly (readonly Point[])[];
  motionMasks: readonly (readonly Point[])[];
}

export interface GateResult {
  detections: Detection[];
  /** For the tracker: what this frame's inferences covered (undefined: the whole frame). */
  view: FrameView | undefined;
  /** Over all the camera's models: each region on each model is one inference. */
  inferences: number;
  /** What each model did (empty when nothing was due). */
  runs: readonly ModelRun[];
  regions: number;
  /** Fraction of the picture that moved; 0 in every_frame mode. */
  motionArea: number;
  recalibrated: boolean;
  /** Motion detection and region planning. */
  motionMs: number;
}

/** Cumulative per-camera counts for health and metrics. */
export interface GateCounters {
  frames: number;
  inferences: number;
  regions: number;
  carried: number;
  recalibrations: number;
  motionAreaSum: number;
}

/** A tracked object moving faster than this (pixels per second) is looked at wherever it is. */
const MOVING_PX_PER_S = 4;

/**
 * Decides, per analysed frame, where one camera's inferences go and runs them. `every_frame`: the whole frame plus
 * the zone windows. `motion`: the motion detector's blobs and the previous frame's tracks → a region plan (see
 * `planRegions`) → the detector on those regions only; nothing moving and nothing due costs no inference at all.
 */
export class DetectionGate {
  readonly counters: GateCounters = { frames: 0, inferences: 0, regions: 0, carried: 0, recalibrations: 0, motionAreaSum: 0 };
  private readonly motion: MotionDetector | undefined;
  private readonly models: ModelSet;
  private lastFullFrameAt = -Infinity;
  /** Set by a recalibration; the next frame looks at the whole frame whatever else. */
  private forceFull = true;

  constructor(
    private readonly camera: GateCamera,
    detector: Detector | ModelSet,
    private readonly zoneWindows: readonly DetectionWindow[],
    private readonly modelInput: { width: number; height: number },
  ) {
    this.models = detector instanceof ModelSet ? detector : ModelSet.single(detector, { nmsIou: 1, log: silentLogger });
    if (camera.detection.mode === 'motion') {
      const { width, height } = camera.analysis;
      this.motion = new MotionDetector(width, height, [...camera.privacyMasks, ...camera.motionMasks], camera.detection.motion);
    }
  }

  /** `previous`: the tracker's output for this camera's previous frame. */
  async detect(frame: RgbImage, at: number, previous: readonly Track[]): Promise<GateResult> {
    this.counters.frames++;
    if (!this.motion) {
      const detections = await this.models.detect(frame, this.zoneWindows);
      return this.done({
        detections,
        view: undefined,
        inferences: (1 + this.zoneWindows.length) * this.models.members.length,
        runs: this.models.lastRuns,
        regions: this.zoneWindows.length,
        motionArea: 0,
        recalibrated: false,
        motionMs: 0,
      });
    }
    const t0 = performance.now();
    const m = this.motion.update(frame);
    if (m.recalibrated) {
      this.counters.recalibrations++;
      this.forceFull = true;
    }
    const cfg = this.camera.detection;
    // While the background is (re)learnt motion says nothing: the whole frame is looked at, which also lets new
    // tracks collect the hits they need to be confirmed before they are carried.
    const fullFrame = this.forceFull || m.calibrating || at - this.lastFullFrameAt >= cfg.fullFrameSeconds * 1000;
    const objects: PlannedObject[] = previous.map((t) => ({
      box: t.box,
      label: t.label,
      needsLook: t.state === 'lost' || t.moving || Math.hypot(t.velocity.x, t.velocity.y) > MOVING_PX_PER_S,
      lastDetected: t.lastDetected,
    }));
    const plan: RegionPlan = planRegions({
      frame: this.camera.analysis,
      modelInput: this.modelInput,
      fullFrame,
      motion: m.boxes,
      objects,
      zoneWindows: this.zoneWindows,
      now: at,
      recheckSeconds: (label) => recheckSecondsFor(cfg, label),
      mergeScale: cfg.mergeScale,
    });
    if (plan.fullFrame) {
      this.lastFullFrameAt = at;
      this.forceFull = false;
    }
    const motionMs = performance.now() - t0;
    const passes = (plan.fullFrame ? 1 : 0) + plan.regions.length;
    // Every model looks at the same regions: what moved may be any model's object.
    const detections = passes > 0 ? await this.models.detect(frame, plan.regions, { wholeFrame: plan.fullFrame }) : [];
    const motion = m.boxes;
    const view: FrameView | undefined = plan.fullFrame
      ? undefined
      : { looked: (box: Box) => sees(plan, box), mayStart: (box: Box) => moved(motion, box) };
    return this.done({
      detections,
      view,
      inferences: passes * this.models.members.length,
      runs: passes > 0 ? this.models.lastRuns : [],
      regions: plan.regions.length,
      motionArea: m.areaFraction,
      recalibrated: m.recalibrated,
      motionMs,
    });
  }

  /** The timings of the latest inferences, summed over the models. */
  get lastTimings() {
    return this.models.lastTimings;
  }

  /** Counts the objects the tracker carried this frame. */
  countCarried(tracks: readonly Track[]): number {
    let n = 0;
    for (const t of tracks) if (t.carried) n++;
    this.counters.carried += n;
    return n;
  }

  private done(r: GateResult): GateResult {
    this.counters.inferences += r.inferences;
    this.counters.regions += r.regions;
    this.counters.motionAreaSum += r.motionArea;
    return r;
  }
}
