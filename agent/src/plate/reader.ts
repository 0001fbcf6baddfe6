import { readFile } from 'node:fs/promises';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import ort from 'onnxruntime-node';
import type { PlateColour } from '../contract/plate.ts';
import type { Box, RgbImage } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import { Preprocessor } from '../detect/preprocess.ts';
import { openSession, type SessionConfig } from '../detect/session.ts';
import type { LoadedPinnedModel } from '../model/pinned.ts';
import { CLASSIFIER_COLOURS, colourShares, plateColour } from './colour.ts';
import { ctcDecode, parseDictionary, recInput } from './ctc.ts';
import { decodePlates, defaultPlateDecodeOptions, type PlateDecodeOptions, type PlateDetection } from './decode.ts';
import { checkPlateGrammar, type GrammarResult } from './grammar.ts';
import { type Quad, quadBand, rectify } from './rectify.ts';

export interface PlateModels {
  detector: LoadedPinnedModel;
  recogniser: LoadedPinnedModel;
  /** Optional: without it the colour comes from the pixels alone. */
  classifier?: LoadedPinnedModel;
}

/** One plate read on one image. */
export interface PlateReading {
  box: Box;
  corners: Quad;
  rows: 1 | 2;
  detectionScore: number;
  text: string;
  charProbs: number[];
  colour: PlateColour;
  /** The colour classifier's own answer (blue, green or yellow) and its probability, when it ran. */
  classifier?: { colour: PlateColour; p: number };
  grammar: GrammarResult;
  /** 0..1: detection score × the weakest character's probability; 0 when the text breaks the grammar. */
  confidence: number;
}

/** Milliseconds of the last read() call, with the raw ONNX Runtime time of each model beside its stage. */
export interface PlateTimings {
  detectMs: number;
  detectOrtMs: number;
  rectifyMs: number;
  recogniseMs: number;
  recogniseOrtMs: number;
  colourMs: number;
  colourOrtMs: number;
  totalMs: number;
}

/** The narrow interface the rest of the agent uses: plates in a vehicle's box (or the whole image). */
export interface PlateReader {
  read(image: RgbImage, vehicleBox?: Box): Promise<PlateReading[]>;
  /** Where the plates are in a vehicle's box (or the whole image), without reading them: for pixelating bystanders' plates. */
  find(image: RgbImage, vehicleBox?: Box): Promise<PlateDetection[]>;
  /** Reads an image that is already one tight plate crop (no detection). */
  readCrop(crop: RgbImage, rows?: 1 | 2): Promise<PlateReading>;
  readonly lastTimings: PlateTimings;
  close(): Promise<void>;
}

export interface PlateReaderOptions {
  decode?: PlateDecodeOptions;
  /** Plate reading is background work: one thread by default, so the frame loop keeps its cores. */
  session?: Partial<SessionConfig>;
}

/** Double-row plates: the upper row (province and office letter) takes the top 40 % (HyperLPR3's split). */
const UPPER_ROW = 0.4;
/** Rows are rectified straight to the recogniser's input height. */
const REC_HEIGHT = 48;
/** Width over height: single-row plates 440×140 mm (new-energy 480×140), double-row 440×220 mm (GA 36). */
const SINGLE_ASPECT = 3.3;
const DOUBLE_ASPECT = 2;

export async function createPlateReader(models: PlateModels, log: Logger, opts: PlateReaderOptions = {}): Promise<PlateReader> {
  const session: SessionConfig = {
    intraOpThreads: 1,
    interOpThreads: 1,
    graphOptimization: 'all',
    executionProviders: ['cpu'],
    allowSpinning: false,
    ...opts.session,
  };
  const det = await openSession(models.detector.modelPath, session, log);
  const rec = await openSession(models.recogniser.modelPath, session, log);
  const cls = models.classifier ? await openSession(models.classifier.modelPath, session, log) : undefined;
  const dictionary = parseDictionary(await readFile(models.recogniser.dictionaryPath!, 'utf8'), models.recogniser.dictionaryPath!);
  const reader = new OrtPlateReader(models, det, rec, cls, dictionary, opts.decode ?? defaultPlateDecodeOptions);
  // ONNX Runtime's first run of a session is several times slower: pay it now, not on the first event.
  const blank: RgbImage = { data: new Uint8Array(160 * 48 * 3), width: 160, height: 48 };
  await reader.read(blank);
  await reader.readCrop(blank);
  log.info(
    {
      stage: 'plate',
      detector: models.detector.manifest.name,
      recogniser: models.recogniser.manifest.name,
      classifier: models.classifier?.manifest.name ?? null,
    },
    'plate reader ready',
  );
  return reader;
}

