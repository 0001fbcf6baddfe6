import type { Box } from '../core/geometry.ts';

/** A rectangle of the analysis frame in whole pixels (the shape detect's windows take). */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the planner needs to know of a tracked object. */
export interface PlannedObject {
  box: Box;
  label: string;
  /** Moving (not at rest), or lost (missed while looked at): it must be looked at again. */
  needsLook: boolean;
  /** When a detection last confirmed it (ms). */
  lastDetected: number;
}

export interface RegionPlanInput {
  frame: { width: number; height: number };
  modelInput: { width: number; height: number };
  /** The whole frame is due (start-up, after a recalibration, the `fullFrameSeconds` safety net, calibrating). */
  fullFrame: boolean;
  motion: readonly Box[];
  objects: readonly PlannedObject[];
  /** The camera's zone windows (analysis-frame pixels). */
  zoneWindows: readonly Region[];
  now: number;
  recheckSeconds: (label: string) => number;
  /** Merge neighbours while the merged square is at most this many model input sides. */
  mergeScale: number;
}

export interface RegionPlan {
  fullFrame: boolean;
  /** Inferences besides the whole frame: zone windows and squares around motion and objects. */
  regions: Region[];
}

/** Interest boxes grow by this fraction of their size on each side: a moving object is ahead of its last box. */
const PAD = 0.25;
const GRID = 8;
const MIN_PAD_PX = 8;

/**
 * Where to run the model on this frame (pure). The whole frame (plus every zone window) when it is due or an object at
 * rest is due a re-check; otherwise squares of at least the model's input side around motion blobs and around objects
 * that move, are lost or that motion touches, neighbours merged while the merged square stays within `mergeScale` model sides, a zone window instead of
 * the squares it contains when motion or an object is in it, and the whole frame instead when a square grows to it or
 * several squares together hold more pixels than it (one inference then does the work of many, if coarser). Objects at rest that no region sees whole are left to the tracker
 * to carry (see `sees`).
 */
export function planRegions(p: RegionPlanInput): RegionPlan {
  const { frame, modelInput } = p;
  // A re-check looks at the whole frame: the objects are seen at the scale they were found at, and one inference
  // re-checks every object at rest at once.
  const recheck = p.objects.some((o) => !o.needsLook && p.now - o.lastDetected >= p.recheckSeconds(o.label) * 1000);
  if (p.fullFrame || recheck) return { fullFrame: true, regions: [...p.zoneWindows] };

  const interest: Box[] = [...p.motion];
  p.objects.forEach((o) => {
    if (o.needsLook || p.motion.some((m) => touches(m, o.box))) interest.push(o.box);
  });

  const side = Math.max(modelInput.width, modelInput.height);
  let squares = interest.map((b) => squareAround(pad(b, frame), side, frame));
  squares = mergeNeighbours(squares, side * p.mergeScale, frame);

  const regions: Region[] = [];
  for (const w of p.zoneWindows) {
    if (!squares.some((s) => overlaps(s, w))) continue;
    regions.push(w);
  }
  for (const s of squares) {
    if (regions.some((w) => contains(w, s))) continue;
    regions.push(s);
  }
  const frameArea = frame.width * frame.height;
  const cost = regions.reduce((sum, r) => sum + r.width * r.height, 0);
  if (regions.some((r) => r.width * r.height >= frameArea) || (regions.length > 1 && cost >= frameArea)) {
    return { fullFrame: true, regions: p.zoneWindows.filter((w) => regions.includes(w)) };
  }
  return { fullFrame: false, regions };
}

/** Share of a box that must lie inside one analysed rectangle for the model to have seen the object whole. */
const SEEN_WHOLE = 0.9;

/** Whether `box` touches one of the motion blobs. */
export function moved(motion: readonly Box[], box: Box): boolean {
  return motion.some((m) => touches(m, box));
}

/** Whether a plan's inferences see `box` (nearly) whole: if not, an object there was not looked at. */
export function sees(plan: RegionPlan, box: Box): boolean {
  if (plan.fullFrame) return true;
  const area = Math.max(1e-9, (box.x2 - box.x1) * (box.y2 - box.y1));
  return plan.regions.some((r) => {
    const w = Math.min(box.x2, r.x + r.width) - Math.max(box.x1, r.x);
    const h = Math.min(box.y2, r.y + r.height) - Math.max(box.y1, r.y);
    return w > 0 && h > 0 && (w * h) / area >= SEEN_WHOLE;
  });
}

function pad(b: Box, frame: { width: number; height: number }): Box {
  const px = Math.max(MIN_PAD_PX, (b.x2 - b.x1) * PAD);
  const py = Math.max(MIN_PAD_PX, (b.y2 - b.y1) * PAD);
  return {
    x1: Math.max(0, b.x1 - px),
    y1: Math.max(0, b.y1 - py),
    x2: Math.min(frame.width, b.x2 + px),
    y2: Math.min(frame.height, b.y2 + py),
  };
}

/** The square of side max(`side`, box's longer side) centred on the box, shifted (then clipped) into the frame. */
function squareAround(b: Box, side: number, frame: { width: number; height: number }): Region {
  // On a grid of GRID px, so the preprocessor's per-window sampling tables are reused from frame to frame.
  const s = Math.ceil(Math.max(side, b.x2 - b.x1, b.y2 - b.y1) / GRID) * GRID;
  const width = Math.min(frame.width, s);
  const height = Math.min(frame.height, s);
  const x = clampStart(Math.round(((b.x1 + b.x2) / 2 - width / 2) / GRID) * GRID, width, frame.width);
  const y = clampStart(Math.round(((b.y1 + b.y2) / 2 - height / 2) / GRID) * GRID, height, frame.height);
  return { x, y, width, height };
}

/** Pairs whose joint square fits within `maxSide` become that square, until no pair does. */
function mergeNeighbours(list: Region[], maxSide: number, frame: { width: number; height: number }): Region[] {
  const out = [...list];
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i];
        const b = out[j];
        const u = {
          x1: Math.min(a.x, b.x),
          y1: Math.min(a.y, b.y),
          x2: Math.max(a.x + a.width, b.x + b.width),
          y2: Math.max(a.y + a.height, b.y + b.height),
        };
        const joint = Math.max(u.x2 - u.x1, u.y2 - u.y1);
        if (contains(a, b) || contains(b, a) || joint <= Math.max(maxSide, a.width, a.height, b.width, b.height)) {
          out[i] = squareAround(u, 0, frame);
          out.splice(j, 1);
          merged = true;
          break outer;
        }
      }
    }
  }
  return out;
}

function overlaps(a: Region, b: Region): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function contains(outer: Region, inner: Region): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

function touches(a: Box, b: Box): boolean {
  return a.x1 <= b.x2 && b.x1 <= a.x2 && a.y1 <= b.y2 && b.y1 <= a.y2;
}

const clampStart = (start: number, size: number, limit: number) => Math.max(0, Math.min(start, limit - size));
