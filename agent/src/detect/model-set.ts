import { iou, type RgbImage } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import { DEFAULT_MODEL } from './config.ts';
import type { Detection, DetectionWindow, DetectOptions, Detector, DetectTimings } from './types.ts';

/** One of a camera's models: its configured name and its detector (each in its own worker thread by default). */
export interface NamedDetector {
  name: string;
  detector: Detector;
}

/** What one model did for one frame. */
export interface ModelRun {
  model: string;
  /** Inferences it ran (one per region or window; the whole frame counts as one); 0 when it failed. */
  inferences: number;
  /** Why it gave nothing for this frame (its worker died, …); absent when it answered. */
  error?: string;
}

export interface ModelSetOptions {
  /** Same-label detections of two models overlapping by more than this are one object (the higher score is kept). */
  nmsIou: number;
  log: Logger;
}

const FAILURE_LOG_EVERY_MS = 60_000;

/**
 * A camera's models as one (the detectors are shared by the cameras and closed by their owner): each frame's regions go to every model at once, and their detections are merged, each
 * naming the model that saw it. A model that fails (its worker died and is being restarted) costs only its own
 * detections for that frame; the frame fails only when every model does.
 */
export class ModelSet {
  lastTimings: DetectTimings = { preprocessMs: 0, inferenceMs: [], decodeMs: 0 };
  lastRuns: ModelRun[] = [];
  private readonly lastFailureLogAt = new Map<string, number>();

  constructor(
    readonly members: readonly NamedDetector[],
    private readonly opts: ModelSetOptions,
  ) {
    if (members.length === 0) throw new Error('a camera needs at least one model');
  }

  /** A single detector as the camera's only model, named `default`. */
  static single(detector: Detector, opts: ModelSetOptions): ModelSet {
    return new ModelSet([{ name: DEFAULT_MODEL, detector }], opts);
  }

  get names(): string[] {
    return this.members.map((m) => m.name);
  }

  async detect(image: RgbImage, windows: readonly DetectionWindow[] = [], options: DetectOptions = {}): Promise<Detection[]> {
    const passes = ((options.wholeFrame ?? true) ? 1 : 0) + windows.length;
    const settled = await Promise.allSettled(this.members.map((m) => m.detector.detect(image, windows, options)));
    const timings: DetectTimings = { preprocessMs: 0, inferenceMs: [], decodeMs: 0 };
    const runs: ModelRun[] = [];
    const lists: Detection[][] = [];
    settled.forEach((s, i) => {
      const { name, detector } = this.members[i];
      if (s.status === 'rejected') {
        const error = (s.reason as Error).message;
        runs.push({ model: name, inferences: 0, error });
        this.logFailure(name, error);
        return;
      }
      const t = detector.lastTimings;
      timings.preprocessMs += t.preprocessMs;
      timings.inferenceMs.push(...t.inferenceMs);
      timings.decodeMs += t.decodeMs;
      runs.push({ model: name, inferences: passes });
      lists.push(s.value.map((d) => ({ ...d, model: name })));
    });
    this.lastRuns = runs;
    if (lists.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
    this.lastTimings = timings;
    return lists.length === 1 ? lists[0] : mergeModels(lists, this.opts.nmsIou);
  }

  private logFailure(model: string, error: string): void {
    const now = Date.now();
    if (now - (this.lastFailureLogAt.get(model) ?? -Infinity) < FAILURE_LOG_EVERY_MS) return;
    this.lastFailureLogAt.set(model, now);
    this.opts.log.warn(
      { model, err: error },
      'model gave no detections for a frame; the camera goes on with its other models (logged at most once a minute per model)',
    );
  }
}

/**
 * Several models' detections of one frame as one list, best score first: a detection is dropped when a better one of
 * the same label from another model overlaps it by more than `nmsIou` (two models saw the same object). Pure.
 */
export function mergeModels(lists: readonly (readonly Detection[])[], nmsIou: number): Detection[] {
  const all = lists.flat().sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of all) {
    if (!kept.some((k) => k.label === d.label && k.model !== d.model && iou(k.box, d.box) > nmsIou)) kept.push(d);
  }
  return kept;
}
