import { z } from 'zod';
import type { RawBoxes } from '../raw-boxes.ts';
import { asMatrix, asVector, bestClass, describeOutput, minOf, OutputLayoutError, output } from './common.ts';
import { type DecoderFactory, defineFamily, type OutputInfo, type Outputs, type OutputTensor } from './types.ts';

const end2endDecode = z.strictObject({
  boxFormat: z.enum(['xyxy', 'cxcywh']).optional().describe('How boxes are written (default xyxy).'),
  normalizedBoxes: z.boolean().optional().describe('Boxes are fractions of the input size instead of pixels.'),
  rowOrder: z
    .enum(['box_score_class', 'class_score_box'])
    .optional()
    .describe('Single-tensor [N, 6] rows: box_score_class (YOLOv10, Ultralytics nms=True; default) or class_score_box (PaddleDetection).'),
  sizeInput: z
    .string()
    .min(1)
    .optional()
    .describe('An extra int64 input fed the input size [[width, height]] (D-FINE / RT-DETR orig_target_sizes).'),
});
type End2endDecode = z.output<typeof end2endDecode>;

type Numeric = Float32Array | Float64Array | Int32Array | BigInt64Array;

/** Boxes already filtered by the model (NMS inside, or a set-prediction head such as RT-DETR / D-FINE). */
type Plan =
  | { kind: 'rows'; name: string; box: number; score: number; cls: number }
  | { kind: 'classScores'; name: string; boxName?: string }
  | { kind: 'split'; boxName: string; scoreName: string; labelName: string };

/**
 * End-to-end exports. Accepted layouts:
 * - one `[1, N, 6]` tensor of rows (`decode.rowOrder`: x1 y1 x2 y2 score class — YOLOv10, Ultralytics nms=True —
 *   or class score x1 y1 x2 y2 — PaddleDetection);
 * - one `[1, N, 4 + C]` tensor: box then per-class scores (Ultralytics RT-DETR);
 * - `[1, N, 4]` boxes with `[1, N]` scores and `[1, N]` labels (D-FINE, RT-DETR, TensorRT-style NMS), or with
 *   `[1, N, C]` class scores;
 * plus optionally a one-element detection count (`num_dets`), which limits the rows read.
 * Box format and units come from `decode.boxFormat` / `decode.normalizedBoxes`.
 */
const createEnd2endDecoder: DecoderFactory<End2endDecode> = (outputs, setup) => {
  const C = setup.numClasses;
  const countOut = outputs.find((o) => o.dims.length > 0 && o.dims.every((d) => d === 1));
  const rest = outputs.filter((o) => o !== countOut);
  const plan = bindPlan(rest, C, setup.decode.rowOrder ?? 'box_score_class');
  const cxcywh = setup.decode.boxFormat === 'cxcywh';
  const sx = setup.decode.normalizedBoxes ? setup.inputWidth : 1;
  const sy = setup.decode.normalizedBoxes ? setup.inputHeight : 1;

  const pushBox = (out: RawBoxes, data: Numeric, at: number, score: number, c: number, pass: number) => {
    const a = num(data, at) * sx;
    const b = num(data, at + 1) * sy;
    const w = num(data, at + 2) * sx;
    const h = num(data, at + 3) * sy;
    if (cxcywh) out.push(a - w / 2, b - h / 2, a + w / 2, b + h / 2, score, c, pass);
    else out.push(a, b, w, h, score, c, pass);
  };
  const checkClass = (c: number, name: string) => {
    if (c >= C) throw new OutputLayoutError(`output "${name}" gives class id ${c}, but the labels file has ${C} labels (ids 0–${C - 1})`);
  };

  return {
    decode(outs: Outputs, thresholds: Float32Array, pass: number, out: RawBoxes): void {
      const limit = countOut ? num(numeric(countOut.name, output(outs, countOut.name)), 0) : Infinity;
      if (plan.kind === 'rows') {
        const t = output(outs, plan.name);
        const data = numeric(plan.name, t);
        const cols = t.dims[t.dims.length - 1];
        const rows = Math.min(limit, data.length / cols);
        for (let r = 0; r < rows; r++) {
          const base = r * cols;
          const c = Math.round(num(data, base + plan.cls));
          const score = num(data, base + plan.score);
          if (c < 0) continue;
          checkClass(c, plan.name);
          if (score >= thresholds[c]) pushBox(out, data, base + plan.box, score, c, pass);
        }
      } else if (plan.kind === 'classScores') {
        const data = floatOf(plan.name, output(outs, plan.name));
        const boxes = plan.boxName ? numeric(plan.boxName, output(outs, plan.boxName)) : data;
        const stride = plan.boxName ? C : 4 + C;
        const scoreShift = plan.boxName ? 0 : 4;
        const boxStride = plan.boxName ? 4 : 4 + C;
        const rows = Math.min(limit, data.length / stride);
        const floor = minOf(thresholds);
        for (let r = 0; r < rows; r++) {
          const c = bestClass(data, r * stride + scoreShift, 1, C, thresholds, floor);
          if (c >= 0) pushBox(out, boxes, r * boxStride, data[r * stride + scoreShift + c], c, pass);
        }
      } else {
        const boxes = numeric(plan.boxName, output(outs, plan.boxName));
        const scores = numeric(plan.scoreName, output(outs, plan.scoreName));
        const labels = numeric(plan.labelName, output(outs, plan.labelName));
        const rows = Math.min(limit, scores.length, labels.length, boxes.length / 4);
        for (let r = 0; r < rows; r++) {
          const c = Math.round(num(labels, r));
          if (c < 0) continue;
          checkClass(c, plan.labelName);
          const score = num(scores, r);
          if (score >= thresholds[c]) pushBox(out, boxes, r * 4, score, c, pass);
        }
      }
    },
  };
};

