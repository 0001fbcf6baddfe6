import { Counter, type Registry } from 'prom-client';
import type { CameraHealth } from '../contract/health.ts';
import type { Logger } from '../core/log.ts';
import type { ModelRun } from '../detect/model-set.ts';
import type { DetectTimings } from '../detect/types.ts';
import { cameraHealth, type DetectionCounters } from '../health/camera-health.ts';
import type { Frame } from '../ingest/frame.ts';
import type { CameraSource } from '../ingest/source.ts';
import type { Rereference } from '../motion/scene.ts';
import { charge, chooseLane, type LaneClock, type LaneTurn } from './fair-share.ts';
import { RateMeter } from './rate.ts';
import { LatestFrameSlot } from './slot.ts';
import { type StageName, StageTimings } from './timings.ts';

/** Handed to `process` with every frame. */
export interface ProcessContext {
  camera: string;
  /** Wall clock (ms since epoch) when the scheduler handed the frame over. */
  dispatchedAt: number;
  /** Records a stage's duration for this frame's camera. */
  record(stage: StageName, ms: number): void;
  /** Records the detector's timings; the frame's age at inference start is derived from them. */
  recordDetect(t: DetectTimings): void;
  /** What this frame's detection cost: the scheduler charges the camera by inferences, health shows the figures. */
  recordDetection(d: FrameDetection): void;
  /**
   * This frame's inferences are done, or none were due: another camera's frame may be handed over while this one's
   * tracking, rules and evidence run. Without the call the frame holds its place until `process` settles.
   */
  releaseInference(): void;
}

/** One analysed frame's detection figures (one region = one inference; the whole frame counts as one). */
export interface FrameDetection {
  inferences: number;
  /** What each of the camera's models did (their inferences sum to `inferences` when all answered). */
  models?: readonly ModelRun[];
  regions: number;
  /** Fraction of the picture that moved (motion mode). */
  motionArea: number;
  /** Tracked objects kept this frame without a detection. */
  carried: number;
  recalibrated: boolean;
  /** Cameras with a scene model, every frame: the re-reference this frame made, if any (`at` on the wall clock). */
  scene?: { rereferenced?: Rereference };
}

/**
 * Analyses one frame. Called for at most `depth` frames holding inference at a time across all cameras (see
 * `releaseInference`; a camera whose last frame needed no inference may go beyond) and one at a time per camera (inference is the shared resource; a camera's frames are analysed
 * in order). The frame's buffer is reused once the
 * returned promise settles: copy what must outlive the call.
 */
export type ProcessFrame = (frame: Frame, ctx: ProcessContext) => Promise<void>;

export interface FrameLoopOptions {
  process: ProcessFrame;
  registry: Registry;
  log: Logger;
  /** How often over-capacity is checked and reported (state changes only). */
  reportEveryMs?: number;
  /**
   * Frames holding inference at once, from different cameras (default 2): while one frame's inference runs, the
   * next is already handed over (its motion done, its regions queued at the detector), so the detector never waits
   * for the main thread. A frame that needs no inference (motion mode, nothing moving) releases its place at once,
   * and a camera whose last frame needed none is handed its next one even when every place is taken, so quiet cameras
   * are not held behind busy ones.
   */
  depth?: number;
  /** What a camera's health says of its evidence (clips that could not be cut). */
  evidenceHealth?: (camera: string) => Pick<CameraHealth, 'lastClipFailure'>;
}

export interface LaneStats {
  camera: string;
  targetFps: number;
  /** Over the last 10 s. */
  analysedFps: number;
  analysedFrames: number;
  /** Frames replaced in the slot before analysis (cumulative). */
  skippedFrames: number;
  /** 1 − analysed/target while frames are being skipped, else 0: the part of the target the box cannot deliver. */
  shortfall: number;
  processErrors: number;
  detection: DetectionCounters;
}

export interface LoopStats {
  cameras: LaneStats[];
  targetFps: number;
  analysedFps: number;
  overCapacity: boolean;
}

interface Lane {
  camera: string;
  targetFps: number;
  clock: LaneClock;
  slot: LatestFrameSlot;
  meter: RateMeter;
  analysed: number;
  skipped: number;
  /** Skipped count at the last capacity report, to see skipping now rather than ever. */
  skippedAtReport: number;
  errors: number;
  detection: DetectionCounters;
  recycle: (f: Frame) => void;
  /** A frame of this camera is in `process`. */
  running: boolean;
  /** Inferences the last frame cost: what the next one is booked at when dispatched, corrected when it is done. */
  cost: number;
  /** Start tag (virtual time) of the frame in process. */
  startTag: number;
  source?: CameraSource;
  detach?: () => void;
}

