import { z } from 'zod';
import { durationSeconds } from '../../core/schema.ts';
import { describeLifecycle, formatDuration, listOr } from '../describe.ts';
import { unexplainedBlobs } from '../foreground.ts';
import type { RuleKind } from '../kind.ts';
import { commonRuleFields, labelsField } from '../params.ts';
import { DEFAULT_EXPLAINED_BY } from './street-vending.ts';

/**
 * Model-free: something new that stays (piled materials, garbage, a foreign object, clothes hung out), found as
 * static foreground by the camera's scene model rather than by a class the detector knows.
 */
export const staticObjectSchema = z.strictObject({
  ...commonRuleFields,
  type: z.literal('static_object'),
  /** Static foreground mostly covered by one of these, tracked, is that object standing still. */
  explainedBy: labelsField(DEFAULT_EXPLAINED_BY),
  /** Smaller blobs are ignored (pixels of the analysed frame). */
  minArea: z.number().min(0).default(400),
  dwellSeconds: durationSeconds('dwellSeconds').default(120),
});
export type StaticObjectParams = z.infer<typeof staticObjectSchema>;

export const staticObject: RuleKind<StaticObjectParams> = {
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
