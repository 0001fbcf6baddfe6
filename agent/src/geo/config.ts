import { z } from 'zod';
import { latLonSchema, pointSchema } from '../config/common.ts';

/** One surveyed correspondence: a pixel of the analysis frame and where it lies on the ground. */
export const calibrationPointSchema = z.strictObject({
  pixel: pointSchema,
  geo: latLonSchema,
});

export const calibrationSchema = z.strictObject({
  /** `normalized` pixels are fractions of the frame (0..1). */
  units: z.enum(['normalized', 'pixels']).default('normalized'),
  points: z.array(calibrationPointSchema).min(4, { error: 'expected at least 4 pixel ↔ geo points' }),
});
export type CalibrationConfig = z.infer<typeof calibrationSchema>;
