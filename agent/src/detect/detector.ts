import ort from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Logger } from '../core/log.ts';
import type { LoadedModel } from '../model/load.ts';
import { RawBoxes } from './raw-boxes.ts';
import { planClasses, type ClassPlan } from './classes.ts';
import type { DetectorConfig } from './config.ts';
import { OutputLayoutError } from './decoders/common.ts';
import { decoderFactories } from './decoders/index.ts';
import type { Decoder, OutputInfo } from './decoders/types.ts';
import { Preprocessor } from './preprocess.ts';
import { selectDetections, type Pass } from './nms-merge.ts';
import { bindInputs, openSession } from './session.ts';
import type { Detection, DetectionWindow, DetectOptions, Detector, DetectorInfo, DetectTimings } from './types.ts';
import type { RgbImage } from '../core/geometry.ts';

/**
 * Opens the model, checks its input against the manifest, runs one warm-up inference and binds the family's
 * decoder to the actual outputs (a mismatch fails here, naming the output), then returns the detector.
 */
export async function createDetector(model: LoadedModel, cfg: DetectorConfig, log: Logger): Promise<Detector> {
  const { manifest } = model;
  const where = `model ${manifest.name} (${model.modelPath})`;
  const plan = planClasses(model.labels, cfg);
  const session = await openSession(model.modelPath, cfg, log);
  try {
    const inputs = bindInputs(session, manifest, where);
    const { width: iw, height: ih } = manifest.input;
    const pre = new Preprocessor(manifest.input);
    const feeds: Record<string, Tensor> = { [inputs.image]: new ort.Tensor('float32', pre.input, [1, 3, ih, iw]) };
    if (inputs.sizeInput) feeds[inputs.sizeInput] = new ort.Tensor('int64', BigInt64Array.from([BigInt(iw), BigInt(ih)]), [1, 2]);

    const warmStart = performance.now();
    const warm = await session.run(feeds);
    const warmMs = performance.now() - warmStart;
    const infos: OutputInfo[] = session.outputNames.map((name) => ({ name, dims: warm[name].dims, type: warm[name].type }));
    let decoder: Decoder;
    try {
      decoder = decoderFactories[manifest.family](infos, {
        numClasses: model.labels.length,
        inputWidth: iw,
        inputHeight: ih,
        decode: manifest.decode,
      });
    } catch (err) {
      if (err instanceof OutputLayoutError) throw new Error(`${where}: ${err.message} (check "family" and "decode" in the manifest)`);
      throw err;
    }
    log.info({ model: manifest.name, family: manifest.family, input: `${iw}x${ih}`, warmUpMs: Math.round(warmMs) }, 'detector ready');
    return new OrtDetector(model, cfg, session, feeds, pre, decoder, plan);
  } catch (err) {
    await session.release();
    throw err;
  }
}

class OrtDetector implements Detector {
  readonly info: DetectorInfo;
  lastTimings: DetectTimings = { preprocessMs: 0, inferenceMs: [], decodeMs: 0 };
  private readonly candidates = new RawBoxes();
  private busy = false;

  constructor(
    model: LoadedModel,
    private readonly cfg: DetectorConfig,
    private readonly session: InferenceSession,
    private readonly feeds: Record<string, Tensor>,
    private readonly pre: Preprocessor,
    private readonly decoder: Decoder,
    private readonly plan: ClassPlan,
  ) {
    this.info = { modelName: model.manifest.name, modelSha256: model.sha256, labels: model.labels };
  }

  async detect(image: RgbImage, windows: readonly DetectionWindow[] = [], options: DetectOptions = {}): Promise<Detection[]> {
    checkImage(image);
    windows.forEach((w, i) => checkWindow(w, i, image));
    if (this.busy) throw new Error('detect() called while the previous call is still running (one frame at a time per detector)');
    this.busy = true;
    try {
      return await this.run(image, windows, options.wholeFrame ?? true);
    } finally {
      this.busy = false;
    }
  }

  private async run(image: RgbImage, windows: readonly DetectionWindow[], wholeFrame: boolean): Promise<Detection[]> {
    const whole: DetectionWindow[] = wholeFrame ? [{ x: 0, y: 0, width: image.width, height: image.height }] : [];
    const passes: Pass[] = [...whole, ...windows].map((window) => ({ window, pixel: 0 }));
    const timings: DetectTimings = { preprocessMs: 0, inferenceMs: [], decodeMs: 0 };
    const c = this.candidates;
    c.clear();
    for (let p = 0; p < passes.length; p++) {
      const { window } = passes[p];
      const t0 = performance.now();
      const fit = this.pre.fill(image, window);
      const t1 = performance.now();
      const outputs = await this.session.run(this.feeds);
      const t2 = performance.now();
      const first = c.length;
      this.decoder.decode(outputs, this.plan.thresholds, p, c);
      toFrame(c, first, window, fit.scaleX, fit.scaleY);
      passes[p].pixel = Math.max(1 / fit.scaleX, 1 / fit.scaleY);
      const t3 = performance.now();
      timings.preprocessMs += t1 - t0;
      timings.inferenceMs.push(t2 - t1);
      timings.decodeMs += t3 - t2;
    }
    const t4 = performance.now();
    const frameArea = image.width * image.height;
    const detections = selectDetections(c, this.plan, passes, image.width, image.height, {
      nmsIou: this.cfg.nmsIou,
      maxDetections: this.cfg.maxDetections,
      minArea: this.cfg.minBoxArea * frameArea,
      maxArea: this.cfg.maxBoxArea * frameArea,
    });
    timings.decodeMs += performance.now() - t4;
    this.lastTimings = timings;
    return detections;
  }

  async close(): Promise<void> {
    await this.session.release();
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
