import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Box, iou as boxIou, type RgbImage } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { detectorConfigSchema } from '../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../agent/src/detect/decoders/index.ts';
import { createDetector } from '../../agent/src/detect/detector.ts';
import { readRgbImage } from '../../agent/src/detect/image-file.ts';
import type { Detection, Detector } from '../../agent/src/detect/types.ts';
import { windowsForCamera } from '../../agent/src/detect/windows.ts';
import { type LoadedModel, loadModel, sharedModelsDir } from '../../agent/src/model/load.ts';
import { defaultManifest, sample } from '../helpers/paths.ts';

// Hand-measured regions (pixels of the sample photos), read off the images by eye.
const BUS = {
  bus: [15, 228, 805, 725],
  people: [
    [50, 400, 246, 904],
    [226, 406, 344, 860],
    [670, 380, 810, 880],
  ],
} as const;
const DOG = { dog: [133, 222, 310, 540], bicycle: [125, 140, 566, 420], pickup: [466, 73, 690, 170] } as const;
const STREET = {
  taxi: [118, 450, 437, 625],
  suv: [340, 447, 520, 567],
  people: [
    [915, 445, 965, 600],
    [1100, 450, 1145, 597],
    [1360, 432, 1425, 597],
  ],
  /** The stall's three umbrellas, right-hand pavement. */
  stall: [1000, 390, 1210, 445],
  /** The demo's street_vending zone: the right-hand pavement. */
  pavement: [880, 390, 1441, 640],
} as const;

type Rect = readonly [number, number, number, number];

function iou(b: Box, r: Rect): number {
  const w = Math.min(b.x2, r[2]) - Math.max(b.x1, r[0]);
  const h = Math.min(b.y2, r[3]) - Math.max(b.y1, r[1]);
  const inter = w > 0 && h > 0 ? w * h : 0;
  return inter / ((b.x2 - b.x1) * (b.y2 - b.y1) + (r[2] - r[0]) * (r[3] - r[1]) - inter);
}

function expectFound(dets: Detection[], labels: string[], region: Rect, minIou = 0.7): void {
  const best = dets.filter((d) => labels.includes(d.label)).sort((a, b) => iou(b.box, region) - iou(a.box, region))[0];
  expect(best, `no ${labels.join('/')} detected`).toBeDefined();
  expect(iou(best.box, region), `${labels.join('/')} box ${JSON.stringify(best.box)} vs hand-measured ${region}`).toBeGreaterThanOrEqual(
    minIou,
  );
}

const count = (dets: Detection[], label: string) => dets.filter((d) => d.label === label).length;

let model: LoadedModel;
let detector: Detector;
/** Street scenes: distant pedestrians score 0.3–0.4 on a whole 1441×731 frame shrunk to 416. */
let streetDetector: Detector;
const images: Record<string, RgbImage> = {};

beforeAll(async () => {
  model = await loadModel(detectorFamilies, defaultManifest);
  detector = await createDetector(model, detectorConfigSchema.parse({}), silentLogger);
  streetDetector = await createDetector(model, detectorConfigSchema.parse({ scoreThreshold: 0.3 }), silentLogger);
  for (const f of ['bus.jpg', 'dog.jpg', 'street.png']) images[f] = await readRgbImage(sample(f));
});
afterAll(async () => {
  await detector?.close();
  await streetDetector?.close();
});

