import type { EventSink, SinkCamera } from '../alert/event-sink.ts';
import type { Catalogue } from '../catalogue/load.ts';
import type { CommandOutcome } from '../commands/handlers/types.ts';
import type { CameraConfig, Config } from '../config/schema.ts';
import type { OperatorAction } from '../contract/event-states.ts';
import type { Point, RgbImage } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import { compilePrivacyMask, type PrivacyMask } from '../core/privacy-mask.ts';
import type { Instant } from '../core/time.ts';
import { ModelSet } from '../detect/model-set.ts';
import type { Detection, DetectionWindow, Detector } from '../detect/types.ts';
import { windowsForCamera } from '../detect/windows.ts';
import { createGeoMapper } from '../geo/mapper.ts';
import type { Frame } from '../ingest/frame.ts';
import type { ProcessContext } from '../loop/frame-loop.ts';
import { createSceneModel, type SceneModel } from '../motion/scene.ts';
import type { FullFrame, PlateEvidence, PlateOfferOptions } from '../plate/evidence-reads.ts';
import { type CameraRules, createCameraRules } from '../rules/engine.ts';
import { toPixels } from '../rules/geometry.ts';
import { ruleKind } from '../rules/kinds/index.ts';
import type { OperatorActionOptions, OperatorResult } from '../rules/types.ts';
import { createTracker, type Tracker } from '../track/tracker.ts';
import type { Track } from '../track/types.ts';
import { createWeakObjects, type WeakObjects } from '../track/weak-objects.ts';
import { DetectionGate, type GateCounters } from './detection-gate.ts';
import { type PlateZone, plateZones, vehiclesToRead } from './plate-offers.ts';

export interface PipelineDeps {
  site: Config['site'];
  catalogue: Catalogue;
  /** Every configured model by name (`default` is the config's `model:`), shared by the cameras that list it. */
  models: ReadonlyMap<string, RunningModel>;
  sink: EventSink;
  /** The default model, as alerts name it. */
  model: { name: string; sha256: string };
  agent: { version: string; boxId: string };
  /** Plate reading for vehicles dwelling in the zones of the camera's `plates.rules`; absent on a box without the plate models. */
  plates?: PlateEvidence;
  /** The camera's main-stream frame of a wall-clock moment, where plates are read at full resolution. */
  mainFrame?: (camera: string, at: number) => Promise<FullFrame | undefined>;
}

/** A loaded model as the cameras use it. */
export interface RunningModel {
  detector: Detector;
  /** The manifest's name and the model file's hash. */
  info: { name: string; sha256: string };
  input: { width: number; height: number };
  nmsIou: number;
}

/** Told of every analysed frame with what was found in it (the console's live view); owned by whoever watches. */
export interface FrameWatcher {
  record(frame: Frame, detections: readonly Detection[], tracks: readonly Track[]): void;
}

/** A copy of an analysed frame with what was found in it, for on-request snapshots. */
export interface CapturedFrame {
  image: RgbImage;
  at: number;
  detections: Detection[];
}

/**
 * One camera's analysis: privacy mask → detection (motion-gated regions, or the whole frame + zone windows) →
 * tracking (stationary objects outside the regions carried) → rules → event sink.
 * Owns the camera's tracker and rules state; called by the frame loop one frame at a time.
 */
export class CameraPipeline {
  readonly rules: CameraRules;
  sinkCamera: SinkCamera;
  private readonly tracker: Tracker;
  /** The camera's privacy masks, blacked out of every frame before anything looks at it. */
  private mask: PrivacyMask;
  /** Static foreground for the rules that read it (static_object, stalls without a class); absent otherwise. */
  scene: SceneModel | undefined;
  /** Goods scored too low to track, taken from many detections at one place, for the rules that count them; absent otherwise. */
  private weak: WeakObjects | undefined;
  private readonly log: Logger;
  private readonly models: ModelSet;
  private readonly modelInput: { width: number; height: number };
  private windows: DetectionWindow[];
  private gate: DetectionGate;
  private tracks: Track[] = [];
  private waiters: ((f: CapturedFrame) => void)[] = [];
  /** The zones of the rules whose vehicles' plates are read. */
  private plateZones: PlateZone[];

