import { z } from 'zod';
import { durationSeconds } from '../../core/schema.ts';
import { describeLifecycle, formatDuration, listOr } from '../describe.ts';
import type { RuleKindEntry } from '../kind.ts';
import { commonRuleFields, labelsField } from '../params.ts';

export const intrusionSchema = z.strictObject({
  ...commonRuleFields,
  type: z.literal('intrusion').meta({ description: 'Intrusion: an object inside a forbidden zone (for dwellSeconds, if set).' }),
  labels: labelsField(['person']).meta({ description: 'Labels that may not enter; default person.' }),
  // Longer than the tracker's miss tolerance (5 s), short enough that the next visitor is a new event.
  endAfterSeconds: durationSeconds('endAfterSeconds')
    .default(8)
    .meta({ description: 'The event ends once the zone has been clear this many seconds (default 8).' }),
  dwellSeconds: durationSeconds('dwellSeconds')
    .default(0)
    .meta({ description: 'Seconds an object must be inside before it counts (default 0: at once).' }),
});
export type IntrusionParams = z.infer<typeof intrusionSchema>;

export const crowdSchema = z.strictObject({
  ...commonRuleFields,
  type: z.literal('crowd').meta({ description: 'Crowd: at least minCount objects inside the zone at once, for dwellSeconds.' }),
  labels: labelsField(['person']).meta({ description: 'Labels that are counted; default person.' }),
  minCount: z
    .number()
    .int()
    .min(2, { error: 'expected minCount ≥ 2' })
    .meta({ description: 'How many objects at once make a crowd (at least 2).' }),
  dwellSeconds: durationSeconds('dwellSeconds')
    .default(60)
    .meta({ description: 'Seconds the crowd must last before it is an event (default 60).' }),
});
export type CrowdParams = z.infer<typeof crowdSchema>;

/** Zone-wide rules: one event per zone while enough objects are inside, with all of them as its objects. */
const ZONE_KEY = 'zone';

export const intrusion: RuleKindEntry<typeof intrusionSchema> = {
  schema: intrusionSchema,
  words: { verb: { zh: '闯入', en: 'inside' } },
  describe: (p, limits) =>
    `Intrusion: a ${listOr(p.labels)} inside the forbidden zone${p.dwellSeconds > 0 ? ` for at least ${formatDuration(p.dwellSeconds)}` : ''}. ${describeLifecycle(p, limits)}`,
  dwellSeconds: (p) => p.dwellSeconds,
  needs: (p) => [p.labels],
  subject: (p) => `the ${listOr(p.labels)}`,
  lapse: (p) => `no ${listOr(p.labels)} inside the zone any more`,
  create: (p) => ({
    evaluate({ inZone }) {
      const inside = inZone.filter((t) => p.labels.includes(t.label));
      return inside.length > 0 ? [{ key: ZONE_KEY, objects: inside, anchors: inside }] : [];
    },
  }),
};

export const crowd: RuleKindEntry<typeof crowdSchema> = {
  schema: crowdSchema,
  words: { verb: { zh: '聚集', en: 'gathered' } },
  describe: (p, limits) =>
    `Crowd gathering: at least ${p.minCount} ${listOr(p.labels)} inside the zone for at least ${formatDuration(p.dwellSeconds)}. ${describeLifecycle(p, limits)}`,
  dwellSeconds: (p) => p.dwellSeconds,
  needs: (p) => [p.labels],
  subject: () => 'the crowd',
  lapse: (p) => `fewer than ${p.minCount} ${listOr(p.labels)} inside the zone`,
  create: (p) => ({
    evaluate({ inZone }) {
      const inside = inZone.filter((t) => p.labels.includes(t.label));
      return inside.length >= p.minCount ? [{ key: ZONE_KEY, objects: inside, anchors: inside }] : [];
    },
  }),
};