const rateWindowMs = 10_000;
/**
 * A camera is short of its target when it is analysed this much below it while its frames are skipped. Skips alone
 * are no shortfall: a camera delivering faster than its target is held to it by skipping.
 */
const SHORTFALL_REPORTED = 0.1;
const errorLogEveryMs = 60_000;

/**
 * Per camera a latest-frame slot; one scheduler over all cameras calling `process` for up to `depth` frames at once
 * (one per camera), at no more than each camera's target rate, slowing all cameras in proportion when the box is over capacity.
 */
export class FrameLoop {
  readonly timings: StageTimings;
  private readonly lanes = new Map<string, Lane>();
  private readonly analysedTotal: Counter<'camera'>;
  private readonly skippedTotal: Counter<'camera'>;
  private readonly inferencesTotal: Counter<'camera'>;
  private readonly modelInferencesTotal: Counter<'camera' | 'model'>;
  private readonly modelFailuresTotal: Counter<'camera' | 'model'>;
  private readonly recalibrationsTotal: Counter<'camera'>;
  private readonly rereferencesTotal: Counter<'camera'>;
  private readonly log: Logger;
  private vtime = 0;
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Frames in process that have not released their inference place. */
  private holding = 0;
  private readonly depth: number;
  private pumpQueued = false;
  private wake: NodeJS.Timeout | undefined;
  private reporter: NodeJS.Timeout | undefined;
  private overCapacity = false;
  private lastErrorLogAt = -Infinity;

  constructor(private readonly opts: FrameLoopOptions) {
    this.log = opts.log.child({ stage: 'loop' });
    this.depth = opts.depth ?? 2;
    if (!(Number.isInteger(this.depth) && this.depth >= 1)) throw new Error(`frame loop depth ${opts.depth}: expected a whole number ≥ 1`);
    this.timings = new StageTimings(opts.registry);
    this.analysedTotal = new Counter({
      name: 'jifang_frames_analysed_total',
      help: 'Frames analysed',
      labelNames: ['camera'],
      registers: [opts.registry],
    });
    this.skippedTotal = new Counter({
      name: 'jifang_frames_skipped_total',
      help: 'Frames replaced by a newer one before analysis (the loop was busy)',
      labelNames: ['camera'],
      registers: [opts.registry],
    });
    this.inferencesTotal = new Counter({
      name: 'jifang_inferences_total',
      help: 'Model inferences (one per region or window; the whole frame counts as one)',
      labelNames: ['camera'],
      registers: [opts.registry],
    });
    this.modelInferencesTotal = new Counter({
      name: 'jifang_model_inferences_total',
      help: "Inferences by each of a camera's models (one per region or window; the whole frame counts as one)",
      labelNames: ['camera', 'model'],
      registers: [opts.registry],
    });
    this.modelFailuresTotal = new Counter({
      name: 'jifang_model_failures_total',
      help: 'Frames a model gave no detections for (its worker died or it failed); the camera went on with its other models',
      labelNames: ['camera', 'model'],
      registers: [opts.registry],
    });
    this.recalibrationsTotal = new Counter({
      name: 'jifang_motion_recalibrations_total',
      help: 'Lighting changes after which the motion background was relearnt',
      labelNames: ['camera'],
      registers: [opts.registry],
    });
    this.rereferencesTotal = new Counter({
      name: 'jifang_scene_rereferences_total',
      help: 'Times the static-foreground scene model took the view afresh (camera moved, IR switched)',
      labelNames: ['camera'],
      registers: [opts.registry],
    });
  }

  /** A camera fed by its supervised ffmpeg source; its health appears in `health()`. */
  addSource(source: CameraSource): void {
    const offer = this.addLane(source.camera, source.targetFps, (f) => source.recycle(f));
    const lane = this.lanes.get(source.camera)!;
    source.on('frame', offer);
    lane.source = source;
    lane.detach = () => source.off('frame', offer);
  }

  /** A camera fed by anything; returns the function that offers it frames. */
  addLane(camera: string, targetFps: number, recycle: (f: Frame) => void = () => {}): (f: Frame) => void {
    if (this.lanes.has(camera)) throw new Error(`camera "${camera}" is already in the frame loop`);
    if (!(targetFps > 0)) throw new Error(`expected a target fps > 0 for camera "${camera}", got ${targetFps}`);
    const now = Date.now();
    const lane: Lane = {
      camera,
      targetFps,
      clock: { intervalMs: 1000 / targetFps, finishTag: this.vtime, dueAt: now },
      slot: new LatestFrameSlot(),
      meter: new RateMeter(rateWindowMs, Math.max(targetFps, 1) * 2, now),
      analysed: 0,
      skipped: 0,
      skippedAtReport: 0,
      errors: 0,
      detection: { inferences: 0, inferencesPerFrame: 0, regionsPerFrame: 0, motionArea: 0, carried: 0, recalibrations: 0, models: {} },
      recycle,
      running: false,
      cost: 1,
      startTag: 0,
    };
    this.lanes.set(camera, lane);
    const skipped = this.skippedTotal.labels(camera);
    this.analysedTotal.labels(camera).inc(0);
    skipped.inc(0);
    return (f: Frame) => {
      const replaced = lane.slot.put(f);
      if (replaced) {
        lane.skipped++;
        skipped.inc();
        lane.recycle(replaced);
      }
      this.schedulePump();
    };
  }

