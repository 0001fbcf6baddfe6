import { end2end } from './end2end.ts';
import { gfl } from './gfl.ts';
import type { DetectorFamily } from './types.ts';
import { yolov5, yolov8, yolox } from './yolo.ts';

/** Every output family a manifest may name, in the order the error for an unknown one lists them. */
export const detectorFamilies: readonly DetectorFamily[] = [gfl, yolov8, yolov5, yolox, end2end];

/** The family a loaded (hence validated) manifest names. */
export function detectorFamily(name: string): DetectorFamily {
  const family = detectorFamilies.find((f) => f.name === name);
  if (!family) throw new Error(`unknown output family "${name}" (the manifest was not checked against detectorFamilies)`);
  return family;
}
