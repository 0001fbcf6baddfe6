import { z } from 'zod';
import type { OutputInfo, OutputTensor } from './types.ts';

/** A model output that does not have the layout its manifest's family promises. */
export class OutputLayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputLayoutError';
  }
}

export const showDims = (dims: readonly number[]) => `[${dims.join(', ')}]`;
export const describeOutput = (o: OutputInfo) => `output "${o.name}" ${showDims(o.dims)} ${o.type}`;

/**
 * Rows × columns of an output whose extra leading dimensions are all 1 (a batch of one), or undefined.
 * `[1, 8400, 84]` and `[8400, 84]` both read as 8400 × 84.
 */
export function asMatrix(dims: readonly number[]): [rows: number, cols: number] | undefined {
  if (dims.length < 2 || dims.slice(0, -2).some((d) => d !== 1)) return undefined;
  return [dims[dims.length - 2], dims[dims.length - 1]];
}

/** Length of an output that is a vector with leading 1s (`[1, 300]`, `[300]`), or undefined. */
export function asVector(dims: readonly number[]): number | undefined {
  if (dims.length < 1 || dims.slice(0, -1).some((d) => d !== 1)) return undefined;
  return dims[dims.length - 1];
}

export function floatData(name: string, t: OutputTensor): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new OutputLayoutError(`output "${name}" is ${t.type}; expected float32`);
  return t.data;
}

export function requireFloat(o: OutputInfo): void {
  if (o.type !== 'float32') throw new OutputLayoutError(`${describeOutput(o)}: expected float32 values`);
}

export function output(outputs: Readonly<Record<string, OutputTensor>>, name: string): OutputTensor {
  const t = outputs[name];
  if (!t) throw new OutputLayoutError(`output "${name}" missing from the model run`);
  return t;
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Threshold in logit space, so raw scores can be compared before paying for a sigmoid. */
export function logits(thresholds: Float32Array, into: Float32Array): Float32Array {
  for (let c = 0; c < thresholds.length; c++) {
    const p = thresholds[c];
    into[c] = p <= 0 ? -Infinity : p >= 1 ? Infinity : Math.log(p / (1 - p));
  }
  return into;
}

export function minOf(a: Float32Array): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] < m) m = a[i];
  return m;
}

/**
 * Index of the highest class score that reaches its class threshold, or -1.
 * Scores of anchor `a` are at `data[offset + c * step]` for class c; `floor` is the lowest threshold
 * ({@link minOf}), checked first because almost every score is below it.
 */
export function bestClass(
  data: Float32Array,
  offset: number,
  step: number,
  numClasses: number,
  thresholds: Float32Array,
  floor: number,
): number {
  let best = -1;
  let bestScore = -Infinity;
  for (let c = 0, i = offset; c < numClasses; c++, i += step) {
    const s = data[i];
    if (s >= floor && s >= thresholds[c] && s > bestScore) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}

/** `decode` parameters several families share. */
export const decodeParams = {
  strides: (defaults: string) =>
    z.array(z.number().int().positive()).min(1).optional().describe(`Anchor-grid strides in output order (default ${defaults}).`),
  scoresActivated: () => z.boolean().optional().describe('Class (and objectness) scores already passed through a sigmoid (default true).'),
};
