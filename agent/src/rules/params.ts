import { z } from 'zod';
import { durationSeconds, idSchema } from '../core/schema.ts';

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], {
  error: 'expected a weekday: mon, tue, wed, thu, fri, sat or sun',
});
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error: 'expected a time of day "HH:MM" (00:00–24:00)' });

/** When a rule is in force, in the site's timezone; a window may cross midnight (22:00–06:00). */
export const scheduleWindowSchema = z
  .strictObject({
    days: z.array(weekday).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
    from: clock,
    to: clock,
  })
  .refine((w) => w.from !== '24:00', { error: 'expected "from" before 24:00 (use 00:00)', path: ['from'] })
  .refine((w) => w.from !== w.to, { error: 'expected "from" and "to" to differ (use 00:00–24:00 for a whole day)', path: ['to'] });
export type ScheduleWindow = z.infer<typeof scheduleWindowSchema>;

/** Parameters every rule type has. */
export const commonRuleFields = {
  id: idSchema,
  /**
   * The catalogue event type this rule reports (its category in the alert). Set by `preset:`; a rule given by its
   * type reports the catalogue's default event for that type unless this names another.
   */
  event: idSchema.optional(),
  /** Rule applies only inside these windows; absent = always. */
  schedule: z.array(scheduleWindowSchema).min(1).optional(),
  /**
   * Objects whose mean detection score is lower are not considered. The default is the tracker's default
   * newTrackScore: lower values only matter once the tracker is told to start tracks lower too.
   */
  minScore: z.number().min(0).max(1).default(0.45),
  /** Published `updated` messages are at least this far apart. */
  updateIntervalSeconds: durationSeconds('updateIntervalSeconds').default(60),
  /**
   * The condition must be false this long before the event ends (covers occlusion and jitter). Rule types whose
   * objects come and go (intrusion, loitering, crossings) default shorter, so separate visitors stay separate events.
   */
  endAfterSeconds: durationSeconds('endAfterSeconds').default(30),
  /** After a dispatch, a violation still present this long gets a reminder `updated` (and again every period). */
  reminderSeconds: z
    .number({ error: 'expected reminderSeconds in seconds (number)' })
    .positive({ error: 'expected reminderSeconds > 0' })
    .default(600),
  /** After `false_positive`, the objects of that event are ignored in this zone for this long. */
  suppressSeconds: durationSeconds('suppressSeconds').default(3600),
};

export const labelsField = (def: string[]) => z.array(z.string().min(1)).min(1, { error: 'expected at least one label' }).default(def);
