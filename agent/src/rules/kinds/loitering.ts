import { z } from 'zod';
import { durationSeconds } from '../../config/common.ts';
import { describeLifecycle, formatDuration, listOr } from '../describe.ts';
import type { RuleKind } from '../kind.ts';
import { commonRuleFields, labelsField } from '../params.ts';

export const loiteringSchema = z.strictObject({
  ...commonRuleFields,
  type: z.literal('loitering'),
  labels: labelsField(['person']),
  dwellSeconds: durationSeconds('dwellSeconds').default(300),
});
export type LoiteringParams = z.infer<typeof loiteringSchema>;

/**
 * Loitering is lingering, not standing still: a person pacing inside the zone loiters too, so the
 * clock runs from entering the zone. Short absences (a missed detection, a step over the edge)
 * shorter than `endAfterSeconds` do not restart it.
 */
export const loitering: RuleKind<LoiteringParams> = {
  describe: (p) => `Loitering: a ${listOr(p.labels)} staying inside the zone for at least ${formatDuration(p.dwellSeconds)}. ${describeLifecycle(p)}`,
  dwellSeconds: (p) => p.dwellSeconds,
  subject: (p) => `the ${listOr(p.labels)}`,
  lapse: () => 'left the zone',
  create: (p) => {
    const entered = new Map<number, { at: number; lastInside: number }>();
    return {
      evaluate({ at, inZone }) {
        for (const [id, e] of entered) if (at - e.lastInside > p.endAfterSeconds * 1000) entered.delete(id);
        return inZone
          .filter((t) => p.labels.includes(t.label))
          .map((t) => {
            const e = entered.get(t.id) ?? { at, lastInside: at };
            e.lastInside = at;
            entered.set(t.id, e);
            return { objects: [t], anchors: [t], since: e.at };
          });
      },
    };
  },
};
