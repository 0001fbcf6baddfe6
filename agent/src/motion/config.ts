import { z } from 'zod';
import { polygonSchema } from '../core/schema.ts';

const unit = (what: string) =>
  z
    .number({ error: `expected ${what} between 0 and 1` })
    .min(0, { error: `expected ${what} ≥ 0` })
    .max(1, { error: `expected ${what} ≤ 1` });
const seconds = (what: string) =>
  z.number({ error: `expected ${what} in seconds (number)` }).positive({ error: `expected ${what} > 0 seconds` });

/**
 * The motion detector: the analysis frame's luma on a coarse grid, compared with a slowly learnt background.
 * The defaults suit a street camera's sub stream at a few frames per second.
 */
export const motionConfigSchema = z.strictObject({
  /** Rows of the motion grid (the frame is scaled down to this height, keeping its aspect). */
  height: z.number().int().min(40).max(360).default(120),
  /** A grid cell whose normalised luma differs from the background by more than this (0–255) is moving. */
  threshold: z.number().int().min(1).max(255).default(28),
  /** How fast the background absorbs the picture, per analysed frame: a parked car becomes background after ≈ 3 / rate frames. */
  learningRate: unit('learningRate').default(0.02),
  /** Moving cells are grown by this many cells, so the parts of one object join into one blob. */
  dilation: z.number().int().min(0).max(8).default(2),
  /** Blobs with fewer moving grid cells than this (counted before dilation) are noise. */
  minArea: z.number().int().min(1).default(8),
  /** More than this fraction of the picture changing at once is a lighting change, not motion: the background is relearnt. */
  lightingFraction: unit('lightingFraction').default(0.4),
  /** A shift of the picture's mean luma (0–255) by more than this against the background is a lighting change too. */
  lightingMeanShift: z.number().min(1).max(255).default(25),
  /** Frames after a start or a lighting change during which the background is learnt fast and no motion is reported. */
  calibrationFrames: z.number().int().min(1).max(100).default(5),
});
export type MotionConfig = z.infer<typeof motionConfigSchema>;

/**
 * Seconds between re-checks of a tracked object that stands still and that no motion touches, per label (model or
 * mapped label); `default` for any other label. Vehicles can wait longer than people.
 */
const recheckSchema = z
  .record(z.string(), seconds('stationaryRecheckSeconds'))
  .default({ default: 10, car: 30, truck: 30, bus: 30, motorcycle: 30, vehicle: 30 })
  .refine((r) => r.default !== undefined, { error: 'expected a "default" entry (seconds) for labels not listed' });

/**
 * How a camera spends inferences. `motion` (the default): the model runs only on squares around motion and around
 * moving tracked objects (and on a zone window when something moves in it); objects that stand still are carried by
 * the tracker and re-checked now and then; the whole frame is analysed at start-up, after a lighting change and every
 * `fullFrameSeconds`. `every_frame`: the whole frame plus every zone window on every analysed frame.
 */
export const detectionConfigSchema = z.strictObject({
  mode: z.enum(['motion', 'every_frame']).default('motion'),
  /** The safety net: the whole frame (and every zone window) at least this often. */
  fullFrameSeconds: seconds('fullFrameSeconds').default(30),
  stationaryRecheckSeconds: recheckSchema,
  /**
   * Neighbouring regions are merged into one inference when the merged square is at most this many times the model's
   * input side (the model then sees it scaled down by that much).
   */
  mergeScale: z.number().min(1).max(4).default(1.6),
  motion: motionConfigSchema.default(motionConfigSchema.parse({})),
});
export type DetectionConfig = z.infer<typeof detectionConfigSchema>;

/** Per-camera areas whose motion is ignored (swaying trees, the camera's clock overlay): normalised 0..1 polygons. */
export const motionMasksSchema = z.array(polygonSchema).default([]);

export function recheckSecondsFor(cfg: Pick<DetectionConfig, 'stationaryRecheckSeconds'>, label: string): number {
  const r = cfg.stationaryRecheckSeconds;
  return r[label] ?? r.default ?? 10;
}
