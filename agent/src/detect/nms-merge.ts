import type { ClassPlan } from './classes.ts';
import type { RawBoxes } from './raw-boxes.ts';
import type { Detection, DetectionWindow } from './types.ts';

/** One model run: the frame rectangle it saw and its frame-pixel size of one model-input pixel. */
export interface Pass {
  window: DetectionWindow;
  /** Frame pixels per model-input pixel (both axes' larger value). */
  pixel: number;
}

export interface SelectOptions {
  nmsIou: number;
  maxDetections: number;
  /** Box area bounds in frame pixels². */
  minArea: number;
  maxArea: number;
}

/** A box this close to a window edge that lies inside the frame (in model-input pixels) is taken as cut by it. */
const EDGE_TOLERANCE = 2;
/** A cut box mostly inside an uncut box of the same label from another pass is that object, seen whole elsewhere. */
const CUT_COVERED = 0.5;

/**
 * Merges candidates from every pass (in frame pixels): area bounds, then greedy NMS per domain label (so `car` and
 * `truck` mapped to `vehicle` suppress each other). Boxes cut by a window edge rank after uncut ones and are
 * dropped when an uncut box from another pass covers most of them.
 */
export function selectDetections(
  c: RawBoxes,
  plan: ClassPlan,
  passes: readonly Pass[],
  frameWidth: number,
  frameHeight: number,
  opts: SelectOptions,
): Detection[] {
  const order: number[] = [];
  const cut = new Uint8Array(c.length);
  for (let i = 0; i < c.length; i++) {
    const area = (c.x2[i] - c.x1[i]) * (c.y2[i] - c.y1[i]);
    if (!(area > 0) || area < opts.minArea || area > opts.maxArea) continue;
    cut[i] = isCut(c, i, passes[c.pass[i]], frameWidth, frameHeight) ? 1 : 0;
    order.push(i);
  }
  order.sort((a, b) => cut[a] - cut[b] || c.score[b] - c.score[a]);

  const kept: number[] = [];
  const suppressed = new Uint8Array(c.length);
  for (let oi = 0; oi < order.length; oi++) {
    const i = order[oi];
    if (suppressed[i]) continue;
    kept.push(i);
    const g = plan.group[c.classId[i]];
    for (let oj = oi + 1; oj < order.length; oj++) {
      const j = order[oj];
      if (suppressed[j] || plan.group[c.classId[j]] !== g) continue;
      const inter = intersection(c, i, j);
      if (inter <= 0) continue;
      const areaJ = (c.x2[j] - c.x1[j]) * (c.y2[j] - c.y1[j]);
      const areaI = (c.x2[i] - c.x1[i]) * (c.y2[i] - c.y1[i]);
      const iou = inter / (areaI + areaJ - inter);
      const coveredCut = cut[j] === 1 && cut[i] === 0 && c.pass[j] !== c.pass[i] && inter / areaJ >= CUT_COVERED;
      if (iou > opts.nmsIou || coveredCut) suppressed[j] = 1;
    }
  }

  kept.sort((a, b) => c.score[b] - c.score[a]);
  return kept.slice(0, opts.maxDetections).map((i) => ({
    box: {
      x1: clamp(c.x1[i], 0, frameWidth),
      y1: clamp(c.y1[i], 0, frameHeight),
      x2: clamp(c.x2[i], 0, frameWidth),
      y2: clamp(c.y2[i], 0, frameHeight),
    },
    score: c.score[i],
    classId: c.classId[i],
    label: plan.labels[c.classId[i]],
  }));
}

function isCut(c: RawBoxes, i: number, pass: Pass, frameWidth: number, frameHeight: number): boolean {
  const { x, y, width, height } = pass.window;
  const tol = EDGE_TOLERANCE * pass.pixel;
  return (
    (x > 0 && c.x1[i] - x <= tol) ||
    (y > 0 && c.y1[i] - y <= tol) ||
    (x + width < frameWidth && x + width - c.x2[i] <= tol) ||
    (y + height < frameHeight && y + height - c.y2[i] <= tol)
  );
}

function intersection(c: RawBoxes, i: number, j: number): number {
  const w = Math.min(c.x2[i], c.x2[j]) - Math.max(c.x1[i], c.x1[j]);
  const h = Math.min(c.y2[i], c.y2[j]) - Math.max(c.y1[i], c.y1[j]);
  return w > 0 && h > 0 ? w * h : 0;
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : Math.min(v, hi));
