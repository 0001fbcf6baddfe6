import { z } from 'zod';
import type { RawBoxes } from '../raw-boxes.ts';
import {
  asMatrix,
  bestClass,
  decodeParams,
  describeOutput,
  floatData,
  minOf,
  OutputLayoutError,
  output,
  requireFloat,
  sigmoid,
} from './common.ts';
import { type DecoderFactory, defineFamily, type OutputInfo, type Outputs } from './types.ts';

/** Where attribute k of anchor a is: data[a * anchorStep + k * attrStep]. */
interface Layout {
  name: string;
  anchorStep: number;
  attrStep: number;
}

/** Accepts `[1, attrs, N]` (Ultralytics' channel-first) and `[1, N, attrs]`; other outputs (e.g. mask prototypes) are not read. */
function bindLayout(outputs: readonly OutputInfo[], attrs: number, expected: string): Layout {
  const o = outputs[0];
  requireFloat(o);
  const m = asMatrix(o.dims);
  if (m && m[1] === attrs) return { name: o.name, anchorStep: attrs, attrStep: 1 };
  if (m && m[0] === attrs) return { name: o.name, anchorStep: 1, attrStep: m[1] };
  throw new OutputLayoutError(`${describeOutput(o)} does not fit: ${expected}`);
}

function anchorsOf(outputs: Outputs, layout: Layout, attrs: number): { data: Float32Array; anchors: number } {
  const data = floatData(layout.name, output(outputs, layout.name));
  return { data, anchors: data.length / attrs };
}

const yolov8Decode = z.strictObject({});
const yolov5Decode = z.strictObject({ scoresActivated: decodeParams.scoresActivated() });
const yoloxDecode = z.strictObject({ strides: decodeParams.strides('8, 16, 32'), scoresActivated: decodeParams.scoresActivated() });

/** Ultralytics YOLOv8 / YOLO11: per anchor cx, cy, w, h in input pixels, then C class scores (no objectness). */
const createYolov8Decoder: DecoderFactory<z.output<typeof yolov8Decode>> = (outputs, setup) => {
  const C = setup.numClasses;
  const attrs = 4 + C;
  const layout = bindLayout(
    outputs,
    attrs,
    `family yolov8 with ${C} labels expects [1, ${attrs}, N] or [1, N, ${attrs}] (cx, cy, w, h, ${C} class scores)`,
  );
  return {
    decode(outs, thresholds, pass, out) {
      const { data, anchors } = anchorsOf(outs, layout, attrs);
      const { anchorStep: as, attrStep: ks } = layout;
      const floor = minOf(thresholds);
      for (let a = 0; a < anchors; a++) {
        const base = a * as;
        const c = bestClass(data, base + 4 * ks, ks, C, thresholds, floor);
        if (c < 0) continue;
        pushCentre(out, data[base], data[base + ks], data[base + 2 * ks], data[base + 3 * ks], data[base + (4 + c) * ks], c, pass);
      }
    },
  };
};

/** YOLOv5 / YOLOv7: per anchor cx, cy, w, h in input pixels, objectness, C class probabilities; score = obj × class. */
const createYolov5Decoder: DecoderFactory<z.output<typeof yolov5Decode>> = (outputs, setup) => {
  const C = setup.numClasses;
  const attrs = 5 + C;
  const activated = setup.decode.scoresActivated ?? true;
  const layout = bindLayout(
    outputs,
    attrs,
    `family yolov5 with ${C} labels expects [1, N, ${attrs}] (cx, cy, w, h, objectness, ${C} class scores)`,
  );
  return {
    decode(outs, thresholds, pass, out) {
      const { data, anchors } = anchorsOf(outs, layout, attrs);
      const { anchorStep: as, attrStep: ks } = layout;
      const floor = minOf(thresholds);
      for (let a = 0; a < anchors; a++) {
        const base = a * as;
        const c = bestObjectClass(data, base, ks, C, thresholds, floor, activated);
        if (c < 0) continue;
        pushCentre(
          out,
          data[base],
          data[base + ks],
          data[base + 2 * ks],
          data[base + 3 * ks],
          scoreOf(data, base, ks, c, activated),
          c,
          pass,
        );
      }
    },
  };
};

