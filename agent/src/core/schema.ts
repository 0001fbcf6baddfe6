import { z } from 'zod';

/** Ids end up in MQTT topics and file names: keep them to a safe alphabet. */
export const idSchema = z
  .string({ error: 'expected a string id' })
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
    error: 'expected an id of lower-case letters, digits, "-" or "_" (max 63, starting with a letter or digit)',
  });

export const latLonSchema = z.strictObject({
  lat: z.number({ error: 'expected latitude in degrees (number)' }).min(-90, { error: 'expected latitude between -90 and 90' }).max(90, { error: 'expected latitude between -90 and 90' }),
  lon: z.number({ error: 'expected longitude in degrees (number)' }).min(-180, { error: 'expected longitude between -180 and 180' }).max(180, { error: 'expected longitude between -180 and 180' }),
});

/** A point as `[x, y]`: normalised 0..1 or pixels, as the owning zone says. */
export const pointSchema = z.tuple([z.number(), z.number()], { error: 'expected a point [x, y]' });

export const polygonSchema = z.array(pointSchema, { error: 'expected a list of [x, y] points' }).min(3, { error: 'expected at least 3 points' });

export const durationSeconds = (what: string) =>
  z.number({ error: `expected ${what} in seconds (number)` }).nonnegative({ error: `expected ${what} ≥ 0 seconds` });

/** A secret given inline, from a file (`{ file }`) or from an environment variable (`{ env }`). */
export const secretSchema = z.union(
  [
    z.string(),
    z.strictObject({ file: z.string().min(1) }),
    z.strictObject({ env: z.string().min(1) }),
  ],
  { error: 'expected a string, { file: PATH } or { env: NAME }' },
);
export type Secret = z.infer<typeof secretSchema>;