  constructor(
    public camera: CameraConfig,
    private readonly deps: PipelineDeps,
    logger: Logger,
    private readonly watcher?: FrameWatcher,
  ) {
    this.mask = compilePrivacyMask(camera.privacyMasks);
    this.tracker = createTracker(camera.tracker);
    this.rules = createCameraRules(camera, deps.site, { logger });
    this.scene = this.sceneFor(undefined);
    this.weak = this.weakFor(undefined);
    this.log = logger.child({ camera: camera.id, stage: 'scene' });
    const members = camera.models.map((name) => {
      const m = deps.models.get(name);
      if (!m) throw new Error(`camera "${camera.id}": model "${name}" is not loaded`);
      return { name, model: m };
    });
    this.models = new ModelSet(
      members.map(({ name, model }) => ({ name, detector: model.detector })),
      { nmsIou: members[0].model.nmsIou, log: logger.child({ camera: camera.id, stage: 'detect' }) },
    );
    // Regions are planned for the camera's first model; the others letterbox the same regions into their own input.
    this.modelInput = members[0].model.input;
    this.windows = windowsForCamera(camera, this.modelInput);
    this.plateZones = plateZones(camera);
    this.gate = new DetectionGate(camera, this.models, this.windows, this.modelInput);
    this.sinkCamera = sinkCameraOf(camera, deps, members);
  }

  /**
   * The camera's zones, rules, privacy masks, calibration or words changed (a config reload that leaves its stream,
   * models and tracker alone): applied from the next frame on, while the tracker and what the rules know go on.
   * Events of rules the change removed end now and are published.
   */
  reconfigure(camera: CameraConfig, at: Instant): void {
    const before = this.camera;
    this.camera = camera;
    this.mask = compilePrivacyMask(camera.privacyMasks);
    const ended = this.rules.reconfigure(camera, at);
    this.scene = this.sceneFor(this.scene);
    this.weak = this.weakFor(this.weak);
    const windows = windowsForCamera(camera, this.modelInput);
    // The motion model learns its background afresh only when what it looks at changed.
    if (
      JSON.stringify(windows) !== JSON.stringify(this.windows) ||
      JSON.stringify(camera.privacyMasks) !== JSON.stringify(before.privacyMasks)
    ) {
      const counters = this.gate.counters;
      this.gate = new DetectionGate(camera, this.models, windows, this.modelInput);
      Object.assign(this.gate.counters, counters);
    }
    this.windows = windows;
    this.plateZones = plateZones(camera);
    this.sinkCamera = sinkCameraOf(
      camera,
      this.deps,
      camera.models.map((name) => ({ name, model: this.deps.models.get(name)! })),
    );
    if (ended.length > 0) this.deps.sink.submit(this.sinkCamera, ended, undefined, at.wall);
  }

  /** The scene model the rules need: the running one kept, a new one when a rule now reads static foreground. */
  private sceneFor(current: SceneModel | undefined): SceneModel | undefined {
    if (!this.rules.needsForeground) return undefined;
    return current ?? createSceneModel(this.camera.analysis.width, this.camera.analysis.height);
  }

  /** The weak evidence the rules need: the running one kept (following the labels now asked for), a new one when first needed. */
  private weakFor(current: WeakObjects | undefined): WeakObjects | undefined {
    const labels = this.rules.weakLabels;
    if (labels.length === 0) return undefined;
    if (!current) return createWeakObjects({ labels });
    current.setLabels(labels);
    return current;
  }

  /** Detection windows in use (besides the whole frame): each costs one inference per analysed frame in every_frame mode. */
  get windowCount(): number {
    return this.windows.length;
  }

  /** Cumulative detection figures (inferences, regions, carried objects, recalibrations). */
  get detectionCounters(): Readonly<GateCounters> {
    return this.gate.counters;
  }

  async process(frame: Frame, ctx: ProcessContext): Promise<void> {
    const { sink } = this.deps;
    const at = frame.receivedAt;
    const now = { wall: at, mono: frame.monoAt };
    // Masked areas are never analysed, stored or sent: black them out before anything looks at the frame.
    this.mask.apply(frame);
    // Durations (re-checks, dwell, rest) run on the monotonic clock; alerts are stamped with the wall clock.
    // Places of weak goods still being judged are re-checked like standing objects (motion-gated detection).
    const pending = this.weak?.pending() ?? [];
    const gated = await this.gate.detect(frame, now.mono, pending.length > 0 ? [...this.tracks, ...pending] : this.tracks);
    ctx.releaseInference();
    if (gated.motionMs > 0) ctx.record('motion', gated.motionMs);
    if (gated.inferences > 0) ctx.recordDetect(this.gate.lastTimings);
    const { detections } = gated;

    let t = performance.now();
    const tracks = this.tracker.update(detections, now.mono, gated.view);
    this.tracks = tracks;
    const weak = this.weak?.update(detections, now.mono, gated.view);
    const carried = this.gate.countCarried(tracks);
    ctx.record('track', performance.now() - t);

    if (this.deps.plates && this.plateZones.length > 0) this.offerPlates(this.deps.plates, frame, tracks, now);

    // The scene model's time counts as the rules' own: it is their input and runs only for them.
    t = performance.now();
    const scene = this.scene?.update(frame, now.mono);
    // Health reports it on the wall clock, like every other time an installer reads.
    const rereferenced = scene?.rereferenced && { ...scene.rereferenced, at };
    if (rereferenced)
      this.log.warn(
        { ...rereferenced },
        'scene re-referenced: the view changed as a whole (camera moved or the light switched); static objects are learned afresh',
      );
    ctx.recordDetection({
      inferences: gated.inferences,
      models: gated.runs,
      regions: gated.regions,
      motionArea: gated.motionArea,
      carried,
      recalibrated: gated.recalibrated,
      ...(this.scene && { scene: rereferenced ? { rereferenced } : {} }),
    });
    const updates = this.rules.evaluate(tracks, now, scene?.blobs, weak);
    ctx.record('rules', performance.now() - t);
    this.watcher?.record(frame, detections, tracks);

    t = performance.now();
    sink.submit(this.sinkCamera, updates, frame, at, detections);
    ctx.record('publish', performance.now() - t);

    if (this.waiters.length > 0) {
      const captured = { image: { data: Uint8Array.from(frame.data), width: frame.width, height: frame.height }, at, detections };
      for (const w of this.waiters.splice(0)) w(captured);
    }
  }