function bindPlan(outs: readonly OutputInfo[], C: number, rowOrder: NonNullable<End2endDecode['rowOrder']>): Plan {
  const expected = `family end2end with ${C} labels expects one [1, N, 6] row tensor, one [1, N, ${4 + C}] box + class-score tensor, or [1, N, 4] boxes with [1, N] scores and [1, N] labels (or [1, N, ${C}] class scores)`;
  const unsupported = outs.find((o) => !['float32', 'float64', 'int32', 'int64'].includes(o.type));
  if (unsupported) throw new OutputLayoutError(`${describeOutput(unsupported)}: expected float32, float64, int32 or int64 values`);
  if (outs.length === 1) {
    const [o] = outs;
    const cols = asMatrix(o.dims)?.[1];
    if (cols === 6)
      return rowOrder === 'box_score_class'
        ? { kind: 'rows', name: o.name, box: 0, score: 4, cls: 5 }
        : { kind: 'rows', name: o.name, box: 2, score: 1, cls: 0 };
    if (cols === 4 + C) return { kind: 'classScores', name: o.name };
    throw new OutputLayoutError(`${describeOutput(o)} does not fit: ${expected}`);
  }
  const boxes = outs.filter((o) => asMatrix(o.dims)?.[1] === 4 && o.dims.length >= 3);
  if (boxes.length !== 1) {
    const culprit = boxes[1] ?? outs[0];
    throw new OutputLayoutError(`${describeOutput(culprit)}: cannot tell which output holds the boxes: ${expected}`);
  }
  const others = outs.filter((o) => o !== boxes[0]);
  if (others.length === 1 && asMatrix(others[0].dims)?.[1] === C && others[0].dims.length >= 3) {
    return { kind: 'classScores', name: others[0].name, boxName: boxes[0].name };
  }
  const vectors = others.filter((o) => asVector(o.dims) !== undefined);
  const stray = others.find((o) => !vectors.includes(o));
  if (stray || vectors.length !== 2) throw new OutputLayoutError(`${describeOutput(stray ?? others[0])} does not fit: ${expected}`);
  const isLabel = (o: OutputInfo) => /label|class|cls/i.test(o.name) || (o.type.startsWith('int') && !/score|conf|prob/i.test(o.name));
  const labels = vectors.filter(isLabel);
  if (labels.length !== 1) {
    throw new OutputLayoutError(
      `outputs "${vectors[0].name}" and "${vectors[1].name}": cannot tell scores from labels (name one "labels"/"classes" or make it an integer tensor): ${expected}`,
    );
  }
  const scores = vectors.find((o) => o !== labels[0]) as OutputInfo;
  return { kind: 'split', boxName: boxes[0].name, scoreName: scores.name, labelName: labels[0].name };
}

function numeric(name: string, t: OutputTensor): Numeric {
  const d = t.data;
  if (d instanceof Float32Array || d instanceof Float64Array || d instanceof Int32Array || d instanceof BigInt64Array) return d;
  throw new OutputLayoutError(`output "${name}" is ${t.type}; expected float32, float64, int32 or int64 values`);
}

function floatOf(name: string, t: OutputTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  throw new OutputLayoutError(`output "${name}" is ${t.type}; expected float32 class scores`);
}

const num = (data: Numeric, i: number): number => Number(data[i]);

export const end2end = defineFamily({
  name: 'end2end',
  decode: end2endDecode,
  create: createEnd2endDecoder,
  sizeInput: (decode) => decode.sizeInput,
  check: (m) =>
    m.input.trimPaddingTo === undefined
      ? []
      : [
          {
            path: ['input', 'trimPaddingTo'],
            message: 'expected no trimPaddingTo for family end2end (its transformer fixes the input size)',
          },
        ],
});
