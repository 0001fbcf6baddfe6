import type { Point } from '../core/geometry.ts';
import type { WindowsConfig } from './config.ts';
import type { DetectionWindow } from './types.ts';

/** A zone's outline, all that window planning reads of it. */
export interface ZoneOutline {
  units: 'normalized' | 'pixels';
  /** Absent for a zone of crossing lines only: it asks for no window. */
  polygon?: readonly Point[];
}

/** What windows are planned from: the camera's setting, its zones' outlines and its analysis size. */
export interface WindowCamera<Z extends ZoneOutline = ZoneOutline> {
  windows: WindowsConfig;
  zones: readonly Z[];
  analysis: { width: number; height: number };
}

/** Zone boxes grow by this fraction of their size on each side, so objects at a zone's edge are seen whole. */
const ZONE_PADDING = 0.1;
const MIN_PADDING_PX = 8;
/** A window must see the frame this much finer than the whole-frame pass, or it costs an inference for nothing. */
const MIN_GAIN = 1.1;

/**
 * The extra detection windows of a camera, in analysis-frame pixels (whole pixels, inside the frame).
 * - `none`: none (the whole-frame pass only).
 * - explicit list: those rectangles.
 * - `zones` (default): each zone's bounding box, padded, grown to at least the model's input size (upwards first:
 *   objects stand on a zone and rise above it), windows that fit in one model input merged, and windows that would
 *   not see more detail than the whole frame dropped.
 */
export function windowsForCamera<Z extends ZoneOutline>(
  camera: WindowCamera<Z>,
  modelInput: { width: number; height: number },
): DetectionWindow[] {
  const { width: fw, height: fh } = camera.analysis;
  if (camera.windows === 'none') return [];
  if (Array.isArray(camera.windows)) return camera.windows.map((w) => toPixels(w.x, w.y, w.x + w.width, w.y + w.height, fw, fh));

  let boxes = camera.zones
    .flatMap((zone) => (zone.polygon ? [{ units: zone.units, polygon: zone.polygon }] : []))
    .map((zone) => {
      const [sx, sy] = zone.units === 'normalized' ? [fw, fh] : [1, 1];
      const xs = zone.polygon.map(([x]) => x * sx);
      const ys = zone.polygon.map(([, y]) => y * sy);
      const x1 = Math.min(...xs);
      const y1 = Math.min(...ys);
      const x2 = Math.max(...xs);
      const y2 = Math.max(...ys);
      const px = Math.max(MIN_PADDING_PX, (x2 - x1) * ZONE_PADDING);
      const py = Math.max(MIN_PADDING_PX, (y2 - y1) * ZONE_PADDING);
      return toPixels(x1 - px, y1 - py, x2 + px, y2 + py, fw, fh);
    });
  boxes = mergeSmall(boxes, modelInput);
  const wholeScale = scaleOf({ x: 0, y: 0, width: fw, height: fh }, modelInput);
  const out: DetectionWindow[] = [];
  for (const b of boxes.map((b) => grow(b, modelInput, fw, fh))) {
    if (scaleOf(b, modelInput) < wholeScale * MIN_GAIN) continue;
    if (!out.some((o) => o.x === b.x && o.y === b.y && o.width === b.width && o.height === b.height)) out.push(b);
  }
  return out;
}

/** Model-input pixels per frame pixel when the window is letterboxed into the model input. */
function scaleOf(w: DetectionWindow, input: { width: number; height: number }): number {
  return Math.min(input.width / w.width, input.height / w.height);
}

function toPixels(x1: number, y1: number, x2: number, y2: number, fw: number, fh: number): DetectionWindow {
  const left = Math.max(0, Math.floor(x1));
  const top = Math.max(0, Math.floor(y1));
  const right = Math.min(fw, Math.ceil(x2));
  const bottom = Math.min(fh, Math.ceil(y2));
  return { x: left, y: top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}

/** Two zones whose joint box still fits in one model input cost one inference, not two. */
function mergeSmall(boxes: DetectionWindow[], input: { width: number; height: number }): DetectionWindow[] {
  const list = [...boxes];
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const u = union(list[i], list[j]);
        if (u.width <= input.width && u.height <= input.height) {
          list.splice(j, 1);
          list[i] = u;
          merged = true;
          break outer;
        }
      }
    }
  }
  return list;
}

function union(a: DetectionWindow, b: DetectionWindow): DetectionWindow {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** Smaller than the model input → grown to it (width centred, height upwards first), so the crop is not upscaled. */
function grow(w: DetectionWindow, input: { width: number; height: number }, fw: number, fh: number): DetectionWindow {
  const width = Math.min(fw, Math.max(w.width, input.width));
  const height = Math.min(fh, Math.max(w.height, input.height));
  const x = clampStart(w.x - Math.floor((width - w.width) / 2), width, fw);
  const y = clampStart(w.y + w.height - height, height, fh);
  return { x, y, width, height };
}

const clampStart = (start: number, size: number, limit: number) => Math.max(0, Math.min(start, limit - size));
