import { z } from 'zod';
import type { Point } from '../../core/geometry.ts';
import { durationSeconds, pointSchema } from '../../core/schema.ts';
import { describeLifecycle, listOr } from '../describe.ts';
import { alongSegment, sideOfLine } from '../geometry.ts';
import type { RuleKindEntry } from '../kind.ts';
import { commonRuleFields, labelsField } from '../params.ts';

export const lineCrossingSchema = z.strictObject({
  ...commonRuleFields,
  type: z
    .literal('line_crossing')
    .meta({ description: 'Line crossing: an object crossing a line; each crossing is its own short event (the zone needs no polygon).' }),
  labels: labelsField(['person', 'car', 'bicycle', 'motorcycle']).meta({
    description: 'Labels whose crossings count; default person, car, bicycle, motorcycle.',
  }),
  endAfterSeconds: durationSeconds('endAfterSeconds')
    .default(5)
    .meta({ description: 'A crossing is a moment: its event ends this many seconds after it (default 5).' }),
  line: z
    .tuple([pointSchema, pointSchema], { error: 'expected a line [[x1, y1], [x2, y2]]' })
    .refine(([a, b]) => a[0] !== b[0] || a[1] !== b[1], { error: 'expected a line between two different points' })
    .meta({ description: "The line, [[x1, y1], [x2, y2]], in the zone's units (normalised 0..1 unless the zone says pixels)." }),
  direction: z.enum(['any', 'left_to_right', 'right_to_left']).default('any').meta({
    description:
      'Which crossings count: any (default), or left_to_right / right_to_left as seen walking the line from its first point to its second.',
  }),
});
export type LineCrossingParams = z.infer<typeof lineCrossingSchema>;

/** An object must be this far from the line (in multiples of its box height) to be on a side: jitter on the line is no crossing. */
const SIDE_MARGIN = 0.1;
/** Side memory of an object not seen for this long is forgotten. */
const FORGET_MS = 60_000;

const DIRECTION_WORDS = {
  any: 'in either direction',
  left_to_right: 'from left to right (facing from its first point to its second)',
  right_to_left: 'from right to left (facing from its first point to its second)',
} as const;

/** Each crossing is its own momentary event: started at once, ended `endAfterSeconds` later. */
export const lineCrossing: RuleKindEntry<typeof lineCrossingSchema> = {
  schema: lineCrossingSchema,
  words: { verb: { zh: '越线', en: 'crossed' } },
  instant: true,
  zoneless: true,
  line: (p) => ({ points: p.line, direction: p.direction }),
  describe: (p, limits) =>
    `Line crossing: a ${listOr(p.labels)} crossing the line ${DIRECTION_WORDS[p.direction]}. ${describeLifecycle(p, limits)}`,
  dwellSeconds: () => 0,
  needs: (p) => [p.labels],
  subject: (p) => `the ${listOr(p.labels)}`,
  lapse: () => 'crossing recorded',
  create: (p, zone) => {
    const [a, b] = zone.toPixels(p.line);
    const sides = new Map<number, { side: -1 | 1; point: Point; at: number }>();
    const wanted = (from: -1 | 1) => p.direction === 'any' || (p.direction === 'left_to_right' ? from === -1 : from === 1);
    return {
      evaluate({ at, tracks }) {
        for (const [id, s] of sides) if (at - s.at > FORGET_MS) sides.delete(id);
        return tracks.flatMap((t) => {
          if (!p.labels.includes(t.label)) return [];
          const point = zone.anchorOf(t.box);
          const d = sideOfLine(point, a, b);
          if (Math.abs(d) < SIDE_MARGIN * (t.box.y2 - t.box.y1)) return [];
          const side: -1 | 1 = d > 0 ? 1 : -1;
          const before = sides.get(t.id);
          sides.set(t.id, { side, point, at });
          if (!before || before.side === side || !wanted(before.side)) return [];
          const dq = sideOfLine(before.point, a, b);
          const k = dq / (dq - d);
          const crossing: Point = [before.point[0] + (point[0] - before.point[0]) * k, before.point[1] + (point[1] - before.point[1]) * k];
          const along = alongSegment(crossing, a, b);
          if (along < 0 || along > 1) return [];
          return [{ key: `${t.id}@${at}`, objects: [t], anchors: [t], since: at }];
        });
      },
    };
  },
};
