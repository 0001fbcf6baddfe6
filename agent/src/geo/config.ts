import { z } from 'zod';
import { latLonSchema, pointSchema } from '../core/schema.ts';
import { CalibrationError, solveHomography } from './homography.ts';

/** One surveyed correspondence: a pixel of the analysis frame and where it lies on the ground. */
export const calibrationPointSchema = z.strictObject({
  pixel: pointSchema,
  geo: latLonSchema,
});

export const calibrationSchema = z
  .strictObject({
    /** `normalized` pixels are fractions of the frame (0..1). */
    units: z.enum(['normalized', 'pixels']).default('normalized'),
    points: z.array(calibrationPointSchema).min(4, { error: 'expected at least 4 pixel ↔ geo points' }),
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
