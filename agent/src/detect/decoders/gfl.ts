import { z } from 'zod';
import type { RawBoxes } from '../raw-boxes.ts';
import {
  asMatrix,
  bestClass,
  decodeParams,
  describeOutput,
  floatData,
  logits,
  minOf,
  OutputLayoutError,
  output,
  requireFloat,
  sigmoid,
} from './common.ts';
import { type DecoderFactory, defineFamily, type OutputInfo, type Outputs } from './types.ts';

interface Level {
  stride: number;
  gridWidth: number;
  anchors: number;
  scoreName: string;
  boxName: string;
  /** Anchor index where this level starts inside its (possibly shared) tensor. */
  first: number;
}

const gflDecode = z.strictObject({
  strides: decodeParams.strides('8, 16, 32, 64'),
  regMax: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('The largest bin index of the box distribution (bins = regMax + 1 per side; default 7).'),
  scoresActivated: decodeParams.scoresActivated(),
});

/**
 * GFL / PicoDet / NanoDet heads: per anchor point, class scores and a distribution over `regMax + 1` bins for each
 * of the four distances to the box edges. Either one score and one box tensor per stride, or one tensor with
 * `[scores | distributions]` per row for all strides (NanoDet-Plus).
 */
const createGflDecoder: DecoderFactory<z.output<typeof gflDecode>> = (outputs, setup) => {
  const C = setup.numClasses;
  const bins = (setup.decode.regMax ?? 7) + 1;
  const boxCols = 4 * bins;
  const activated = setup.decode.scoresActivated ?? true;
  const strides = setup.decode.strides ?? [8, 16, 32, 64];
  const grids = strides.map((s) => ({
    stride: s,
    gridWidth: Math.ceil(setup.inputWidth / s),
    anchors: Math.ceil(setup.inputWidth / s) * Math.ceil(setup.inputHeight / s),
  }));
  const total = grids.reduce((n, g) => n + g.anchors, 0);
  outputs.forEach(requireFloat);
  const expected = `family gfl with ${C} labels, regMax ${bins - 1} and strides ${strides.join(',')} at ${setup.inputWidth}×${setup.inputHeight} expects per stride [1, N, ${C}] class scores and [1, N, ${boxCols}] box distributions (N = ${grids.map((g) => g.anchors).join(', ')}), or one [1, ${total}, ${C + boxCols}] tensor`;

  const levels =
    outputs.length === 1 ? combinedLevels(outputs[0], grids, C + boxCols, expected) : perStrideLevels(outputs, grids, C, boxCols, expected);

  const combined = outputs.length === 1;
  const scoreRow = combined ? C + boxCols : C;
  const boxRow = combined ? C + boxCols : boxCols;
  const boxShift = combined ? C : 0;
  const rawThresholds = new Float32Array(C);
  const dist = new Float64Array(4);

  return {
    decode(outs: Outputs, thresholds: Float32Array, pass: number, out: RawBoxes): void {
      const thr = activated ? thresholds : logits(thresholds, rawThresholds);
      const floor = minOf(thr);
      for (const level of levels) {
        const scores = floatData(level.scoreName, output(outs, level.scoreName));
        const boxes = floatData(level.boxName, output(outs, level.boxName));
        const { stride, gridWidth } = level;
        const centre = (stride - 1) / 2;
        for (let a = 0; a < level.anchors; a++) {
          const row = level.first + a;
          const sOff = row * scoreRow;
          const c = bestClass(scores, sOff, 1, C, thr, floor);
          if (c < 0) continue;
          const score = activated ? scores[sOff + c] : sigmoid(scores[sOff + c]);
          expectedDistances(boxes, row * boxRow + boxShift, bins, dist);
          const cx = (a % gridWidth) * stride + centre;
          const cy = Math.floor(a / gridWidth) * stride + centre;
          out.push(cx - dist[0] * stride, cy - dist[1] * stride, cx + dist[2] * stride, cy + dist[3] * stride, score, c, pass);
        }
      }
    },
  };
};

type Grid = Omit<Level, 'scoreName' | 'boxName' | 'first'>;

/** One tensor for all strides (NanoDet-Plus): each level's anchors follow the previous level's. */
function combinedLevels(o: OutputInfo, grids: readonly Grid[], cols: number, expected: string): Level[] {
  const total = grids.reduce((n, g) => n + g.anchors, 0);
  const m = asMatrix(o.dims);
  if (!m || m[0] !== total || m[1] !== cols) throw new OutputLayoutError(`${describeOutput(o)} does not fit: ${expected}`);
  let first = 0;
  return grids.map((g) => {
    const l = { ...g, scoreName: o.name, boxName: o.name, first };
    first += g.anchors;
    return l;
  });
}

/**
 * A score and a box tensor per stride, told apart by their widths (by their order when the widths are equal);
 * anything else is a layout error naming the output and what was expected.
 */
function perStrideLevels(outputs: readonly OutputInfo[], grids: readonly Grid[], C: number, boxCols: number, expected: string): Level[] {
  const n = grids.length;
  const scoreOuts = C === boxCols ? outputs.slice(0, n) : outputs.filter((o) => asMatrix(o.dims)?.[1] === C);
  const boxOuts = C === boxCols ? outputs.slice(n) : outputs.filter((o) => asMatrix(o.dims)?.[1] === boxCols);
  const stray = outputs.find((o) => !scoreOuts.includes(o) && !boxOuts.includes(o));
  if (stray) throw new OutputLayoutError(`${describeOutput(stray)} does not fit: ${expected}`);
  checkPerStride(scoreOuts, grids, 'class-score', C, expected);
  checkPerStride(boxOuts, grids, 'box-distribution', boxCols, expected);
  return grids.map((g, k) => ({ ...g, scoreName: scoreOuts[k].name, boxName: boxOuts[k].name, first: 0 }));
}

function checkPerStride(list: readonly OutputInfo[], grids: readonly Grid[], what: string, cols: number, expected: string): void {
  if (list.length !== grids.length) {
    throw new OutputLayoutError(
      `the model has ${list.length} ${what} outputs (${list.map((o) => `"${o.name}"`).join(', ') || 'none'}), expected ${grids.length}: ${expected}`,
    );
  }
  list.forEach((o, k) => {
    const m = asMatrix(o.dims);
    if (!m || m[0] !== grids[k].anchors || m[1] !== cols) {
      throw new OutputLayoutError(
        `${describeOutput(o)} does not fit stride ${grids[k].stride}: expected [1, ${grids[k].anchors}, ${cols}] (${expected})`,
      );
    }
  });
}

/** Softmax over each side's bins, then the expected bin index (left, top, right, bottom), in stride units. */
function expectedDistances(data: Float32Array, offset: number, bins: number, into: Float64Array): void {
  for (let side = 0; side < 4; side++) {
    const base = offset + side * bins;
    let max = -Infinity;
    for (let b = 0; b < bins; b++) if (data[base + b] > max) max = data[base + b];
    let sum = 0;
    let weighted = 0;
    for (let b = 0; b < bins; b++) {
      const e = Math.exp(data[base + b] - max);
      sum += e;
      weighted += e * b;
    }
    into[side] = weighted / sum;
  }
}

export const gfl = defineFamily({ name: 'gfl', models: 'PicoDet/NanoDet', decode: gflDecode, create: createGflDecoder });
