import type { Box, RgbImage } from '../core/geometry.ts';

export interface Detection {
  box: Box;
  score: number;
  /** Index into the model's label list (before any label map). */
  classId: number;
  /** Domain label after the configured label map (e.g. COCO `car` → `vehicle`). */
  label: string;
  /** The configured model that saw it (`default`, or a name under `models:`); set when a camera's models are merged. */
  model?: string;
}

/** A rectangle of the frame the model is run on at its native resolution. */
export interface DetectionWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetectOptions {
  /** Default true. False: only the windows (motion-gated detection plans its own regions). */
  wholeFrame?: boolean;
}

export interface DetectorInfo {
  modelName: string;
  modelSha256: string;
  labels: readonly string[];
}

export interface DetectTimings {
  preprocessMs: number;
  /** One entry per window (the whole frame counts as one). */
  inferenceMs: number[];
  decodeMs: number;
}

export interface Detector {
  readonly info: DetectorInfo;
  /**
   * Runs the whole frame (unless `wholeFrame: false`) plus the given windows, merges in frame coordinates. Each
   * window and the whole frame cost one inference.
   */
  detect(image: RgbImage, windows?: readonly DetectionWindow[], options?: DetectOptions): Promise<Detection[]>;
  /** Timings of the last detect() call; valid until the next call. */
  readonly lastTimings: DetectTimings;
  close(): Promise<void>;
}
