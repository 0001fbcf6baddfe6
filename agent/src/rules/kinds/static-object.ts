import { z } from 'zod';
import { durationSeconds } from '../../core/schema.ts';
import { describeLifecycle, formatDuration, listOr } from '../describe.ts';
import { unexplainedBlobs } from '../foreground.ts';
import type { RuleKindEntry } from '../kind.ts';
import { commonRuleFields, labelsField } from '../params.ts';
import { DEFAULT_EXPLAINED_BY } from './street-vending.ts';

/**
 * Model-free: something new that stays (piled materials, garbage, a foreign object, clothes hung out), found as
 * static foreground by the camera's scene model rather than by a class the detector knows.
 */
export const staticObjectSchema = z.strictObject({
  ...commonRuleFields,
  type: z.literal('static_object').meta({
    description:
      'Static object: something new that stays in the zone (piled materials, garbage, an obstacle), found without a model class.',
  }),
  explainedBy: labelsField(DEFAULT_EXPLAINED_BY).meta({
    description:
      'Something new mostly covered by a tracked object with one of these labels is that object standing still, not an event; default person and vehicles.',
  }),
  minArea: z
    .number()
    .min(0)
    .default(400)
    .meta({ description: 'Smaller new objects are ignored, in pixels of the analysis frame (default 400).' }),
  dwellSeconds: durationSeconds('dwellSeconds')
    .default(120)
    .meta({ description: 'Seconds the new object must stay before it is an event (default 120).' }),
});
export type StaticObjectParams = z.infer<typeof staticObjectSchema>;

export const staticObject: RuleKindEntry<typeof staticObjectSchema> = {
  schema: staticObjectSchema,
  words: { verb: { zh: '遗留', en: 'left standing' } },
  describe: (p) =>
    `Static object: something new (not in the learned background or the reference scene) covering at least ${p.minArea} px that stays still inside the zone for at least ${formatDuration(p.dwellSeconds)} and is not a tracked ${listOr(p.explainedBy)}. ${describeLifecycle(p)}`,
  dwellSeconds: (p) => p.dwellSeconds,
  needs: () => [],
  usesForeground: () => true,
  subject: () => 'the object',
  lapse: () => 'the object is gone from the zone',
  create: (p, zone) => ({
    evaluate(input) {
      return unexplainedBlobs(input.foreground, input.tracks, zone, p.explainedBy, p.minArea).map((o) => ({
        objects: [o],
        anchors: [o],
        since: o.stationarySince,
      }));
    },
  }),
};
