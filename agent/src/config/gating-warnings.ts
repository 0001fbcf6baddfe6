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
  const out: GatingWarning[] = [];
  const { width: fw, height: fh } = camera.analysis;
  const motion = camera.detection.mode === 'motion';
  const full = camera.detection.fullFrameSeconds;
  if (Array.isArray(camera.windows)) {
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
    if (motion) {
      out.push({
        path: 'windows',
        message: `detection.mode is motion: these windows are not run every frame, only when motion or a moving track is in them (and the whole frame every ${full} s); set detection.mode: every_frame to run them on every frame`,
      });
    }
  }

  // The motion grid's size, as the motion detector makes it.
  const gh = Math.max(1, Math.min(camera.detection.motion.height, fh));
  const gw = Math.max(1, Math.round((fw * gh) / fh));
  const cells = gw * gh;
  const count = (grid: Uint8Array) => grid.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
  const masks: { field: 'privacyMasks' | 'motionMasks'; list: readonly (readonly Point[])[] }[] = [
    { field: 'privacyMasks', list: camera.privacyMasks },
    { field: 'motionMasks', list: camera.motionMasks },
  ];
  for (const { field, list } of masks) {
    list.forEach((poly, i) => {
      if (count(rasteriseMasks([poly], gw, gh)) === 0)
        out.push({
          path: `${field}[${i}]`,
          message: `covers no cell of the ${gw}×${gh} motion grid (no cell centre inside it): it has no effect; check its points (normalised 0..1, in order around the area)`,
        });
    });
  }
  const privacy = rasteriseMasks(camera.privacyMasks, gw, gh);
  const all = rasteriseMasks([...camera.privacyMasks, ...camera.motionMasks], gw, gh);
  if (motion && camera.motionMasks.length > 0 && count(all) === cells) {
    out.push({
      path: 'motionMasks',
      message: `the masks cover the whole frame: no motion can be seen anywhere, so in motion mode objects are detected only by the whole-frame pass every ${full} s; remove masks or set detection.mode: every_frame`,
    });
    return out;
  }
  camera.zones.forEach((zone, zi) => {
    if (!zone.polygon || zone.polygon.length < 3) return;
    const [sx, sy] = zone.units === 'pixels' ? [1 / fw, 1 / fh] : [1, 1];
    const inZone = rasteriseMasks([zone.polygon.map(([x, y]): Point => [x * sx, y * sy])], gw, gh);
    let zoneCells = 0;
    let privateCells = 0;
    let maskedCells = 0;
    for (let c = 0; c < cells; c++) {
      if (inZone[c] === 1) continue;
      zoneCells++;
      privateCells += privacy[c] === 0 ? 1 : 0;
      maskedCells += all[c] === 0 ? 1 : 0;
    }
    if (zoneCells === 0) return;
    const path = `zones[${zi}].polygon`;
    if (privateCells === zoneCells) {
      out.push({
        path,
        message: `zone "${zone.id}" lies wholly under privacyMasks: it is blacked out before analysis, so nothing in it is ever detected and its rules never fire`,
      });
    } else if (motion && maskedCells === zoneCells) {
      out.push({
        path,
        message: `zone "${zone.id}" lies wholly under motionMasks: nothing moving in it starts a detection region, so in motion mode objects in it are seen only by the whole-frame pass every ${full} s; shrink the masks off the zone or set detection.mode: every_frame`,
      });
    }
  });
  return out;
}
