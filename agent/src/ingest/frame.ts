import type { RgbImage } from '../core/geometry.ts';

/** One decoded frame cut from a camera's ffmpeg pipe. */
export interface Frame extends RgbImage {
  camera: string;
  /** Monotonic per camera, counts every frame read from the pipe (skipped ones too). */
  seq: number;
  /** Wall clock (ms since epoch) when the frame's last byte was read. */
  receivedAt: number;
  /** Monotonic clock (core/time.ts) at the same moment: what durations are measured on. */
  monoAt: number;
}
