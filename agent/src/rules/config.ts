import { z } from 'zod';
import { durationSeconds, idSchema, pointSchema, polygonSchema } from '../config/common.ts';

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], {
  error: 'expected a weekday: mon, tue, wed, thu, fri, sat or sun',
});
const clock = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, { error: 'expected a time of day "HH:MM" (00:00–24:00)' });

/** When a rule is in force, in the site's timezone; a window may cross midnight (22:00–06:00). */
export const scheduleWindowSchema = z.strictObject({
  days: z.array(weekday).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
  from: clock,
  to: clock,
});
export type ScheduleWindow = z.infer<typeof scheduleWindowSchema>;

const common = {
  id: idSchema,
  /** Rule applies only inside these windows; absent = always. */
  schedule: z.array(scheduleWindowSchema).min(1).optional(),
  minScore: z.number().min(0).max(1).default(0.4),
  /** Published `updated` messages are at least this far apart. */
  updateIntervalSeconds: durationSeconds('updateIntervalSeconds').default(60),
  /** The condition must be false this long before the event ends (covers occlusion and jitter). */
  endAfterSeconds: durationSeconds('endAfterSeconds').default(30),
};

const labels = (def: string[]) => z.array(z.string().min(1)).min(1, { error: 'expected at least one label' }).default(def);

export const illegalParkingSchema = z.strictObject({
  ...common,
  type: z.literal('illegal_parking'),
  labels: labels(['car', 'truck', 'bus', 'motorcycle']),
  dwellSeconds: durationSeconds('dwellSeconds').default(180),
});

export const streetVendingSchema = z.strictObject({
  ...common,
  type: z.literal('street_vending'),
  labels: labels(['umbrella', 'dining table', 'chair', 'bench', 'suitcase', 'motorcycle', 'bicycle']),
  personLabels: labels(['person']),
  minObjects: z.number().int().min(1).default(1),
  minPeople: z.number().int().min(0).default(1),
  dwellSeconds: durationSeconds('dwellSeconds').default(300),
});

export const intrusionSchema = z.strictObject({
  ...common,
  type: z.literal('intrusion'),
  labels: labels(['person']),
  dwellSeconds: durationSeconds('dwellSeconds').default(0),
});

export const crowdSchema = z.strictObject({
  ...common,
  type: z.literal('crowd'),
  labels: labels(['person']),
  minCount: z.number().int().min(2, { error: 'expected minCount ≥ 2' }),
  dwellSeconds: durationSeconds('dwellSeconds').default(60),
});

export const lineCrossingSchema = z.strictObject({
  ...common,
  type: z.literal('line_crossing'),
  labels: labels(['person', 'car', 'bicycle', 'motorcycle']),
  line: z.tuple([pointSchema, pointSchema], { error: 'expected a line [[x1, y1], [x2, y2]]' }),
  /** `left_to_right` is relative to walking the line from its first to its second point. */
  direction: z.enum(['any', 'left_to_right', 'right_to_left']).default('any'),
});

export const loiteringSchema = z.strictObject({
  ...common,
  type: z.literal('loitering'),
  labels: labels(['person']),
  dwellSeconds: durationSeconds('dwellSeconds').default(300),
});

export const ruleSchema = z.discriminatedUnion(
  'type',
  [illegalParkingSchema, streetVendingSchema, intrusionSchema, crowdSchema, lineCrossingSchema, loiteringSchema],
  { error: 'expected a rule type: illegal_parking, street_vending, intrusion, crowd, line_crossing or loitering' },
);
export type RuleConfig = z.infer<typeof ruleSchema>;
export type RuleType = RuleConfig['type'];

export const zoneSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).optional(),
  /** `normalized` points are fractions of the frame (0..1); `pixels` are in the analysis frame. */
  units: z.enum(['normalized', 'pixels']).default('normalized'),
  polygon: polygonSchema,
  /** Which point of a box decides presence: the ground contact (bottom centre) by default. */
  anchor: z.enum(['bottom_center', 'center']).default('bottom_center'),
  rules: z.array(ruleSchema).min(1, { error: 'expected at least one rule in the zone' }),
});
export type ZoneConfig = z.infer<typeof zoneSchema>;
