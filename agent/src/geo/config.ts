import { z } from 'zod';
import { latLonSchema, pointSchema } from '../core/schema.ts';
import { CalibrationError, solveHomography } from './homography.ts';

/** One surveyed correspondence: a pixel of the analysis frame and where it lies on the ground. */
export const calibrationPointSchema = z.strictObject({
  pixel: pointSchema.meta({ description: "A point of the picture, [x, y] in the calibration's units." }),
  geo: latLonSchema.meta({ description: 'Where that point lies on the ground (surveyed or read off a map).' }),
});

export const calibrationSchema = z
  .strictObject({
    units: z.enum(['normalized', 'pixels']).default('normalized').meta({
      description: 'How the pixel points are given: normalized (default) as fractions of the frame, 0..1; pixels of the analysis frame.',
    }),
    points: z
      .array(calibrationPointSchema)
      .min(4, { error: 'expected at least 4 pixel ↔ geo points' })
      .meta({ description: 'At least 4 points of the ground seen by the camera, each with its position on the map, not all on one line.' }),
  })
  .superRefine((c, ctx) => {
    if (c.units === 'normalized') {
      c.points.forEach((p, i) => {
        if (p.pixel.some((v) => v < 0 || v > 1)) {
          ctx.addIssue({
            code: 'custom',
            path: ['points', i, 'pixel'],
            message: `expected a normalised pixel inside 0..1, got [${p.pixel.join(', ')}] (or set units: pixels)`,
          });
        }
      });
    }
    // A set that determines no ground plane is refused here, so a camera never runs with a calibration it cannot use.
    try {
      solveHomography(c.points);
    } catch (err) {
      if (!(err instanceof CalibrationError)) throw err;
      ctx.addIssue({ code: 'custom', path: ['points'], message: err.message });
    }
  });
export type CalibrationConfig = z.infer<typeof calibrationSchema>;
