import { type Box, iou } from '../core/geometry.ts';
import type { Quad } from './rectify.ts';

/** One plate the detector found, in image pixels. */
export interface PlateDetection {
  box: Box;
  corners: Quad;
  rows: 1 | 2;
  /** Objectness × the winning row-class score, 0..1. */
  score: number;
}

/** Where the model input came from: input pixel = (image pixel − origin) × scale. */
export interface InputPlacement {
  originX: number;
  originY: number;
  scaleX: number;
  scaleY: number;
}

export interface PlateDecodeOptions {
  /** Objectness needed before a row is looked at (HyperLPR3: 0.25). */
  objectness: number;
  /** Final score needed to keep a plate. */
  minScore: number;
  /** Overlap above which the weaker of two plates is dropped (HyperLPR3: 0.5). */
  iou: number;
}

export const defaultPlateDecodeOptions: PlateDecodeOptions = { objectness: 0.25, minScore: 0.4, iou: 0.5 };

/** Values per anchor row of y5fu's `output` [1, N, 15]. */
export const PLATE_ROW = 15;

/**
 * Decodes y5fu (HyperLPR3's YOLOv5 plate detector) rows, as its own post-processing reads them
 * (hyperlpr3/inference/multitask_detect.py): cx, cy, w, h in input pixels; objectness (already sigmoid);
 * the four corners x, y in input pixels, top-left, top-right, bottom-right, bottom-left (typedef.Plate);
 * two class scores, single row (MONO = 0) and double row (DOUBLE = 1), multiplied by objectness.
 * Then class-agnostic NMS, and back to image pixels.
 */
export function decodePlates(
  out: Float32Array,
  placement: InputPlacement,
  opts: PlateDecodeOptions = defaultPlateDecodeOptions,
): PlateDetection[] {
  if (out.length % PLATE_ROW !== 0)
    throw new Error(`plate detector output has ${out.length} values, not a whole number of ${PLATE_ROW}-value rows`);
  const { originX, originY, scaleX, scaleY } = placement;
  const toX = (v: number) => originX + v / scaleX;
  const toY = (v: number) => originY + v / scaleY;
  const found: PlateDetection[] = [];
  for (let o = 0; o < out.length; o += PLATE_ROW) {
    const obj = out[o + 4];
    if (!(obj > opts.objectness)) continue;
    const single = out[o + 13] * obj;
    const double = out[o + 14] * obj;
    const score = Math.max(single, double);
    if (score < opts.minScore) continue;
    const cx = out[o];
    const cy = out[o + 1];
    const hw = out[o + 2] / 2;
    const hh = out[o + 3] / 2;
    found.push({
      box: { x1: toX(cx - hw), y1: toY(cy - hh), x2: toX(cx + hw), y2: toY(cy + hh) },
      corners: [
        [toX(out[o + 5]), toY(out[o + 6])],
        [toX(out[o + 7]), toY(out[o + 8])],
        [toX(out[o + 9]), toY(out[o + 10])],
        [toX(out[o + 11]), toY(out[o + 12])],
      ],
      rows: double > single ? 2 : 1,
      score,
    });
  }
  return nms(found, opts.iou);
}

function nms(dets: PlateDetection[], threshold: number): PlateDetection[] {
  dets.sort((a, b) => b.score - a.score);
  const kept: PlateDetection[] = [];
  for (const d of dets) if (kept.every((k) => iou(k.box, d.box) <= threshold)) kept.push(d);
  return kept;
}