  removeCamera(camera: string): void {
    const lane = this.lanes.get(camera);
    if (!lane) return;
    lane.detach?.();
    const f = lane.slot.take();
    if (f) lane.recycle(f);
    this.lanes.delete(camera);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const every = this.opts.reportEveryMs ?? 30_000;
    this.reporter = setInterval(() => this.reportCapacity(), every);
    this.schedulePump();
  }

  /** Stops dispatching; resolves when the frames being processed (if any) are done. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.wake);
    clearInterval(this.reporter);
    await Promise.all(this.inFlight);
  }

  stats(now: number = Date.now()): LoopStats {
    const cameras = [...this.lanes.values()].map((l) => laneStats(l, now));
    const targetFps = cameras.reduce((s, c) => s + c.targetFps, 0);
    const analysedFps = cameras.reduce((s, c) => s + c.analysedFps, 0);
    return { cameras, targetFps, analysedFps, overCapacity: this.overCapacity };
  }

  /** Health of every camera added with `addSource`, for `…/{camera}/health` and /healthz. */
  health(now: number = Date.now()): CameraHealth[] {
    const out: CameraHealth[] = [];
    for (const lane of this.lanes.values()) {
      if (lane.source) out.push(cameraHealth(lane.source.status(), laneStats(lane, now), now, this.opts.evidenceHealth?.(lane.camera)));
    }
    return out;
  }

  private pump(): void {
    clearTimeout(this.wake);
    while (this.running) {
      const lanes = [...this.lanes.values()];
      // A camera with a frame in process waits for it: its frames are analysed in order, against its last tracks.
      const turns: LaneTurn[] = lanes.map((l) => ({
        clock: l.clock,
        frameAt: l.slot.peek()?.receivedAt,
        running: l.running,
        free: l.cost < 1,
      }));
      const now = Date.now();
      const choice = chooseLane(turns, now, this.vtime, this.holding >= this.depth);
      if (choice === undefined) return;
      if ('waitUntil' in choice) {
        this.wake = setTimeout(() => this.pump(), choice.waitUntil - now);
        return;
      }
      const lane = lanes[choice.index];
      const frame = lane.slot.take()!;
      lane.startTag = charge(lane.clock, now, this.vtime);
      lane.running = true;
      this.advanceVirtualTime();
      // Booked at what its last frame cost, so a running camera keeps its true place in line for the next dispatch.
      const booked = lane.cost;
      chargeInferences(lane.clock, booked, 1);
      this.holding++;
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        this.holding--;
        this.schedulePump();
      };
      const done: Promise<void> = this.run(lane, frame, now, booked, release).finally(() => {
        release();
        lane.running = false;
        this.advanceVirtualTime();
        this.inFlight.delete(done);
        this.schedulePump();
      });
      this.inFlight.add(done);
    }
  }

  /**
   * Virtual time is the start tag of the frame in service; with several in process, the earliest of them, so a
   * camera dispatched late (high tag) does not pull the others' tags up and cost them their place.
   */
  private advanceVirtualTime(): void {
    let v = Infinity;
    for (const l of this.lanes.values()) if (l.running) v = Math.min(v, l.startTag);
    if (v < Infinity) this.vtime = Math.max(this.vtime, v);
  }

  /**
   * Dispatches from the check phase, at most once per event-loop turn: frames that arrived meanwhile land in their
   * slots first, and timers and I/O (MQTT keep-alives, HTTP) get their turn even when `process` is CPU-bound.
   * (Dispatching straight from the frame message handler let a synchronous process() starve timers for seconds.)
   */
  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private async run(lane: Lane, frame: Frame, dispatchedAt: number, booked: number, releaseInference: () => void): Promise<void> {
    const { camera } = lane;
    const waitMs = dispatchedAt - frame.receivedAt;
    this.timings.record('wait', camera, waitMs);
    let preprocessMs = 0;
    let inferences = 1;
    const ctx: ProcessContext = {
      camera,
      dispatchedAt,
      record: (stage, ms) => this.timings.record(stage, camera, ms),
      recordDetect: (t) => {
        preprocessMs = t.preprocessMs;
        this.timings.recordDetect(camera, t);
      },
      recordDetection: (d) => {
        inferences = d.inferences;
        foldDetection(lane, d);
        this.inferencesTotal.labels(camera).inc(d.inferences);
        for (const m of d.models ?? []) {
          this.modelInferencesTotal.labels(camera, m.model).inc(m.inferences);
          if (m.error !== undefined) this.modelFailuresTotal.labels(camera, m.model).inc();
        }
        if (d.recalibrated) this.recalibrationsTotal.labels(camera).inc();
        if (d.scene?.rereferenced) this.rereferencesTotal.labels(camera).inc();
      },
      releaseInference,
    };
    try {
      await this.opts.process(frame, ctx);
      lane.analysed++;
      lane.meter.mark(Date.now());
      this.analysedTotal.labels(camera).inc();
      this.timings.recordFrameAge(camera, waitMs + preprocessMs);
    } catch (err) {
      lane.errors++;
      const now = Date.now();
      if (now - this.lastErrorLogAt >= errorLogEveryMs) {
        this.lastErrorLogAt = now;
        this.log.error(
          { camera, err, processErrors: lane.errors },
          'frame processing failed (further failures logged at most once a minute)',
        );
      }
    } finally {
      lane.recycle(frame);
      lane.cost = Math.max(MIN_FRAME_COST, inferences);
      chargeInferences(lane.clock, lane.cost, booked);
    }
  }

  private reportCapacity(): void {
    const now = Date.now();
    const s = this.stats(now);
    for (const l of this.lanes.values()) l.skippedAtReport = l.skipped;
    const short = s.cameras.filter((c) => c.shortfall >= SHORTFALL_REPORTED);
    const over = short.length > 0;
    if (over === this.overCapacity) return;
    this.overCapacity = over;
    const figures = {
      targetFps: round1(s.targetFps),
      analysedFps: round1(s.analysedFps),
      cameras: s.cameras.map(
        (c) =>
          `${c.camera} ${round1(c.analysedFps)}/${c.targetFps} fps${c.shortfall >= SHORTFALL_REPORTED ? ` (${Math.round(c.shortfall * 100)}% short)` : ''}`,
      ),
    };
    if (over) {
      const worst = short.map((c) => `${c.camera} ${round1(c.analysedFps)} of ${c.targetFps} fps`).join(', ');
      this.log.warn(
        figures,
        `over capacity: analysing ${round1(s.analysedFps)} of ${round1(s.targetFps)} fps in all; short: ${worst}; every camera slowed in proportion`,
      );
    } else this.log.info(figures, 'back within capacity: every camera at its target rate');
  }
}

