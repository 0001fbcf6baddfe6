import { z } from 'zod';

/** Ids end up in MQTT topics and file names: keep them to a safe alphabet. */
export const idSchema = z.string({ error: 'expected a string id' }).regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
  error: 'expected an id of lower-case letters, digits, "-" or "_" (max 63, starting with a letter or digit)',
});

export const latLonSchema = z.strictObject({
  lat: z
    .number({ error: 'expected latitude in degrees (number)' })
    .min(-90, { error: 'expected latitude between -90 and 90' })
    .max(90, { error: 'expected latitude between -90 and 90' })
    .meta({ description: 'Latitude in degrees, WGS-84 (as a GPS shows it), -90 to 90; north is positive.' }),
  lon: z
    .number({ error: 'expected longitude in degrees (number)' })
    .min(-180, { error: 'expected longitude between -180 and 180' })
    .max(180, { error: 'expected longitude between -180 and 180' })
    .meta({ description: 'Longitude in degrees, WGS-84 (as a GPS shows it), -180 to 180; east is positive.' }),
});

/** A point as `[x, y]`: normalised 0..1 or pixels, as the owning zone says. */
export const pointSchema = z.tuple([z.number(), z.number()], { error: 'expected a point [x, y]' });

export const polygonSchema = z
  .array(pointSchema, { error: 'expected a list of [x, y] points' })
  .min(3, { error: 'expected at least 3 points' })
  .superRefine((pts, ctx) => {
    // A repeated point also "touches" an edge: the config check says which point, more plainly than a crossing.
    if (degeneratePolygon(pts)) return;
    const crossing = firstCrossing(pts);
    if (crossing) {
      const [i, j] = crossing;
      const edge = (k: number) => `points[${k}]–points[${(k + 1) % pts.length}]`;
      ctx.addIssue({
        code: 'custom',
        message: `edges ${edge(i)} and ${edge(j)} cross: expected a simple polygon, its points in order around the outline`,
      });
    }
  });

/** The first pair of non-adjacent edges of a closed polygon that touch or cross, if any (polygons are drawn by hand: small). */
function firstCrossing(pts: readonly (readonly [number, number])[]): [number, number] | undefined {
  const n = pts.length;
  const orient = (a: readonly number[], b: readonly number[], c: readonly number[]) =>
    Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  const within = (a: readonly number[], b: readonly number[], c: readonly number[]) =>
    Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1]);
  const meet = (p1: readonly number[], p2: readonly number[], q1: readonly number[], q2: readonly number[]) => {
    const [d1, d2, d3, d4] = [orient(q1, q2, p1), orient(q1, q2, p2), orient(p1, p2, q1), orient(p1, p2, q2)];
    if (d1 !== d2 && d3 !== d4 && d1 !== 0 && d2 !== 0 && d3 !== 0 && d4 !== 0) return true;
    return (
      (d1 === 0 && within(q1, q2, p1)) ||
      (d2 === 0 && within(q1, q2, p2)) ||
      (d3 === 0 && within(p1, p2, q1)) ||
      (d4 === 0 && within(p1, p2, q2))
    );
  };
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // adjacent through the closing edge
      if (meet(pts[i], pts[(i + 1) % n], pts[j], pts[(j + 1) % n])) return [i, j];
    }
  }
  return undefined;
}

/**
 * Why a polygon that does not cross itself still outlines no area: a point given twice, or every point on one line
 * (a zone drawn by clicking the same spot, or along a kerb). Undefined for a usable polygon.
 */
export function degeneratePolygon(pts: readonly (readonly [number, number])[]): string | undefined {
  if (pts.length < 3) return undefined; // "expected at least 3 points" says it
  for (let i = 0; i < pts.length; i++) {
    const j = pts.findIndex((q, k) => k > i && q[0] === pts[i][0] && q[1] === pts[i][1]);
    if (j >= 0) return `points[${i}] and points[${j}] are the same point [${pts[i][0]}, ${pts[i][1]}]: expected each corner once`;
  }
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const span = Math.max(...xs) - Math.min(...xs) + Math.max(...ys) - Math.min(...ys);
  // Every point on the line through the first two (distinct, checked above), against the polygon's size: scale-free
  // for pixels and 0..1. A bow tie's signed area is zero too, but that one is a crossing, said as such.
  const [a, b] = pts;
  const offLine = (p: readonly [number, number]) => Math.abs((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]));
  if (pts.every((p) => offLine(p) <= 1e-9 * span * span))
    return 'its points lie on one line, so it encloses no area: expected at least 3 points not on one line, in order around the area';
  return undefined;
}

export const durationSeconds = (what: string) =>
  z.number({ error: `expected ${what} in seconds (number)` }).nonnegative({ error: `expected ${what} ≥ 0 seconds` });

/** A duration that must be longer than nothing: a timeout, an interval. */
export const positiveSeconds = (what: string) =>
  z.number({ error: `expected ${what} in seconds (number)` }).positive({ error: `expected ${what} > 0 seconds` });

/** A share or threshold between 0 and 1. */
export const unitFraction = (what: string) =>
  z
    .number({ error: `expected ${what} between 0 and 1` })
    .min(0, { error: `expected ${what} ≥ 0` })
    .max(1, { error: `expected ${what} ≤ 1` });

/** A secret given inline, from a file (`{ file }`) or from an environment variable (`{ env }`). */
export const secretSchema = z.union(
  [
    z.string(),
    z.strictObject({
      file: z
        .string()
        .min(1)
        .meta({ description: 'Path of a file holding the secret; surrounding whitespace (a trailing newline) is trimmed.' }),
    }),
    z.strictObject({ env: z.string().min(1).meta({ description: 'The name of an environment variable holding the secret.' }) }),
  ],
  { error: 'expected a string, { file: PATH } or { env: NAME }' },
);
export type Secret = z.infer<typeof secretSchema>;