  /**
   * Vehicles standing still (`plates.stillSeconds`) in a zone of the plate rules are read while they dwell, so the
   * alert has the plate when it starts.
   */
  private offerPlates(plates: PlateEvidence, frame: RgbImage, tracks: readonly Track[], now: Instant): void {
    const cfg = this.camera.plates;
    const due = vehiclesToRead(tracks, this.plateZones, cfg.stillSeconds * 1000, now.mono);
    if (due.length === 0) return;
    const { mainFrame } = this.deps;
    const opts: PlateOfferOptions = {
      maxReads: cfg.reads,
      intervalMs: cfg.intervalSeconds * 1000,
      ...(cfg.source === 'evidence' && this.camera.evidenceUrl && mainFrame && { fullFrame: () => mainFrame(this.camera.id, now.wall) }),
    };
    plates.offer(
      this.camera.id,
      frame,
      due.map((t) => ({ trackId: t.id, box: t.box })),
      now.mono,
      opts,
    );
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

  /** The current view becomes the clean-scene reference of the camera's static foreground. */
  captureReference(): CommandOutcome {
    if (!this.scene)
      return {
        ok: false,
        error: `camera "${this.camera.id}" has no rule reading static foreground (static_object, or street_vending with a foreground stall): nothing to reference`,
      };
    this.scene.captureReference();
    this.log.info({ camera: this.camera.id }, 'scene reference captured');
    return { ok: true, detail: { camera: this.camera.id } };
  }

  /** An operator's decision; an event it ends is published at once (with the event's last evidence). */
  applyOperatorAction(eventId: string, action: OperatorAction, at: Instant, opts: OperatorActionOptions): OperatorResult {
    const result = this.rules.applyOperatorAction(eventId, action, at, opts);
    if (result.ok && result.update) this.deps.sink.submit(this.sinkCamera, [result.update], undefined, at.wall);
    return result;
  }
}

/** What the event sink needs of the camera: its zones and lines in pixels and the alert's fixed context. */
function sinkCameraOf(camera: CameraConfig, deps: PipelineDeps, members: readonly { name: string; model: RunningModel }[]): SinkCamera {
  const frame = camera.analysis;
  return {
    id: camera.id,
    name: camera.name,
    ...(camera.plates.enabled && { plates: { minConfidence: camera.plates.minConfidence } }),
    zones: new Map(
      camera.zones.map((z) => [
        z.id,
        {
          name: z.name ?? z.id,
          polygon: toPixels(z.polygon ?? [], z.units, frame),
          lines: new Map(
            z.rules.flatMap((r) => {
              const line = ruleKind(r).line?.(r);
              return line
                ? [[r.id, { points: toPixels(line.points, z.units, frame) as [Point, Point], direction: line.direction }] as const]
                : [];
            }),
          ),
        },
      ]),
    ),
    alertContext: {
      site: { id: deps.site.id, divisionCode: deps.site.divisionCode },
      catalogue: deps.catalogue,
      camera: {
        id: camera.id,
        name: camera.name,
        location: camera.location ?? deps.site.location,
        address: camera.address ?? deps.site.address,
      },
      geo: camera.calibration ? createGeoMapper(camera.calibration, frame) : undefined,
      model: deps.model,
      models: Object.fromEntries(members.map(({ name, model }) => [name, model.info])),
      agent: deps.agent,
      frame,
    },
  };
}
