import type { Point } from '../core/geometry.ts';
import type { WindowsConfig } from '../detect/config.ts';
import type { DetectionConfig } from '../motion/config.ts';
import { rasteriseMasks } from '../motion/grid.ts';

export interface GatingWarning {
  /** Field path from the camera, e.g. `motionMasks[0]`. */
  path: string;
  message: string;
}

/** What the checks read of a camera. */
export interface GatingCamera {
  analysis: { width: number; height: number };
  detection: Pick<DetectionConfig, 'mode' | 'fullFrameSeconds'> & { motion: { height: number } };
  windows: WindowsConfig;
  privacyMasks: readonly (readonly Point[])[];
  motionMasks: readonly (readonly Point[])[];
  zones: readonly { id: string; units: 'normalized' | 'pixels'; polygon?: readonly Point[] }[];
}

/** A window magnified more than this (model input side / window side, both axes) shows the model mostly blur. */
const MAX_UPSCALE = 4;
/** A window must see the frame this much finer than the whole-frame pass, or it costs an inference for nothing. */
const MIN_GAIN = 1.1;

/**
 * Detection windows and masks that look like they do something and do not (or do more than meant): windows too
 * small to show the model anything, windows no finer than the whole frame, fixed windows under motion gating, masks
 * that cover a whole zone or the whole frame, masks that cover nothing. Masks are judged on the motion grid, the
 * resolution at which they act.
 */
export function gatingWarnings(camera: GatingCamera, modelInput: { width: number; height: number }): GatingWarning[] {
  const grid = motionGrid(camera);
  const out = [...windowWarnings(camera, modelInput), ...idleMaskWarnings(camera, grid)];
  const all = rasteriseMasks([...camera.privacyMasks, ...camera.motionMasks], grid.width, grid.height);
  if (camera.detection.mode === 'motion' && camera.motionMasks.length > 0 && maskedCount(all) === grid.width * grid.height) {
    out.push({
      path: 'motionMasks',
      message: `the masks cover the whole frame: no motion can be seen anywhere, so in motion mode objects are detected only by the whole-frame pass every ${camera.detection.fullFrameSeconds} s; remove masks or set detection.mode: every_frame`,
    });
    return out;
  }
  return [...out, ...zoneMaskWarnings(camera)];
}

/** Zones wholly under the masks: what check-config prints of them, and the console's check shows beside an edit. */
export function zoneMaskWarnings(camera: Omit<GatingCamera, 'windows'>): GatingWarning[] {
  const grid = motionGrid(camera);
  const privacy = rasteriseMasks(camera.privacyMasks, grid.width, grid.height);
  const all = rasteriseMasks([...camera.privacyMasks, ...camera.motionMasks], grid.width, grid.height);
  return camera.zones.flatMap((zone, zi) => {
    const w = zoneWarning(camera, grid, { privacy, all }, zone);
    return w ? [{ path: `zones[${zi}].polygon`, message: w }] : [];
  });
}

/** The motion grid's size, as the motion detector makes it. */
interface MotionGrid {
  width: number;
  height: number;
}

function motionGrid(camera: Pick<GatingCamera, 'analysis' | 'detection'>): MotionGrid {
  const { width: fw, height: fh } = camera.analysis;
  const height = Math.max(1, Math.min(camera.detection.motion.height, fh));
  return { width: Math.max(1, Math.round((fw * height) / fh)), height };
}

/** Cells a rasterised mask covers (0 in the grid). */
function maskedCount(grid: Uint8Array): number {
  return grid.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
}

