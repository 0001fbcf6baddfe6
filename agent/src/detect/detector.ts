import type { RgbImage } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import type { LoadedModel } from '../model/load.ts';
import { type ClassPlan, planClasses } from './classes.ts';
import type { DetectorConfig } from './config.ts';
import { OutputLayoutError } from './decoders/common.ts';
import { detectorFamily } from './decoders/index.ts';
import type { Decoder, OutputInfo } from './decoders/types.ts';
import { type Pass, selectDetections } from './nms-merge.ts';
import { type FitTransform, Preprocessor } from './preprocess.ts';
import { RawBoxes } from './raw-boxes.ts';
import { type ModelRunner, type RunResult, SessionRunner, ThreadRunner } from './runner.ts';
import type { Detection, DetectionWindow, DetectOptions, Detector, DetectorInfo, DetectTimings } from './types.ts';

/** Where the model runs: in this thread, or in a thread of its own so this one preprocesses and decodes meanwhile. */
export type RunnerPlace = 'here' | 'thread';

/**
 * Opens the model, checks its input against the manifest, runs one warm-up inference and binds the family's
 * decoder to the actual outputs (a mismatch fails here, naming the output), then returns the detector.
 * `onRunnerExit`: the model's own thread (`place: 'thread'`) died; the detector cannot run any more.
 */
export async function createDetector(
  model: LoadedModel,
  cfg: DetectorConfig,
  log: Logger,
  place: RunnerPlace = 'here',
  onRunnerExit: (err: Error) => void = () => {},
): Promise<Detector> {
  const { manifest } = model;
  const where = `model ${manifest.name} (${model.modelPath})`;
  const plan = planClasses(model.labels, cfg);
  const runner: ModelRunner =
    place === 'thread' ? await ThreadRunner.open(model, cfg, onRunnerExit) : await SessionRunner.open(model, cfg, log);
  try {
    const { width: iw, height: ih, trimPaddingTo } = manifest.input;
    const pres = Array.from({ length: PIPELINE_DEPTH }, () => new Preprocessor(manifest.input));
    const decoders = new Decoders(model);
    const warmStart = performance.now();
    const warm = await runner.run(pres[0].input, ih);
    pres[0].adopt(warm.input);
    const warmMs = performance.now() - warmStart;
    try {
      decoders.for(ih, warm.outputs);
    } catch (err) {
      if (err instanceof OutputLayoutError) throw new Error(`${where}: ${err.message} (check "family" and "decode" in the manifest)`);
      throw err;
    }
    if (trimPaddingTo) {
      // The lowest input the trimmed padding can give: the model must run there and its outputs must follow.
      try {
        const low = await runner.run(pres[0].input, trimPaddingTo);
        pres[0].adopt(low.input);
        decoders.for(trimPaddingTo, low.outputs);
      } catch (err) {
        throw new Error(
          `${where}: input.trimPaddingTo is ${trimPaddingTo}, but the model does not run ${iw}×${trimPaddingTo} inputs as it runs ${iw}×${ih}: ${(err as Error).message} (remove input.trimPaddingTo from the manifest)`,
        );
      }
    }
    log.info({ model: manifest.name, family: manifest.family, input: `${iw}x${ih}`, warmUpMs: Math.round(warmMs) }, 'detector ready');
    return new OrtDetector(model, cfg, runner, pres, decoders, plan);
  } catch (err) {
    await runner.release();
    throw err;
  }
}

/**
 * The family's decoder bound to the outputs at each input height the model runs at (one unless its padding is
 * trimmed): the anchor grids follow the height.
 */
class Decoders {
  private readonly byRows = new Map<number, Decoder>();

  constructor(private readonly model: LoadedModel) {}

  for(rows: number, outputs: RunResult['outputs']): Decoder {
    let d = this.byRows.get(rows);
    if (!d) {
      const { manifest, labels } = this.model;
      const infos: OutputInfo[] = Object.entries(outputs).map(([name, t]) => ({ name, dims: t.dims, type: t.type }));
      d = detectorFamily(manifest.family).create(infos, {
        numClasses: labels.length,
        inputWidth: manifest.input.width,
        inputHeight: rows,
        decode: manifest.decode,
      });
      this.byRows.set(rows, d);
    }
    return d;
  }
}

/**
 * Inputs prepared ahead: one being inferred, one ready behind it, so the model never waits for preprocessing when
 * it runs in its own thread.
 */
const PIPELINE_DEPTH = 2;

/** One detect() call on its way through the pipeline. */
interface Job {
  image: RgbImage;
  passes: Pass[];
  /** Passes handed to the runner so far. */
  started: number;
  /** Passes decoded so far. */
  decoded: number;
  timings: DetectTimings;
  failed: Error | undefined;
  resolve(d: Detection[]): void;
  reject(e: Error): void;
}

/**
 * detect() calls may overlap: they queue and are answered in order. Their passes (the whole frame, each window)
 * flow through a two-deep pipeline: while the runner infers one pass, the next is preprocessed into the other
 * input buffer; results are decoded in the order the passes were handed over, so one candidate list serves all.
 */
class OrtDetector implements Detector {
  readonly info: DetectorInfo;
  lastTimings: DetectTimings = { preprocessMs: 0, inferenceMs: [], decodeMs: 0 };
  private readonly candidates = new RawBoxes();
  private readonly jobs: Job[] = [];
  private readonly free: Preprocessor[];

  constructor(
    model: LoadedModel,
    private readonly cfg: DetectorConfig,
    private readonly runner: ModelRunner,
    pres: Preprocessor[],
    private readonly decoders: Decoders,
    private readonly plan: ClassPlan,
  ) {
    this.info = { modelName: model.manifest.name, modelSha256: model.sha256, labels: model.labels };
    this.free = [...pres];
  }

