import { z } from 'zod';
import { durationSeconds, idSchema } from '../core/schema.ts';

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], {
  error: 'expected a weekday: mon, tue, wed, thu, fri, sat or sun',
});
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error: 'expected a time of day "HH:MM" (00:00–24:00)' });

/** When a rule is in force, in the site's timezone; a window may cross midnight (22:00–06:00). */
export const scheduleWindowSchema = z
  .strictObject({
    days: z
      .array(weekday)
      .min(1)
      .default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
      .meta({ description: 'Weekdays the window applies on (mon … sun); default every day.' }),
    from: clock.meta({ description: `Start of the window, "HH:MM" in the site's time zone.` }),
    to: clock.meta({ description: 'End of the window, "HH:MM" (24:00 for midnight); before "from" means the window crosses midnight.' }),
  })
  .refine((w) => w.from !== '24:00', { error: 'expected "from" before 24:00 (use 00:00)', path: ['from'] })
  .refine((w) => w.from !== w.to, { error: 'expected "from" and "to" to differ (use 00:00–24:00 for a whole day)', path: ['to'] });
export type ScheduleWindow = z.infer<typeof scheduleWindowSchema>;

/** Parameters every rule type has. */
export const commonRuleFields = {
  id: idSchema.meta({ description: `The rule's id, unique in its zone: lower-case letters, digits, "-" and "_"; it appears in alerts.` }),
  event: idSchema.optional().meta({
    description:
      "The catalogue event type this rule reports (the alert's category and code), e.g. disorderly_bikes; absent: the catalogue's default for the rule type (jifang catalogue lists them).",
  }),
  schedule: z
    .array(scheduleWindowSchema)
    .min(1)
    .optional()
    .meta({ description: "The rule applies only inside these time windows (site's time zone); absent: always." }),
  /**
   * Objects whose mean detection score is lower are not considered. The default is the tracker's default
   * newTrackScore: lower values only matter once the tracker is told to start tracks lower too.
   */
  minScore: z
    .number()
    .min(0)
    .max(1)
    .default(0.45)
    .meta({ description: 'Objects whose mean detection score (0 to 1) is lower are not considered (default 0.45).' }),
  updateIntervalSeconds: durationSeconds('updateIntervalSeconds')
    .default(60)
    .meta({ description: 'While an event lasts, its "updated" messages are at least this many seconds apart (default 60).' }),
  /**
   * The condition must be false this long before the event ends (covers occlusion and jitter). Rule types whose
   * objects come and go (intrusion, loitering, crossings) default shorter, so separate visitors stay separate events.
   */
  endAfterSeconds: durationSeconds('endAfterSeconds')
    .default(30)
    .meta({ description: 'The event ends once its condition has been false this many seconds (covers occlusion and jitter; default 30).' }),
  reminderSeconds: z
    .number({ error: 'expected reminderSeconds in seconds (number)' })
    .positive({ error: 'expected reminderSeconds > 0' })
    .default(600)
    .meta({
      description:
        'After a dispatch, a violation still there this many seconds later gets a reminder, and again every period (default 600).',
    }),
  suppressSeconds: durationSeconds('suppressSeconds').default(3600).meta({
    description:
      'After an operator marks an event false_positive, its objects are ignored in this zone for this many seconds (default 3600).',
  }),
};

export const labelsField = (def: string[]) => z.array(z.string().min(1)).min(1, { error: 'expected at least one label' }).default(def);
