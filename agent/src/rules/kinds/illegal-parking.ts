import { z } from 'zod';
import { iou } from '../../core/geometry.ts';
import { durationSeconds } from '../../core/schema.ts';
import type { Track } from '../../track/types.ts';
import { describeLifecycle, formatDuration, listOr } from '../describe.ts';
import { isSettled, type RuleKindEntry } from '../kind.ts';
import { commonRuleFields, labelsField } from '../params.ts';

export const illegalParkingSchema = z
  .strictObject({
    ...commonRuleFields,
    type: z.literal('illegal_parking').meta({ description: 'Illegal parking: a vehicle standing still inside the zone for dwellSeconds.' }),
    labels: labelsField(['car', 'truck', 'bus', 'motorcycle']).meta({
      description: 'Labels that count as vehicles (model labels or labelMap names); default car, truck, bus, motorcycle.',
    }),
    dwellSeconds: durationSeconds('dwellSeconds')
      .default(180)
      .meta({ description: 'Seconds a vehicle must stand still inside the zone before it is a violation (default 180).' }),
    warnAfterSeconds: durationSeconds('warnAfterSeconds').optional().meta({
      description:
        'Optional warning stage: after this many seconds (shorter than dwellSeconds) a warning event, which becomes the violation at dwellSeconds; a driver who leaves in between ends it as a warning only. Absent: no warning.',
    }),
  })
  .refine((p) => p.warnAfterSeconds === undefined || p.warnAfterSeconds < p.dwellSeconds, {
    error: 'expected warnAfterSeconds shorter than dwellSeconds (the warning comes before the violation)',
    path: ['warnAfterSeconds'],
  });
export type IllegalParkingParams = z.infer<typeof illegalParkingSchema>;

/** Boxes overlapping this much are one vehicle seen under two labels (car and truck). */
const SAME_VEHICLE_IOU = 0.5;

export const illegalParking: RuleKindEntry<typeof illegalParkingSchema> = {
  schema: illegalParkingSchema,
  words: { verb: { zh: '静止', en: 'stationary' } },
  describe: (p, limits) =>
    `Illegal parking: a ${listOr(p.labels)} stationary inside the zone for at least ${formatDuration(p.dwellSeconds)}` +
    (p.warnAfterSeconds !== undefined
      ? ` (a warning after ${formatDuration(p.warnAfterSeconds)}, the violation after ${formatDuration(p.dwellSeconds)})`
      : '') +
    `. ${describeLifecycle(p, limits)}`,
  dwellSeconds: (p) => p.dwellSeconds,
  warnSeconds: (p) => p.warnAfterSeconds,
  needs: (p) => [p.labels],
  subject: () => 'the vehicle',
  lapse: () => 'the vehicle is no longer stationary inside the zone',
  create: (p) => ({
    evaluate(input) {
      const vehicles = input.inZone.filter((t) => p.labels.includes(t.label) && isSettled(t, input, p.dwellSeconds));
      return groupOverlapping(vehicles).map((group) => ({
        objects: group,
        anchors: group,
        since: Math.min(...group.map((t) => t.stationarySince)),
      }));
    },
  }),
};

function groupOverlapping(tracks: readonly Track[]): Track[][] {
  const groups: Track[][] = [];
  for (const t of tracks) {
    const g = groups.find((members) => members.some((m) => iou(m.box, t.box) >= SAME_VEHICLE_IOU));
    if (g) g.push(t);
    else groups.push([t]);
  }
  return groups;
}