const zeroTimings = (): PlateTimings => ({
  detectMs: 0,
  detectOrtMs: 0,
  rectifyMs: 0,
  recogniseMs: 0,
  recogniseOrtMs: 0,
  colourMs: 0,
  colourOrtMs: 0,
  totalMs: 0,
});

class OrtPlateReader implements PlateReader {
  lastTimings = zeroTimings();
  private readonly detPre: Preprocessor;
  private readonly detFeed: Record<string, Tensor>;
  private readonly clsPre?: Preprocessor;
  private readonly clsFeed?: Record<string, Tensor>;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly models: PlateModels,
    private readonly det: InferenceSession,
    private readonly rec: InferenceSession,
    private readonly cls: InferenceSession | undefined,
    private readonly dictionary: string[],
    private readonly decodeOpts: PlateDecodeOptions,
  ) {
    const { input } = models.detector.manifest;
    // HyperLPR3 feeds the detector RGB / 255, letterboxed with black.
    this.detPre = new Preprocessor({
      width: input.width ?? input.height,
      height: input.height,
      colorOrder: 'rgb',
      mean: [0, 0, 0],
      std: [255, 255, 255],
      resize: 'letterbox',
      padValue: 0,
    });
    this.detFeed = { [input.name]: new ort.Tensor('float32', this.detPre.input, [1, 3, input.height, input.width ?? input.height]) };
    if (models.classifier) {
      const c = models.classifier.manifest.input;
      // HyperLPR3's classifier: OpenCV BGR resized to 96×96, / 255.
      this.clsPre = new Preprocessor({
        width: c.width ?? c.height,
        height: c.height,
        colorOrder: 'bgr',
        mean: [0, 0, 0],
        std: [255, 255, 255],
        resize: 'stretch',
        padValue: 0,
      });
      this.clsFeed = { [c.name]: new ort.Tensor('float32', this.clsPre.input, [1, 3, c.height, c.width ?? c.height]) };
    }
  }

  /** Calls are queued: one plate job at a time keeps ONNX Runtime's buffers and the timings consistent. */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job, job);
    this.chain = run.catch(() => undefined);
    return run;
  }

  read(image: RgbImage, vehicleBox?: Box): Promise<PlateReading[]> {
    return this.serial(async () => {
      const t = zeroTimings();
      const start = performance.now();
      const plates = await this.detect(image, vehicleBox, t);
      t.detectMs = performance.now() - start;
      const readings: PlateReading[] = [];
      for (const p of plates) readings.push(await this.readQuad(image, p, t));
      t.totalMs = performance.now() - start;
      this.lastTimings = t;
      return readings;
    });
  }

  find(image: RgbImage, vehicleBox?: Box): Promise<PlateDetection[]> {
    return this.serial(async () => {
      const t = zeroTimings();
      const start = performance.now();
      const plates = await this.detect(image, vehicleBox, t);
      t.detectMs = t.totalMs = performance.now() - start;
      this.lastTimings = t;
      return plates;
    });
  }

  private async detect(image: RgbImage, vehicleBox: Box | undefined, t: PlateTimings): Promise<PlateDetection[]> {
    const region = clip(vehicleBox ?? { x1: 0, y1: 0, x2: image.width, y2: image.height }, image);
    if (!region) return [];
    const window = { x: region.x1, y: region.y1, width: region.x2 - region.x1, height: region.y2 - region.y1 };
    const fit = this.detPre.fill(image, window);
    const ortStart = performance.now();
    const out = await this.det.run(this.detFeed);
    t.detectOrtMs = performance.now() - ortStart;
    return decodePlates(
      out[this.det.outputNames[0]].data as Float32Array,
      { originX: window.x, originY: window.y, scaleX: fit.scaleX, scaleY: fit.scaleY },
      this.decodeOpts,
    );
  }

  readCrop(crop: RgbImage, rows: 1 | 2 = 1): Promise<PlateReading> {
    return this.serial(async () => {
      const t = zeroTimings();
      const start = performance.now();
      const { width: w, height: h } = crop;
      const reading = await this.readQuad(
        crop,
        {
          box: { x1: 0, y1: 0, x2: w, y2: h },
          corners: [
            [0, 0],
            [w, 0],
            [w, h],
            [0, h],
          ],
          rows,
          score: 1,
        },
        t,
      );
      t.totalMs = performance.now() - start;
      this.lastTimings = t;
      return reading;
    });
  }

  private async readQuad(image: RgbImage, p: PlateDetection, t: PlateTimings): Promise<PlateReading> {
    let s = performance.now();
    // Laid flat at the plate's real proportions, not its apparent ones: a plate seen at an angle is foreshortened,
    // and squeezed characters are what the recogniser misreads.
    const rows = p.rows === 2 ? [quadBand(p.corners, 0, UPPER_ROW), quadBand(p.corners, UPPER_ROW, 1)] : [p.corners];
    const fractions = p.rows === 2 ? [UPPER_ROW, 1 - UPPER_ROW] : [1];
    const aspect = p.rows === 2 ? DOUBLE_ASPECT : SINGLE_ASPECT;
    const rowImages = rows.map((q, i) => rectify(image, q, Math.round((REC_HEIGHT * aspect) / fractions[i]), REC_HEIGHT));
    const flat = p.rows === 2 ? rectify(image, p.corners, Math.round(2 * REC_HEIGHT * aspect), 2 * REC_HEIGHT) : rowImages[0];
    t.rectifyMs += performance.now() - s;

    s = performance.now();
    let text = '';
    const charProbs: number[] = [];
    for (const row of rowImages) {
      const input = recInput(row, this.models.recogniser.manifest.input.height);
      const feed = { [this.rec.inputNames[0]]: new ort.Tensor('float32', input.data, [1, 3, input.height, input.width]) };
      const o = performance.now();
      const out = await this.rec.run(feed);
      t.recogniseOrtMs += performance.now() - o;
      const probs = out[this.rec.outputNames[0]];
      const [, steps, classes] = probs.dims;
      const decoded = ctcDecode(probs.data as Float32Array, steps, classes, this.dictionary);
      text += decoded.text;
      charProbs.push(...decoded.probs);
    }
    t.recogniseMs += performance.now() - s;

    s = performance.now();
    let classifier: { colour: PlateColour; p: number } | undefined;
    if (this.cls && this.clsPre && this.clsFeed) {
      this.clsPre.fill(flat, { x: 0, y: 0, width: flat.width, height: flat.height });
      const o = performance.now();
      const out = await this.cls.run(this.clsFeed);
      t.colourOrtMs += performance.now() - o;
      const scores = out[this.cls.outputNames[0]].data as Float32Array;
      classifier = softmaxBest(scores);
    }
    const colour = plateColour(colourShares(flat), classifier, [...text].length);
    t.colourMs += performance.now() - s;

    const grammar = checkPlateGrammar(text);
    const weakest = charProbs.length ? Math.min(...charProbs) : 0;
    return {
      box: p.box,
      corners: p.corners,
      rows: p.rows,
      detectionScore: p.score,
      text,
      charProbs,
      colour,
      ...(classifier && { classifier }),
      grammar,
      confidence: grammar.valid ? p.score * weakest : 0,
    };
  }

  async close(): Promise<void> {
    await this.chain;
    await Promise.all([this.det.release(), this.rec.release(), this.cls?.release()]);
  }
}

/** The classifier's best class; its output is turned into probabilities first unless it already sums to 1. */
function softmaxBest(scores: Float32Array): { colour: PlateColour; p: number } {
  let sum = 0;
  for (const v of scores) sum += v;
  const isProb = scores.every((v) => v >= 0 && v <= 1) && Math.abs(sum - 1) < 1e-3;
  const max = Math.max(...scores);
  const p = isProb ? Array.from(scores) : Array.from(scores, (v) => Math.exp(v - max));
  const total = p.reduce((a, b) => a + b, 0);
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return { colour: CLASSIFIER_COLOURS[best] ?? 'blue', p: p[best] / total };
}

function clip(b: Box, image: RgbImage): Box | undefined {
  const x1 = Math.max(0, Math.floor(b.x1));
  const y1 = Math.max(0, Math.floor(b.y1));
  const x2 = Math.min(image.width, Math.ceil(b.x2));
  const y2 = Math.min(image.height, Math.ceil(b.y2));
  return x2 - x1 >= 8 && y2 - y1 >= 8 ? { x1, y1, x2, y2 } : undefined;
}