/** Windows too small to show the model anything, no finer than the whole frame, or not run every frame under motion gating. */
function windowWarnings(camera: GatingCamera, modelInput: { width: number; height: number }): GatingWarning[] {
  if (!Array.isArray(camera.windows)) return [];
  const out: GatingWarning[] = [];
  const { width: fw, height: fh } = camera.analysis;
  const wholeScale = Math.min(modelInput.width / fw, modelInput.height / fh);
  camera.windows.forEach((w, i) => {
    const path = `windows[${i}]`;
    const size = `${w.width}×${w.height}`;
    if (w.width * MAX_UPSCALE < modelInput.width && w.height * MAX_UPSCALE < modelInput.height) {
      out.push({
        path,
        message: `${size} px is magnified more than ${MAX_UPSCALE}× to the model's ${modelInput.width}×${modelInput.height} input: the model sees blur and objects cut at its edges; make it at least ${Math.ceil(modelInput.width / MAX_UPSCALE)}×${Math.ceil(modelInput.height / MAX_UPSCALE)}, or use the model's input size`,
      });
    } else if (Math.min(modelInput.width / w.width, modelInput.height / w.height) < wholeScale * MIN_GAIN) {
      out.push({
        path,
        message: `${size} px shows the model no more detail than the whole-frame pass (${fw}×${fh}): one more inference per frame for nothing; make it smaller (the model's ${modelInput.width}×${modelInput.height} input size sees most detail) or remove it`,
      });
    }
  });
  if (camera.detection.mode === 'motion') {
    out.push({
      path: 'windows',
      message: `detection.mode is motion: these windows are not run every frame, only when motion or a moving track is in them (and the whole frame every ${camera.detection.fullFrameSeconds} s); set detection.mode: every_frame to run them on every frame`,
    });
  }
  return out;
}

/** Masks that cover no cell of the motion grid. */
function idleMaskWarnings(camera: GatingCamera, grid: MotionGrid): GatingWarning[] {
  const masks: { field: 'privacyMasks' | 'motionMasks'; list: readonly (readonly Point[])[] }[] = [
    { field: 'privacyMasks', list: camera.privacyMasks },
    { field: 'motionMasks', list: camera.motionMasks },
  ];
  return masks.flatMap(({ field, list }) =>
    list.flatMap((poly, i) =>
      maskedCount(rasteriseMasks([poly], grid.width, grid.height)) === 0
        ? [
            {
              path: `${field}[${i}]`,
              message: `covers no cell of the ${grid.width}×${grid.height} motion grid (no cell centre inside it): it has no effect; check its points (normalised 0..1, in order around the area)`,
            },
          ]
        : [],
    ),
  );
}

/** A zone wholly under the privacy masks (never analysed) or, in motion mode, under the masks (seen only by the whole-frame pass). */
function zoneWarning(
  camera: Omit<GatingCamera, 'windows'>,
  grid: MotionGrid,
  masked: { privacy: Uint8Array; all: Uint8Array },
  zone: GatingCamera['zones'][number],
): string | undefined {
  if (!zone.polygon || zone.polygon.length < 3) return undefined;
  const { width: fw, height: fh } = camera.analysis;
  const [sx, sy] = zone.units === 'pixels' ? [1 / fw, 1 / fh] : [1, 1];
  const inZone = rasteriseMasks([zone.polygon.map(([x, y]): Point => [x * sx, y * sy])], grid.width, grid.height);
  let zoneCells = 0;
  let privateCells = 0;
  let maskedCells = 0;
  for (let c = 0; c < grid.width * grid.height; c++) {
    if (inZone[c] === 1) continue;
    zoneCells++;
    privateCells += masked.privacy[c] === 0 ? 1 : 0;
    maskedCells += masked.all[c] === 0 ? 1 : 0;
  }
  if (zoneCells === 0) return undefined;
  if (privateCells === zoneCells)
    return `zone "${zone.id}" lies wholly under ${coveringMasks(camera.privacyMasks, inZone, grid).join(' and ')}: it is blacked out before analysis, so nothing in it is ever detected and its rules never fire; move the mask off the zone or remove the zone`;
  if (camera.detection.mode === 'motion' && maskedCells === zoneCells)
    return `zone "${zone.id}" lies wholly under motionMasks: nothing moving in it starts a detection region, so in motion mode objects in it are seen only by the whole-frame pass every ${camera.detection.fullFrameSeconds} s; shrink the masks off the zone or set detection.mode: every_frame`;
  return undefined;
}

/** The privacy masks (by path) that cover part of a zone (`inZone`: 0 on the zone's cells), so a warning can name them. */
function coveringMasks(masks: readonly (readonly Point[])[], inZone: Uint8Array, grid: MotionGrid): string[] {
  return masks.flatMap((poly, i) => {
    const cells = rasteriseMasks([poly], grid.width, grid.height);
    return cells.some((v, c) => v === 0 && inZone[c] === 0) ? [`privacyMasks[${i}]`] : [];
  });
}