function laneStats(l: Lane, now: number): LaneStats {
  const analysedFps = l.meter.perSecond(now);
  const skipping = l.skipped > l.skippedAtReport;
  return {
    camera: l.camera,
    targetFps: l.targetFps,
    analysedFps,
    analysedFrames: l.analysed,
    skippedFrames: l.skipped,
    shortfall: skipping ? Math.max(0, 1 - analysedFps / l.targetFps) : 0,
    processErrors: l.errors,
    detection: { ...l.detection, models: structuredClone(l.detection.models) },
  };
}

/** Per-frame figures are averaged over about the rate window (an exponential mean over 10 s of frames). */
function foldDetection(l: Lane, d: FrameDetection): void {
  const c = l.detection;
  const w = Math.min(1, 1 / (l.targetFps * (rateWindowMs / 1000)));
  const first = l.analysed === 0;
  const mix = (old: number, v: number) => (first ? v : old + w * (v - old));
  c.inferencesPerFrame = mix(c.inferencesPerFrame, d.inferences);
  c.regionsPerFrame = mix(c.regionsPerFrame, d.regions);
  c.motionArea = mix(c.motionArea, d.motionArea);
  c.inferences += d.inferences;
  c.carried = d.carried;
  if (d.recalibrated) c.recalibrations++;
  for (const m of d.models ?? []) {
    const by = (c.models[m.model] ??= { inferences: 0, failures: 0 });
    by.inferences += m.inferences;
    if (m.error !== undefined) by.failures++;
  }
  if (d.scene) {
    c.scene ??= { rereferences: 0 };
    if (d.scene.rereferenced) c.scene = { rereferences: c.scene.rereferences + 1, last: d.scene.rereferenced };
  }
}

/**
 * A frame booked at `booked` units of service (one unit = one inference; the scheduler's own charge is one) really
 * cost `cost`, so the lane's finish tag moves by the difference. A frame without inference still costs a little
 * (motion, tracking, rules), so an idle camera cannot be dispatched without bound in virtual time.
 */
function chargeInferences(clock: LaneClock, cost: number, booked: number): void {
  clock.finishTag += clock.intervalMs * (cost - booked);
}

const MIN_FRAME_COST = 0.1;

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function createFrameLoop(opts: FrameLoopOptions): FrameLoop {
  return new FrameLoop(opts);
}
