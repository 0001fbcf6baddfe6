import { z } from 'zod';
import { boxGap, iou, unionBox } from '../../core/geometry.ts';
import { durationSeconds } from '../../core/schema.ts';
import { describeLifecycle, formatDuration, listOr } from '../describe.ts';
import { unexplainedBlobs } from '../foreground.ts';
import { isSettled, type RuleKindEntry, type RuleObject } from '../kind.ts';
import { commonRuleFields, labelsField } from '../params.ts';

/**
 * Goods and stall furniture a COCO model names. Bicycles and motorcycles are not goods: a parked bike is
 * `disorderly_bikes`, not a stall. Nor is a bench: street furniture, where people sit. Produce is, because on a fruit
 * stall it hides the table.
 */
export const DEFAULT_GOODS = ['umbrella', 'dining table', 'chair', 'suitcase', 'banana', 'apple', 'orange', 'broccoli', 'carrot'];
/** Static foreground covered by one of these, tracked, is that object standing still, not a stall. */
export const DEFAULT_EXPLAINED_BY = ['person', 'car', 'truck', 'bus', 'motorcycle', 'bicycle'];

/** A weak object overlapping a tracked one of its label this much is that object seen weakly. */
const SAME_GOODS_IOU = 0.5;

export const streetVendingSchema = z.strictObject({
  ...commonRuleFields,
  type: z.literal('street_vending').meta({
    description:
      'Street vending: a stall (goods that stay, or a new object that stays) inside the zone with people at it, for dwellSeconds.',
  }),
  labels: labelsField(DEFAULT_GOODS).meta({
    description:
      'Labels that count as goods or stall furniture; default umbrella, dining table, chair, suitcase and produce (not bicycles, not benches).',
  }),
  personLabels: labelsField(['person']).meta({ description: 'Labels that count as the people at the stall; default person.' }),
  stall: z
    .enum(['objects', 'foreground', 'either'], { error: 'expected stall "objects", "foreground" or "either"' })
    .default('either')
    .meta({
      description:
        'What makes the stall: objects (goods the model detects, standing still), foreground (a new object that stays, for carts, tarps, crates no class names) or either (default).',
    }),
  weakGoods: z.boolean().default(true).meta({
    description:
      'Goods the model scores too low to track (from 0.25, below minScore) count when found at the same place in most frames for 10 s: produce on a stall that stood there before the camera started (default true).',
  }),
  minObjects: z.number().int().min(1).default(1).meta({ description: 'How many goods standing together make a stall (default 1).' }),
  minPeople: z
    .number()
    .int()
    .min(0)
    .default(1)
    .meta({ description: 'People at the stall needed (default 1; 0 for goods left out with nobody at them).' }),
  clusterGap: z
    .number()
    .min(0)
    .default(1.5)
    .meta({ description: "Goods this close to each other, in multiples of the taller one's height, are one stall (default 1.5)." }),
  peopleGap: z.number().min(0).default(1).meta({
    description:
      "A person this close to the stall, in multiples of the person's height, tends it: standing in the zone, or outside it standing still; passers-by outside the zone never count (default 1).",
  }),
  minForegroundArea: z
    .number()
    .min(0)
    .default(400)
    .meta({ description: 'New objects smaller than this, in pixels of the analysis frame, are no stall (default 400).' }),
  explainedBy: labelsField(DEFAULT_EXPLAINED_BY).meta({
    description:
      'A new object mostly covered by a tracked object with one of these labels is that object, not a stall; default person and vehicles.',
  }),
  dwellSeconds: durationSeconds('dwellSeconds')
    .default(300)
    .meta({ description: 'Seconds the stall (with its people) must stay before it is an event (default 300).' }),
});
export type StreetVendingParams = z.infer<typeof streetVendingSchema>;

const usesObjects = (p: StreetVendingParams) => p.stall !== 'foreground';
const usesForeground = (p: StreetVendingParams) => p.stall !== 'objects';
const usesWeak = (p: StreetVendingParams) => usesObjects(p) && p.weakGoods;

function stallWords(p: StreetVendingParams): string {
  const weak = usesWeak(p) ? ' (also goods scored below minScore, from 0.25, found at one place in most frames for 10 s)' : '';
  const objects = `at least ${p.minObjects} stationary ${listOr(p.labels)} within ${p.clusterGap}× their height of each other${weak}`;
  const foreground = `static foreground not explained by a tracked ${listOr(p.explainedBy)}`;
  return p.stall === 'objects' ? objects : p.stall === 'foreground' ? foreground : `${objects}, or ${foreground}`;
}

export const streetVending: RuleKindEntry<typeof streetVendingSchema> = {
  schema: streetVendingSchema,
  words: { verb: { zh: '摆摊', en: 'vending' } },
  describe: (p, limits) =>
    `Street vending: a stall inside the zone (${stallWords(p)})` +
    (p.minPeople > 0
      ? ` with at least ${p.minPeople} ${listOr(p.personLabels)} at it (within ${p.peopleGap}× their height of the stall, standing in the zone or, outside it, standing still; passers-by outside the zone do not count)`
      : '') +
    `, all of it for at least ${formatDuration(p.dwellSeconds)}. ${describeLifecycle(p, limits)}`,
  dwellSeconds: (p) => p.dwellSeconds,
  needs: (p) => [...(p.stall === 'objects' ? [p.labels] : []), ...(p.minPeople > 0 ? [p.personLabels] : [])],
  usesForeground,
  weakLabels: (p) => (usesWeak(p) ? p.labels : []),
  subject: () => 'the stall',
  lapse: (p) => `no stall${p.minPeople > 0 ? ` with ${p.minPeople} ${listOr(p.personLabels)} at it` : ''} remains in the zone`,
  create: (p, zone) => ({
    evaluate(input) {
      const goods: RuleObject[] = usesObjects(p)
        ? input.inZone.filter((t) => p.labels.includes(t.label) && isSettled(t, input, p.dwellSeconds))
        : [];
      // Weak goods already stayed put for their settling time; a tracked object at the same place is the same goods.
      if (usesWeak(p) && input.weakInZone)
        for (const w of input.weakInZone)
          if (p.labels.includes(w.label) && !goods.some((g) => g.label === w.label && iou(g.box, w.box) >= SAME_GOODS_IOU)) goods.push(w);
      const blobs = usesForeground(p) ? unexplainedBlobs(input.foreground, input.tracks, zone, p.explainedBy, p.minForegroundArea) : [];
      const inZone = new Set(input.inZone);
      const people = input.tracks.filter((t) => p.personLabels.includes(t.label) && (inZone.has(t) || isSettled(t, input, p.dwellSeconds)));
      return clusters([...goods, ...blobs], p.clusterGap).flatMap((stall) => {
        if (stall.length < p.minObjects && !stall.some((o) => o.foreground)) return [];
        const area = unionBox(stall.map((t) => t.box));
        const tending = people.filter((t) => boxGap(t.box, area) <= p.peopleGap * (t.box.y2 - t.box.y1));
        if (tending.length < p.minPeople) return [];
        // No `since`: the dwell runs from when stall and people are first seen together.
        return [{ objects: [...stall, ...tending], anchors: stall }];
      });
    },
  }),
};

/** Single-linkage clusters: objects within `gap` × the taller one's height of any member join it. */
function clusters(objects: readonly RuleObject[], gap: number): RuleObject[][] {
  const groups: RuleObject[][] = objects.map((t) => [t]);
  const near = (a: RuleObject, b: RuleObject) => boxGap(a.box, b.box) <= gap * Math.max(a.box.y2 - a.box.y1, b.box.y2 - b.box.y1);
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
