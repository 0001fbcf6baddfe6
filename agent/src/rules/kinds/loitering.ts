import { z } from 'zod';
import { durationSeconds } from '../../core/schema.ts';
import { describeLifecycle, formatDuration, listOr } from '../describe.ts';
import { isSettled, type RuleKindEntry } from '../kind.ts';
import { commonRuleFields, labelsField } from '../params.ts';

export const loiteringSchema = z.strictObject({
  ...commonRuleFields,
  type: z.literal('loitering').meta({ description: 'Loitering: a person staying in the zone for dwellSeconds.' }),
  labels: labelsField(['person']).meta({ description: 'Labels that count; default person.' }),
  endAfterSeconds: durationSeconds('endAfterSeconds')
    .default(15)
    .meta({ description: 'The event ends once nobody has loitered for this many seconds (default 15).' }),
  dwellSeconds: durationSeconds('dwellSeconds')
    .default(300)
    .meta({ description: 'Seconds a person must stay before it is loitering (default 300).' }),
  mode: z.enum(['stationary', 'in_zone'], { error: 'expected mode "stationary" or "in_zone"' }).default('stationary').meta({
    description:
      'stationary (default): the person stays in one spot (a tout, a lookout); in_zone: the person stays in the zone, pacing included.',
  }),
});
export type LoiteringParams = z.infer<typeof loiteringSchema>;

/**
 * `stationary` runs the clock from when the person came to rest, like a parked vehicle. `in_zone` runs it from
 * entering the zone; short absences (a missed detection, a step over the edge) shorter than `endAfterSeconds` do
 * not restart it.
 */
export const loitering: RuleKindEntry<typeof loiteringSchema> = {
  schema: loiteringSchema,
  words: { verb: { zh: '徘徊', en: 'lingering' } },
  describe: (p, limits) =>
    `Loitering: a ${listOr(p.labels)} ${p.mode === 'stationary' ? 'standing still' : 'staying'} inside the zone for at least ${formatDuration(p.dwellSeconds)}. ${describeLifecycle(p, limits)}`,
  dwellSeconds: (p) => p.dwellSeconds,
  needs: (p) => [p.labels],
  subject: (p) => `the ${listOr(p.labels)}`,
  lapse: (p) => (p.mode === 'stationary' ? 'no longer standing still inside the zone' : 'left the zone'),
  create: (p) => {
    const entered = new Map<number, { at: number; lastInside: number }>();
    return {
      evaluate(input) {
        const { at, inZone } = input;
        const people = inZone.filter((t) => p.labels.includes(t.label));
        if (p.mode === 'stationary') {
          return people
            .filter((t) => isSettled(t, input, p.dwellSeconds))
            .map((t) => ({ objects: [t], anchors: [t], since: t.stationarySince }));
        }
        for (const [id, e] of entered) if (at - e.lastInside > p.endAfterSeconds * 1000) entered.delete(id);
        return people.map((t) => {
          const e = entered.get(t.id) ?? { at, lastInside: at };
          e.lastInside = at;
          entered.set(t.id, e);
          return { objects: [t], anchors: [t], since: e.at };
        });
      },
    };
  },
};
