import { z } from 'zod';
import { durationSeconds } from '../../core/schema.ts';
import { boxGap, unionBox } from '../../core/geometry.ts';
import type { Track } from '../../track/types.ts';
import { describeLifecycle, formatDuration, listOr } from '../describe.ts';
import { isSettled, type RuleKind } from '../kind.ts';
import { commonRuleFields, labelsField } from '../params.ts';

export const streetVendingSchema = z.strictObject({
  ...commonRuleFields,
  type: z.literal('street_vending'),
  labels: labelsField(['umbrella', 'dining table', 'chair', 'bench', 'suitcase', 'motorcycle', 'bicycle']),
  personLabels: labelsField(['person']),
  minObjects: z.number().int().min(1).default(1),
  minPeople: z.number().int().min(0).default(1),
  /** Vending objects this close (in multiples of the taller one's height) form one stall. */
  clusterGap: z.number().min(0).default(1.5),
  /** A person this close to the stall (in multiples of the person's height) counts as tending it. */
  peopleGap: z.number().min(0).default(1),
  dwellSeconds: durationSeconds('dwellSeconds').default(300),
});
export type StreetVendingParams = z.infer<typeof streetVendingSchema>;

export const streetVending: RuleKind<StreetVendingParams> = {
  describe: (p, limits) =>
    `Street vending: a stall of at least ${p.minObjects} stationary ${listOr(p.labels)} inside the zone` +
    (p.minPeople > 0 ? ` with at least ${p.minPeople} ${listOr(p.personLabels)} nearby` : '') +
    ` for at least ${formatDuration(p.dwellSeconds)} (objects within ${p.clusterGap}× their height of each other form one stall). ${describeLifecycle(p, limits)}`,
  dwellSeconds: (p) => p.dwellSeconds,
  subject: () => 'the stall',
  lapse: (p) => `fewer than ${p.minObjects} stationary vending objects${p.minPeople > 0 ? ` with ${p.minPeople} ${listOr(p.personLabels)} nearby` : ''} remain in the zone`,
  create: (p) => ({
    evaluate(input) {
      const goods = input.inZone.filter((t) => p.labels.includes(t.label) && isSettled(t, input, p.dwellSeconds));
      const people = input.tracks.filter((t) => p.personLabels.includes(t.label));
      return clusters(goods, p.clusterGap).flatMap((stall) => {
        if (stall.length < p.minObjects) return [];
        const area = unionBox(stall.map((t) => t.box));
        const tending = people.filter((t) => boxGap(t.box, area) <= p.peopleGap * (t.box.y2 - t.box.y1));
        if (tending.length < p.minPeople) return [];
        return [{ objects: [...stall, ...tending], anchors: stall, since: Math.min(...stall.map((t) => t.stationarySince)) }];
      });
    },
  }),
};

/** Single-linkage clusters: objects within `gap` × the taller one's height of any member join it. */
function clusters(tracks: readonly Track[], gap: number): Track[][] {
  const groups: Track[][] = tracks.map((t) => [t]);
  const near = (a: Track, b: Track) => boxGap(a.box, b.box) <= gap * Math.max(a.box.y2 - a.box.y1, b.box.y2 - b.box.y1);
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        if (groups[i].some((a) => groups[j].some((b) => near(a, b)))) {
          groups[i].push(...groups[j]);
          groups.splice(j, 1);
          merged = true;
          break outer;
        }
      }
    }
  }
  return groups;
}