describe('PicoDet-S 416 on real photos', () => {
  it('bus.jpg: the bus and the three people in front of it, where they are', async () => {
    const dets = await detector.detect(images['bus.jpg']);
    expectFound(dets, ['bus'], BUS.bus);
    expect(count(dets, 'person')).toBeGreaterThanOrEqual(3);
    for (const p of BUS.people) expectFound(dets, ['person'], p);
    expect(dets.find((d) => d.label === 'bus')!.score).toBeGreaterThan(0.8);
  });

  it('dog.jpg: the dog, the bicycle and the pickup (car or truck)', async () => {
    const dets = await detector.detect(images['dog.jpg']);
    expectFound(dets, ['dog'], DOG.dog);
    expectFound(dets, ['bicycle'], DOG.bicycle);
    expectFound(dets, ['car', 'truck'], DOG.pickup);
  });

  it('street.png, whole frame: at least 3 cars (the taxi among them) and 8 people, but no umbrella', async () => {
    const dets = await streetDetector.detect(images['street.png']);
    expect(count(dets, 'car')).toBeGreaterThanOrEqual(3);
    expect(count(dets, 'person')).toBeGreaterThanOrEqual(8);
    expectFound(dets, ['car'], STREET.taxi);
    expectFound(dets, ['car'], STREET.suv);
    for (const p of STREET.people) expectFound(dets, ['person'], p, 0.6);
    expect(count(dets, 'umbrella')).toBe(0);
    expect(streetDetector.lastTimings.inferenceMs).toHaveLength(1);
  });

  it('street.png with the pavement zone window: the stall umbrellas appear and the people double', async () => {
    const img = images['street.png'];
    const [x1, y1, x2, y2] = STREET.pavement;
    const windows = windowsForCamera(
      {
        windows: 'zones',
        analysis: { width: img.width, height: img.height },
        zones: [
          {
            id: 'pavement',
            units: 'pixels',
            anchor: 'bottom_center',
            polygon: [
              [x1, y1],
              [x2, y1],
              [x2, y2],
              [x1, y2],
            ],
            rules: [] as never,
          },
        ],
      },
      model.manifest.input,
    );
    expect(windows).toHaveLength(1);

    const whole = await streetDetector.detect(img);
    const merged = await streetDetector.detect(img, windows);
    const umbrellas = merged.filter((d) => d.label === 'umbrella');
    expect(umbrellas.length).toBeGreaterThanOrEqual(1);
    for (const u of umbrellas) expect(iou(u.box, STREET.stall), `umbrella ${JSON.stringify(u.box)} outside the stall`).toBeGreaterThan(0.1);
    const onPavement = (dets: Detection[]) =>
      dets.filter((d) => d.label === 'person' && (d.box.x1 + d.box.x2) / 2 >= x1 && d.box.y2 >= y1 && d.box.y2 <= y2).length;
    expect(onPavement(whole)).toBeGreaterThanOrEqual(4);
    expect(onPavement(merged)).toBeGreaterThanOrEqual(2 * onPavement(whole));
    // The whole-frame objects are still there, each once.
    expectFound(merged, ['car'], STREET.taxi);
    expect(merged.filter((d) => d.label === 'car' && iou(d.box, STREET.taxi) > 0.5)).toHaveLength(1);
    expect(streetDetector.lastTimings.inferenceMs).toHaveLength(2);
  });

  it('gives the same detections for the same frame (reused buffers carry nothing over)', async () => {
    const a = await detector.detect(images['dog.jpg']);
    await detector.detect(images['bus.jpg']);
    const b = await detector.detect(images['dog.jpg']);
    expect(b).toEqual(a);
  });

  it('maps labels to domain words and keeps one box per object across mapped classes', async () => {
    const mapped = await createDetector(
      model,
      detectorConfigSchema.parse({ scoreThreshold: 0.4, labelMap: { car: 'vehicle', truck: 'vehicle' } }),
      silentLogger,
    );
    try {
      const dets = await mapped.detect(images['dog.jpg']);
      const vehicles = dets.filter((d) => d.label === 'vehicle');
      expect(vehicles).toHaveLength(1);
      expect(iou(vehicles[0].box, DOG.pickup)).toBeGreaterThan(0.7);
      expect(['car', 'truck']).toContain(model.labels[vehicles[0].classId]);
    } finally {
      await mapped.close();
    }
  });

  it('rejects a frame whose byte count does not match its size', async () => {
    const img = images['dog.jpg'];
    await expect(detector.detect({ ...img, height: img.height - 1 })).rejects.toThrow(/expected RGB24 768×575×3/);
  });
});