/**
 * YOLOX exported without decoding (`decode_in_inference=False`): per grid cell of each stride (row-major, strides in
 * order) tx, ty, tw, th, objectness, C class scores; centre = (t + cell) × stride, size = exp(t) × stride.
 */
const createYoloxDecoder: DecoderFactory<z.output<typeof yoloxDecode>> = (outputs, setup) => {
  const C = setup.numClasses;
  const attrs = 5 + C;
  const activated = setup.decode.scoresActivated ?? true;
  const strides = setup.decode.strides ?? [8, 16, 32];
  const grids = strides.map((s) => ({
    stride: s,
    width: Math.ceil(setup.inputWidth / s),
    cells: Math.ceil(setup.inputWidth / s) * Math.ceil(setup.inputHeight / s),
  }));
  const total = grids.reduce((n, g) => n + g.cells, 0);
  const expected = `family yolox with ${C} labels and strides ${strides.join(',')} at ${setup.inputWidth}×${setup.inputHeight} expects [1, ${total}, ${attrs}] (tx, ty, tw, th, objectness, ${C} class scores per grid cell)`;
  const layout = bindLayout(outputs, attrs, expected);
  const m = asMatrix(outputs[0].dims);
  const anchorsInLayout = layout.anchorStep === 1 ? m?.[1] : m?.[0];
  if (anchorsInLayout !== total) throw new OutputLayoutError(`${describeOutput(outputs[0])} does not fit: ${expected}`);
  return {
    decode(outs, thresholds, pass, out) {
      const { data } = anchorsOf(outs, layout, attrs);
      const { anchorStep: as, attrStep: ks } = layout;
      const floor = minOf(thresholds);
      let a = 0;
      for (const g of grids) {
        for (let cell = 0; cell < g.cells; cell++, a++) {
          const base = a * as;
          const c = bestObjectClass(data, base, ks, C, thresholds, floor, activated);
          if (c < 0) continue;
          const cx = (data[base] + (cell % g.width)) * g.stride;
          const cy = (data[base + ks] + Math.floor(cell / g.width)) * g.stride;
          pushCentre(
            out,
            cx,
            cy,
            Math.exp(data[base + 2 * ks]) * g.stride,
            Math.exp(data[base + 3 * ks]) * g.stride,
            scoreOf(data, base, ks, c, activated),
            c,
            pass,
          );
        }
      }
    },
  };
};

function pushCentre(out: RawBoxes, cx: number, cy: number, w: number, h: number, score: number, c: number, pass: number): void {
  out.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, c, pass);
}

const act = (v: number, activated: boolean) => (activated ? v : sigmoid(v));

function scoreOf(data: Float32Array, base: number, ks: number, c: number, activated: boolean): number {
  return act(data[base + 4 * ks], activated) * act(data[base + (5 + c) * ks], activated);
}

/** Best class by objectness × class score among those reaching their threshold; -1 when none does. */
function bestObjectClass(
  data: Float32Array,
  base: number,
  ks: number,
  C: number,
  thresholds: Float32Array,
  floor: number,
  activated: boolean,
): number {
  const obj = act(data[base + 4 * ks], activated);
  // Class scores are at most 1, so a low objectness rules the anchor out before any class is read.
  if (obj < floor) return -1;
  let best = -1;
  let bestScore = -Infinity;
  for (let c = 0, i = base + 5 * ks; c < C; c++, i += ks) {
    const s = obj * act(data[i], activated);
    if (s >= thresholds[c] && s > bestScore) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}

export const yolov8 = defineFamily({ name: 'yolov8', decode: yolov8Decode, create: createYolov8Decoder });
export const yolov5 = defineFamily({ name: 'yolov5', decode: yolov5Decode, create: createYolov5Decoder });
export const yolox = defineFamily({ name: 'yolox', decode: yoloxDecode, create: createYoloxDecoder });
