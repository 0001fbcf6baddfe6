import { z } from 'zod';
import { polygonSchema, positiveSeconds, unitFraction } from '../core/schema.ts';

/**
 * The motion detector: the analysis frame's luma on a coarse grid, compared with a slowly learnt background.
 * The defaults suit a street camera's sub stream at a few frames per second.
 */
export const motionConfigSchema = z.strictObject({
  height: z.number().int().min(40).max(360).default(120).meta({
    description: 'Rows of the motion grid, 40 to 360: the frame is scaled down to this height, keeping its aspect (default 120).',
  }),
  threshold: z.number().int().min(1).max(255).default(28).meta({
    description: 'A grid cell whose brightness differs from the learnt background by more than this (1 to 255) is moving (default 28).',
  }),
  learningRate: unitFraction('learningRate').default(0.02).meta({
    description:
      'How fast the background absorbs the picture, per analysed frame (0 to 1): something that stays becomes background after about 3 / rate frames (default 0.02).',
  }),
  dilation: z.number().int().min(0).max(8).default(2).meta({
    description: 'Moving cells are grown by this many cells (0 to 8), so the parts of one object join into one blob (default 2).',
  }),
  minArea: z
    .number()
    .int()
    .min(1)
    .default(8)
    .meta({ description: 'Blobs of fewer moving grid cells than this (counted before growing) are noise (default 8).' }),
  lightingFraction: unitFraction('lightingFraction').default(0.4).meta({
    description:
      'More than this fraction of the picture (0 to 1) changing at once is a lighting change, not motion: the background is relearnt (default 0.4).',
  }),
  lightingMeanShift: z.number().min(1).max(255).default(25).meta({
    description: "A shift of the picture's mean brightness (1 to 255) by more than this is a lighting change too (default 25).",
  }),
  calibrationFrames: z.number().int().min(1).max(100).default(5).meta({
    description: 'Frames after start-up or a lighting change in which the background is learnt fast and no motion is reported (default 5).',
  }),
});
export type MotionConfig = z.infer<typeof motionConfigSchema>;

const recheckSchema = z
  .record(z.string(), positiveSeconds('stationaryRecheckSeconds'))
  .default({ default: 10, car: 30, truck: 30, bus: 30, motorcycle: 30, vehicle: 30 })
  .refine((r) => r.default !== undefined, { error: 'expected a "default" entry (seconds) for labels not listed' })
  .meta({
    description:
      'Seconds between re-checks of a tracked object that stands still where nothing moves, by label; "default" for any other label (default 10 s, vehicles 30 s).',
  });

/**
 * How a camera spends inferences. `motion` (the default): the model runs only on squares around motion and around
 * moving tracked objects (and on a zone window when something moves in it); objects that stand still are carried by
 * the tracker and re-checked now and then; the whole frame is analysed at start-up, after a lighting change and every
 * `fullFrameSeconds`. `every_frame`: the whole frame plus every zone window on every analysed frame.
 */
export const detectionConfigSchema = z.strictObject({
  mode: z.enum(['motion', 'every_frame']).default('motion').meta({
    description:
      'motion (default): the model runs only where something moves, which saves most of the CPU on a quiet street; every_frame: the whole frame and every zone window on every analysed frame.',
  }),
  fullFrameSeconds: positiveSeconds('fullFrameSeconds').default(30).meta({
    description:
      'The safety net of motion mode: the whole frame (and every zone window) is analysed at least this often, in seconds (default 30).',
  }),
  stationaryRecheckSeconds: recheckSchema,
  mergeScale: z.number().min(1).max(4).default(1.6).meta({
    description:
      "Neighbouring motion regions are analysed as one when the merged square is at most this many times the model's input side, 1 to 4 (the model then sees it scaled down by that much; default 1.6).",
  }),
  motion: motionConfigSchema.default(motionConfigSchema.parse({})).meta({
    description: 'The motion detector that decides where the model looks; the defaults suit a street camera at a few frames per second.',
  }),
});
export type DetectionConfig = z.infer<typeof detectionConfigSchema>;

export const motionMasksSchema = z.array(polygonSchema).default([]).meta({
  description: "Motion inside these polygons (points normalised 0..1) is ignored: swaying trees, the camera's clock overlay. Default none.",
});

export function recheckSecondsFor(cfg: Pick<DetectionConfig, 'stationaryRecheckSeconds'>, label: string): number {
  const r = cfg.stationaryRecheckSeconds;
  return r[label] ?? r.default ?? 10;
}