describe('trimmed padding (input.trimPaddingTo): a 16:9 frame runs on 256 of the 416 rows', () => {
  let dir: string;
  let square: Detector;
  let trimmed: Detector;
  const frames: Record<string, RgbImage> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-trim-'));
    // Camera-shaped frames of the real material: the street photo, three moments of the parking-lot clip, the kerb photo.
    const sources: [string, string[]][] = [
      ['street', ['-i', sample('street.png')]],
      ['lot-5s', ['-ss', '5', '-i', sample('car-detection.mp4')]],
      ['lot-15s', ['-ss', '15', '-i', sample('car-detection.mp4')]],
      ['lot-25s', ['-ss', '25', '-i', sample('car-detection.mp4')]],
      ['kerb', ['-i', join(sharedModelsDir, '..', 'plates', 'hyperlpr-test_img.jpg')]],
    ];
    for (const [name, input] of sources) {
      const out = join(dir, `${name}.png`);
      const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...input, '-frames:v', '1', '-vf', 'scale=640:360', out]);
      if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr.toString()}`);
      frames[name] = await readRgbImage(out);
    }
    const m = JSON.parse(readFileSync(defaultManifest, 'utf8')) as { input: Record<string, unknown> };
    expect(m.input.trimPaddingTo, 'the default manifest trims the padding').toBe(32);
    delete m.input.trimPaddingTo;
    const file = join(dir, 'square.json');
    writeFileSync(file, JSON.stringify(m));
    const cfg = detectorConfigSchema.parse({ scoreThreshold: 0.3 });
    square = await createDetector(
      await loadModel(detectorFamilies, file, { searchDirs: [sharedModelsDir, join(defaultManifest, '..')] }),
      cfg,
      silentLogger,
    );
    trimmed = await createDetector(model, cfg, silentLogger);
  });
  afterAll(async () => {
    await square?.close();
    await trimmed?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every confident object the full square input finds, and nothing confident it does not', async () => {
    const unmatched = (from: Detection[], to: Detection[]) =>
      from
        .filter((d) => d.score >= 0.5)
        .filter((d) => !to.some((e) => e.label === d.label && e.score >= 0.35 && boxIou(d.box, e.box) >= 0.7))
        .map((d) => `${d.label} ${d.score.toFixed(2)}`);
    let confident = 0;
    for (const [name, frame] of Object.entries(frames)) {
      const a = await square.detect(frame);
      const b = await trimmed.detect(frame);
      confident += a.filter((d) => d.score >= 0.5).length;
      expect(unmatched(a, b), `${name}: found on the square input only`).toEqual([]);
      expect(unmatched(b, a), `${name}: found on the trimmed input only`).toEqual([]);
    }
    expect(confident, 'confident objects compared').toBeGreaterThanOrEqual(10);
  });
});

describe('model checks at load', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-detect-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function withManifest(change: (m: Record<string, unknown>) => void): Promise<LoadedModel> {
    const m = JSON.parse(readFileSync(defaultManifest, 'utf8')) as Record<string, unknown>;
    change(m);
    const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(m));
    return loadModel(detectorFamilies, file, { searchDirs: [sharedModelsDir, join(defaultManifest, '..')] });
  }

  it('fails when the outputs do not fit the family, naming the output', async () => {
    const wrong = await withManifest((m) => (m.family = 'yolov8'));
    await expect(createDetector(wrong, detectorConfigSchema.parse({}), silentLogger)).rejects.toThrow(
      /output "save_infer_model\/scale_0\.tmp_1" \[1, 2704, 80\] float32 does not fit: family yolov8 with 80 labels/,
    );
  });

  it('fails when the manifest strides do not match the output sizes, naming the output', async () => {
    const wrong = await withManifest((m) => (m.decode = { strides: [8, 16, 32, 128], regMax: 7 }));
    await expect(createDetector(wrong, detectorConfigSchema.parse({}), silentLogger)).rejects.toThrow(
      /output "save_infer_model\/scale_3\.tmp_1" \[1, 49, 80\] float32 does not fit stride 128/,
    );
  });

  it('fails when the input size differs from the manifest, naming the input', async () => {
    const wrong = await withManifest((m) => ((m.input as Record<string, unknown>).width = 320));
    await expect(createDetector(wrong, detectorConfigSchema.parse({}), silentLogger)).rejects.toThrow(
      /input "image" is float32 \[1, 3, 416, 416\]; the manifest expects float32 \[1, 3, 416, 320\]/,
    );
  });

  it('falls back to the CPU with a warning when a configured execution provider is not available here', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const d = await createDetector(model, detectorConfigSchema.parse({ executionProviders: ['cuda'] }), log);
    try {
      expect((await d.detect(images['dog.jpg'])).some((x) => x.label === 'dog')).toBe(true);
      const warn = lines.map((l) => JSON.parse(l) as { level: number; msg: string; providers?: string[] }).find((l) => l.level === 40);
      expect(warn).toMatchObject({ msg: 'execution providers unavailable, falling back to cpu', providers: ['cuda'] });
    } finally {
      await d.close();
    }
  });

  it('rejects a label map key that is not a model label', async () => {
    await expect(createDetector(model, detectorConfigSchema.parse({ labelMap: { cars: 'vehicle' } }), silentLogger)).rejects.toThrow(
      /model\.labelMap: "cars" is not a label of the model/,
    );
  });
});