  detect(image: RgbImage, windows: readonly DetectionWindow[] = [], options: DetectOptions = {}): Promise<Detection[]> {
    try {
      checkImage(image);
      windows.forEach((w, i) => checkWindow(w, i, image));
    } catch (err) {
      return Promise.reject(err);
    }
    const whole: DetectionWindow[] = (options.wholeFrame ?? true) ? [{ x: 0, y: 0, width: image.width, height: image.height }] : [];
    const passes: Pass[] = [...whole, ...windows].map((window) => ({ window, pixel: 0 }));
    return new Promise<Detection[]>((resolve, reject) => {
      const job: Job = {
        image,
        passes,
        started: 0,
        decoded: 0,
        timings: { preprocessMs: 0, inferenceMs: [], decodeMs: 0 },
        failed: undefined,
        resolve,
        reject,
      };
      this.jobs.push(job);
      if (passes.length === 0) this.finishFront();
      this.feed();
    });
  }

  /** Hands the runner passes while an input buffer is free, oldest call first. */
  private feed(): void {
    while (this.free.length > 0) {
      const job = this.jobs.find((j) => j.started < j.passes.length);
      if (!job) return;
      const pre = this.free.pop()!;
      const p = job.started++;
      const t0 = performance.now();
      const fit = pre.fill(job.image, job.passes[p].window);
      job.timings.preprocessMs += performance.now() - t0;
      this.runner.run(pre.input, fit.rows).then(
        (r) => this.done(job, p, pre, fit, r),
        (err: Error) => {
          // The input buffer is lost with a failed run (it may have travelled): a fresh one takes its place.
          this.free.push(new Preprocessor(pre.spec));
          this.fail(job, err);
        },
      );
    }
  }

  private done(job: Job, p: number, pre: Preprocessor, fit: FitTransform, r: RunResult): void {
    pre.adopt(r.input);
    this.free.push(pre);
    // The next pass goes to the runner before this one is decoded, so the model is not kept waiting.
    this.feed();
    if (job.failed) return;
    const t0 = performance.now();
    const c = this.candidates;
    if (p === 0) c.clear();
    const first = c.length;
    try {
      this.decoders.for(fit.rows, r.outputs).decode(r.outputs, this.plan.thresholds, p, c);
    } catch (err) {
      // A model whose outputs do not fit its manifest fails this call, naming why; it must not hang it.
      this.fail(job, err as Error);
      return;
    }
    const { window } = job.passes[p];
    toFrame(c, first, window, fit.scaleX, fit.scaleY);
    job.passes[p].pixel = Math.max(1 / fit.scaleX, 1 / fit.scaleY);
    job.timings.inferenceMs.push(r.ms);
    job.timings.decodeMs += performance.now() - t0;
    job.decoded++;
    if (job.decoded === job.passes.length) this.finishFront();
  }

  /** Completes the oldest call once all its passes are decoded (and any empty calls right behind it). */
  private finishFront(): void {
    while (this.jobs.length > 0) {
      const job = this.jobs[0];
      if (job.decoded < job.passes.length && !job.failed) return;
      this.jobs.shift();
      if (job.failed) {
        job.reject(job.failed);
        continue;
      }
      const t0 = performance.now();
      const { image } = job;
      const frameArea = image.width * image.height;
      const detections = selectDetections(this.candidates, this.plan, job.passes, image.width, image.height, {
        nmsIou: this.cfg.nmsIou,
        maxDetections: this.cfg.maxDetections,
        minArea: this.cfg.minBoxArea * frameArea,
        maxArea: this.cfg.maxBoxArea * frameArea,
      });
      this.candidates.clear();
      job.timings.decodeMs += performance.now() - t0;
      this.lastTimings = job.timings;
      job.resolve(detections);
    }
  }

  private fail(job: Job, err: Error): void {
    job.failed ??= err;
    // Passes not yet handed over are not run at all.
    job.started = job.passes.length;
    this.finishFront();
    this.feed();
  }

  async close(): Promise<void> {
    await this.runner.release();
  }
}

/** Model-input pixels → frame pixels for the candidates one pass appended, clipped to the window it saw. */
function toFrame(c: RawBoxes, first: number, w: DetectionWindow, scaleX: number, scaleY: number): void {
  const right = w.x + w.width;
  const bottom = w.y + w.height;
  for (let i = first; i < c.length; i++) {
    c.x1[i] = Math.min(right, Math.max(w.x, w.x + c.x1[i] / scaleX));
    c.y1[i] = Math.min(bottom, Math.max(w.y, w.y + c.y1[i] / scaleY));
    c.x2[i] = Math.min(right, Math.max(w.x, w.x + c.x2[i] / scaleX));
    c.y2[i] = Math.min(bottom, Math.max(w.y, w.y + c.y2[i] / scaleY));
  }
}

function checkImage(image: RgbImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`detect(): image size ${width}×${height}: expected positive whole numbers`);
  }
  if (data.length !== width * height * 3) {
    throw new Error(`detect(): image data has ${data.length} bytes; expected RGB24 ${width}×${height}×3 = ${width * height * 3}`);
  }
}

function checkWindow(w: DetectionWindow, i: number, image: RgbImage): void {
  const ints = [w.x, w.y, w.width, w.height].every(Number.isInteger);
  if (!ints || w.x < 0 || w.y < 0 || w.width < 1 || w.height < 1 || w.x + w.width > image.width || w.y + w.height > image.height) {
    throw new Error(
      `detect(): window ${i} {x: ${w.x}, y: ${w.y}, width: ${w.width}, height: ${w.height}}: expected whole pixels inside the ${image.width}×${image.height} image`,
    );
  }
}
