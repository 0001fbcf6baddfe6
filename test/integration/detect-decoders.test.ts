import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { type DetectorConfig, detectorConfigSchema } from '../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../agent/src/detect/decoders/index.ts';
import { createDetector } from '../../agent/src/detect/detector.ts';
import type { Detection, Detector } from '../../agent/src/detect/types.ts';
import type { LoadedModel } from '../../agent/src/model/load.ts';
import { modelManifestSchema } from '../../agent/src/model/manifest.ts';
import { type ConstantModelSpec, constantModel } from '../helpers/onnx-builder.ts';

// Tiny ONNX models with fixed outputs, built here: known outputs → known boxes. The models take a 64×64 input;
// the frames are 128×64, so the letterbox scale is 0.5 (content 64×32 at the top, padding below) and every
// model-input coordinate doubles in the frame.
const LABELS = ['person', 'car'];
const FRAME: RgbImage = { data: new Uint8Array(128 * 64 * 3).fill(90), width: 128, height: 64 };
const NEG = -Infinity;

let dir: string;
const open: Detector[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-decoders-'));
});
afterAll(async () => {
  await Promise.all(open.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function detector(
  family: string,
  spec: ConstantModelSpec,
  extra: { decode?: object; input?: object; cfg?: Partial<DetectorConfig>; labels?: string[] } = {},
): Promise<Detector> {
  const modelPath = join(dir, `${family}-${open.length}-${Math.random().toString(36).slice(2)}.onnx`);
  writeFileSync(modelPath, constantModel(spec));
  const manifest = modelManifestSchema(detectorFamilies).parse({
    name: `tiny-${family}`,
    file: modelPath,
    sha256: '0'.repeat(64),
    size: 1,
    licence: 'test',
    family,
    input: { width: 64, height: 64, colorOrder: 'rgb', mean: [0, 0, 0], std: [1, 1, 1], ...extra.input },
    decode: extra.decode ?? {},
    labels: { file: 'labels.txt' },
  });
  const model: LoadedModel = { manifest, modelPath, labels: extra.labels ?? LABELS, sha256: '0'.repeat(64) };
  // The fixtures put decoys just under 0.4: the threshold is part of what these tests pin down.
  const d = await createDetector(model, detectorConfigSchema.parse({ scoreThreshold: 0.4, ...extra.cfg }), silentLogger);
  open.push(d);
  return d;
}

const boxes = (dets: Detection[]) => dets.map((d) => ({ label: d.label, score: d.score, box: [d.box.x1, d.box.y1, d.box.x2, d.box.y2] }));

/** Expects exactly these detections, in score order, boxes to 1/1000 pixel. */
function expectDetections(dets: Detection[], want: { label: string; score: number; box: number[] }[]): void {
  expect(dets.map((d) => d.label)).toEqual(want.map((w) => w.label));
  dets.forEach((d, i) => {
    expect(d.score).toBeCloseTo(want[i].score, 5);
    [d.box.x1, d.box.y1, d.box.x2, d.box.y2].forEach((v, k) =>
      expect(v, `detection ${i} coordinate ${k}: ${JSON.stringify(boxes(dets))}`).toBeCloseTo(want[i].box[k], 3),
    );
  });
}

describe('gfl (PicoDet / NanoDet)', () => {
  // Strides 8 and 16 at 64×64: 8×8 = 64 and 4×4 = 16 anchor points; regMax 3 → 4 bins per side.
  const bins = 4;
  const scores8 = new Float32Array(64 * 2);
  const scores16 = new Float32Array(16 * 2);
  const dist8 = new Float32Array(64 * 4 * bins).fill(NEG);
  const dist16 = new Float32Array(16 * 4 * bins).fill(NEG);
  /** One-hot logits put the distance exactly on a bin; two equal logits put it half-way between them. */
  function setDist(d: Float32Array, anchor: number, sides: number[][]): void {
    sides.forEach((hot, side) => hot.forEach((b) => (d[(anchor * 4 + side) * bins + b] = 0)));
  }
  for (let a = 0; a < 64; a++) setDist(dist8, a, [[0], [0], [0], [0]]);
  for (let a = 0; a < 16; a++) setDist(dist16, a, [[0], [0], [0], [0]]);
  // Stride 8, cell (3, 2): centre (3·8 + 3.5, 2·8 + 3.5) = (27.5, 19.5); distances 2, 1, 1.5, 1 bins × 8.
  const A = 2 * 8 + 3;
  scores8[A * 2 + 1] = 0.9;
  dist8.fill(NEG, A * 4 * bins, (A + 1) * 4 * bins);
  setDist(dist8, A, [[2], [1], [1, 2], [1]]);
  // Its neighbour (4, 2) sees nearly the same car, lower: NMS removes it.
  const B = 2 * 8 + 4;
  scores8[B * 2 + 1] = 0.8;
  dist8.fill(NEG, B * 4 * bins, (B + 1) * 4 * bins);
  setDist(dist8, B, [[3], [1], [1], [1]]);
  // The same place as a person: another class, so NMS keeps it.
  const P = 2 * 8 + 2;
  scores8[P * 2] = 0.6;
  // Below the 0.4 threshold.
  scores8[5 * 2] = 0.39;
  // Stride 16, cell (1, 1): centre (16 + 7.5, 16 + 7.5) = (23.5, 23.5); distances 1, 1, 1, 0 bins × 16.
  scores16[5 * 2] = 0.7;
  dist16.fill(NEG, 5 * 4 * bins, 6 * 4 * bins);
  setDist(dist16, 5, [[1], [1], [1], [0]]);
  const decode = { strides: [8, 16], regMax: 3 };
  // Model boxes (11.5, 11.5)–(39.5, 27.5) and (7.5, 7.5)–(39.5, 23.5), doubled into the frame.
  const expected = [
    { label: 'car', score: 0.9, box: [23, 23, 79, 55] },
    { label: 'person', score: 0.7, box: [15, 15, 79, 47] },
  ];

  it('decodes per-stride score and distribution tensors, undoes the letterbox, applies NMS per class', async () => {
    const d = await detector(
      'gfl',
      {
        outputs: [
          { name: 's8', dims: [1, 64, 2], data: scores8 },
          { name: 's16', dims: [1, 16, 2], data: scores16 },
          { name: 'd8', dims: [1, 64, 16], data: dist8 },
          { name: 'd16', dims: [1, 16, 16], data: dist16 },
        ],
      },
      { decode },
    );
    // The person at anchor P has all distances 0: a box without area, dropped.
    expectDetections(await d.detect(FRAME), expected);
  });

  it('refuses at start a manifest that trims the padding of a model whose outputs do not follow its height', async () => {
    const spec = {
      outputs: [
        { name: 's8', dims: [1, 64, 2], data: scores8 },
        { name: 's16', dims: [1, 16, 2], data: scores16 },
        { name: 'd8', dims: [1, 64, 16], data: dist8 },
        { name: 'd16', dims: [1, 16, 16], data: dist16 },
      ],
    };
    await expect(detector('gfl', spec, { decode, input: { trimPaddingTo: 32 } })).rejects.toThrow(
      /input\.trimPaddingTo is 32, but the model does not run 64×32 inputs as it runs 64×64: .*\[1, 64, 2\].*remove input\.trimPaddingTo/,
    );
    // Without it the same model serves, padding and all.
    expectDetections(await (await detector('gfl', spec, { decode })).detect(FRAME), expected);
  });

  it('decodes the NanoDet-Plus single tensor [scores | distributions] the same way', async () => {
    const rows = new Float32Array(80 * (2 + 16));
    const copy = (scores: Float32Array, dist: Float32Array, first: number, n: number) => {
      for (let a = 0; a < n; a++) {
        rows.set(scores.subarray(a * 2, a * 2 + 2), (first + a) * 18);
        rows.set(dist.subarray(a * 16, a * 16 + 16), (first + a) * 18 + 2);
      }
    };
    copy(scores8, dist8, 0, 64);
    copy(scores16, dist16, 64, 16);
    const d = await detector('gfl', { outputs: [{ name: 'out', dims: [1, 80, 18], data: rows }] }, { decode });
    expectDetections(await d.detect(FRAME), expected);
  });

  it('applies the sigmoid itself when the manifest says scores are logits', async () => {
    const logit = (p: number) => Math.log(p / (1 - p));
    const l8 = scores8.map((p) => (p === 0 ? -20 : logit(p)));
    const l16 = scores16.map((p) => (p === 0 ? -20 : logit(p)));
    const d = await detector(
      'gfl',
      {
        outputs: [
          { name: 's8', dims: [1, 64, 2], data: l8 },
          { name: 's16', dims: [1, 16, 2], data: l16 },
          { name: 'd8', dims: [1, 64, 16], data: dist8 },
          { name: 'd16', dims: [1, 16, 16], data: dist16 },
        ],
      },
      { decode: { ...decode, scoresActivated: false } },
    );
    expectDetections(await d.detect(FRAME), expected);
  });

  it('names the output whose size does not fit the strides', async () => {
    await expect(
      detector(
        'gfl',
        {
          outputs: [
            { name: 's8', dims: [1, 64, 2], data: scores8 },
            { name: 's16', dims: [1, 16, 2], data: scores16 },
            { name: 'd8', dims: [1, 64, 16], data: dist8 },
            { name: 'd16', dims: [1, 16, 16], data: dist16 },
          ],
        },
        { decode: { strides: [8, 32], regMax: 3 } },
      ),
    ).rejects.toThrow(/output "s16" \[1, 16, 2\] float32 does not fit stride 32: expected \[1, 4, 2\]/);
  });
});

describe('yolov8 / yolo11', () => {
  // Anchors: (cx, cy, w, h) = (20, 20, 10, 10) person 0.9; (21, 20, 10, 10) person 0.7 (a duplicate);
  // (40, 10, 8, 16) car 0.5; (5, 5, 4, 4) car 0.3 (below threshold).
  const anchors = [
    [20, 20, 10, 10, 0.9, 0.1],
    [21, 20, 10, 10, 0.7, 0.2],
    [40, 10, 8, 16, 0.05, 0.5],
    [5, 5, 4, 4, 0.0, 0.3],
  ];
  const want = [
    { label: 'person', score: 0.9, box: [30, 30, 50, 50] },
    { label: 'car', score: 0.5, box: [72, 4, 88, 36] },
  ];

  it('decodes the channel-first [1, 4 + C, N] output', async () => {
    const data = new Float32Array(6 * 4);
    anchors.forEach((a, i) => a.forEach((v, k) => (data[k * 4 + i] = v)));
    const d = await detector('yolov8', { outputs: [{ name: 'output0', dims: [1, 6, 4], data }] });
    expectDetections(await d.detect(FRAME), want);
  });

  it('decodes the transposed [1, N, 4 + C] output', async () => {
    const d = await detector('yolov8', { outputs: [{ name: 'output0', dims: [1, 4, 6], data: Float32Array.from(anchors.flat()) }] });
    expectDetections(await d.detect(FRAME), want);
  });

  it('applies per-class thresholds by label', async () => {
    const data = Float32Array.from(anchors.flat());
    const d = await detector(
      'yolov8',
      { outputs: [{ name: 'output0', dims: [1, 4, 6], data }] },
      { cfg: { classThresholds: { car: 0.6 } } },
    );
    expectDetections(await d.detect(FRAME), want.slice(0, 1));
  });

  it('names the output when its width is not 4 + C', async () => {
    await expect(detector('yolov8', { outputs: [{ name: 'output0', dims: [1, 7, 4], data: new Float32Array(28) }] })).rejects.toThrow(
      /output "output0" \[1, 7, 4\] float32 does not fit: family yolov8 with 2 labels expects \[1, 6, N\] or \[1, N, 6\]/,
    );
  });
});

describe('yolov5', () => {
  it('scores objectness × class and drops anchors whose product is under the threshold', async () => {
    const rows = [
      [20, 20, 10, 10, 0.8, 0.9, 0.1],
      [40, 10, 8, 16, 0.3, 0.1, 1.0],
      [10, 10, 4, 4, 0.9, 0.2, 0.5],
    ];
    const d = await detector('yolov5', { outputs: [{ name: 'output', dims: [1, 3, 7], data: Float32Array.from(rows.flat()) }] });
    expectDetections(await d.detect(FRAME), [
      { label: 'person', score: 0.8 * 0.9, box: [30, 30, 50, 50] },
      { label: 'car', score: 0.45, box: [16, 16, 24, 24] },
    ]);
  });
});

describe('yolox', () => {
  it('decodes raw grid outputs per stride: centre = (t + cell) × stride, size = exp(t) × stride', async () => {
    // Strides 8, 16, 32 at 64×64: 64 + 16 + 4 = 84 cells. Cell (1, 2) of stride 16 is row 64 + 2·4 + 1 = 73.
    const data = new Float32Array(84 * 7);
    const r = 73 * 7;
    data.set([0.5, 0.25, Math.log(2), 0, 0.9, 0.2, 0.8], r);
    const d = await detector('yolox', { outputs: [{ name: 'output', dims: [1, 84, 7], data }] }, { input: { padValue: 114 } });
    // centre (24, 36), size 32 × 16 → model box (8, 28)–(40, 44) → frame ×2; clipped to the 128×64 frame.
    expectDetections(await d.detect(FRAME), [{ label: 'car', score: 0.72, box: [16, 56, 80, 64] }]);
  });

  it('names the output when its row count does not match the strides', async () => {
    await expect(detector('yolox', { outputs: [{ name: 'output', dims: [1, 80, 7], data: new Float32Array(80 * 7) }] })).rejects.toThrow(
      /output "output" \[1, 80, 7\] float32 does not fit: family yolox with 2 labels and strides 8,16,32 at 64×64 expects \[1, 84, 7\]/,
    );
  });
});

describe('end2end (NMS inside the model)', () => {
  it('reads [1, N, 6] rows x1 y1 x2 y2 score class (YOLOv10), skipping padding rows', async () => {
    const rows = [
      [10, 4, 30, 20, 0.9, 1],
      [0, 0, 0, 0, 0, -1],
      [40, 10, 60, 30, 0.2, 0],
      [2, 2, 12, 12, 0.6, 0],
    ];
    const d = await detector('end2end', { outputs: [{ name: 'output0', dims: [1, 4, 6], data: Float32Array.from(rows.flat()) }] });
    expectDetections(await d.detect(FRAME), [
      { label: 'car', score: 0.9, box: [20, 8, 60, 40] },
      { label: 'person', score: 0.6, box: [4, 4, 24, 24] },
    ]);
  });

  it('reads PaddleDetection rows (class score x1 y1 x2 y2) limited by the detection count', async () => {
    const rows = [
      [1, 0.9, 10, 4, 30, 20],
      [0, 0.8, 2, 2, 12, 12],
    ];
    const d = await detector(
      'end2end',
      {
        outputs: [
          { name: 'boxes', dims: [2, 6], data: Float32Array.from(rows.flat()) },
          { name: 'num_dets', dims: [1], data: BigInt64Array.from([1n]) },
        ],
      },
      { decode: { rowOrder: 'class_score_box' } },
    );
    expectDetections(await d.detect(FRAME), [{ label: 'car', score: 0.9, box: [20, 8, 60, 40] }]);
  });

  it('reads D-FINE style boxes, scores and int64 labels, normalised cx cy w h, with the size input fed', async () => {
    const d = await detector(
      'end2end',
      {
        extraInputs: [{ name: 'orig_target_sizes', dims: [1, 2], type: 'int64' }],
        outputs: [
          { name: 'labels', dims: [1, 2], data: BigInt64Array.from([0n, 1n]) },
          { name: 'boxes', dims: [1, 2, 4], data: Float32Array.from([0.25, 0.25, 0.25, 0.125, 0.5, 0.375, 0.5, 0.25]) },
          { name: 'scores', dims: [1, 2], data: Float32Array.from([0.5, 0.95]) },
        ],
      },
      { decode: { boxFormat: 'cxcywh', normalizedBoxes: true, sizeInput: 'orig_target_sizes' } },
    );
    // Model pixels: person centre (16, 16) size 16×8; car centre (32, 24) size 32×16.
    expectDetections(await d.detect(FRAME), [
      { label: 'car', score: 0.95, box: [32, 32, 96, 64] },
      { label: 'person', score: 0.5, box: [16, 24, 48, 40] },
    ]);
  });

  it('reads an [1, N, 4 + C] box + class-score tensor (Ultralytics RT-DETR), best class per row', async () => {
    const rows = [
      [0.25, 0.25, 0.25, 0.125, 0.1, 0.85, 0.3],
      [0.5, 0.5, 0.1, 0.1, 0.1, 0.2, 0.3],
    ];
    const d = await detector(
      'end2end',
      { outputs: [{ name: 'output0', dims: [1, 2, 7], data: Float32Array.from(rows.flat()) }] },
      { decode: { boxFormat: 'cxcywh', normalizedBoxes: true }, labels: ['person', 'car', 'bus'] },
    );
    expectDetections(await d.detect(FRAME), [{ label: 'car', score: 0.85, box: [16, 24, 48, 40] }]);
  });

  it('fails on a class id beyond the labels file, naming the output', async () => {
    const d = await detector('end2end', { outputs: [{ name: 'output0', dims: [1, 1, 6], data: Float32Array.from([1, 1, 5, 5, 0.9, 7]) }] });
    await expect(d.detect(FRAME)).rejects.toThrow(/output "output0" gives class id 7, but the labels file has 2 labels/);
  });
});

describe('inputs', () => {
  const yolo = { outputs: [{ name: 'output0', dims: [1, 1, 6], data: Float32Array.from([20, 20, 10, 10, 0.9, 0]) }] };

  it('accepts a model with dynamic input dimensions and runs it at the manifest size', async () => {
    const d = await detector('yolov8', { ...yolo, input: { dims: ['batch', 3, 'height', 'width'] } });
    expectDetections(await d.detect(FRAME), [{ label: 'person', score: 0.9, box: [30, 30, 50, 50] }]);
  });

  it('fails at load on an input the manifest does not describe, naming it', async () => {
    await expect(detector('yolov8', { ...yolo, extraInputs: [{ name: 'scale_factor', dims: [1, 2], type: 'float32' }] })).rejects.toThrow(
      /the model has an input "scale_factor" the manifest does not describe/,
    );
  });

  it('fails at load when the input is not [1, 3, H, W], naming it', async () => {
    await expect(detector('yolov8', { ...yolo, input: { dims: [1, 64, 64, 3] } })).rejects.toThrow(
      /input "image" is float32 \[1, 64, 64, 3\]; the manifest expects float32 \[1, 3, 64, 64\]/,
    );
  });
});
