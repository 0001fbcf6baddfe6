import { z } from 'zod';
import { positiveSeconds, unitFraction } from '../core/schema.ts';

/**
 * ByteTrack-style association: detections at or above `highScore` are matched first against every
 * track; the rest (down to `lowScore`) may only keep an already-tracked object alive, which is what
 * carries a parked car through a partial occlusion that drops its score. The detector's own score
 * threshold must be at or below `lowScore` for the low band to exist.
 */
export const trackerConfigSchema = z.strictObject({
  // Lower than ByteTrack's 0.6/0.7 (tuned for a strong pedestrian detector): a small COCO model scores real
  // street objects (umbrellas, distant cars) at 0.45–0.6.
  highScore: unitFraction('highScore')
    .default(0.45)
    .meta({ description: 'Detections scoring at least this (0 to 1) are matched to tracked objects first (default 0.45).' }),
  lowScore: unitFraction('lowScore').default(0.2).meta({
    description:
      'Detections between this and highScore (0 to 1) may only keep an already tracked object alive, e.g. a parked car half hidden (default 0.2).',
  }),
  newTrackScore: unitFraction('newTrackScore')
    .default(0.45)
    .meta({ description: 'A detection matching no tracked object starts a new one when it scores at least this, 0 to 1 (default 0.45).' }),
  matchIou: unitFraction('matchIou').default(0.2).meta({
    description:
      "The least overlap (intersection over union, 0 to 1) between a tracked object's expected box and a high-score detection for them to match (default 0.2).",
  }),
  lowMatchIou: unitFraction('lowMatchIou')
    .default(0.5)
    .meta({ description: 'The same for a low-score detection: stricter, since low scores are often clutter (default 0.5).' }),
  minHits: z
    .number()
    .int()
    .min(1)
    .default(2)
    .meta({ description: 'Frames in a row a new object must be seen before it is reported (1 = at once; default 2).' }),
  maxLostSeconds: positiveSeconds('maxLostSeconds')
    .default(5)
    .meta({ description: 'An object not seen for this many seconds is forgotten; a shorter miss keeps its identity (default 5).' }),
  historySeconds: positiveSeconds('historySeconds')
    .default(30)
    .meta({ description: 'Seconds of box positions kept for each tracked object (default 30).' }),
  stationary: z
    .strictObject({
      smoothingSeconds: positiveSeconds('stationary.smoothingSeconds')
        .default(2)
        .meta({ description: "The box is smoothed over this many seconds (a median), which absorbs one frame's jitter (default 2)." }),
      minIou: unitFraction('stationary.minIou').default(0.5).meta({
        description:
          'An object whose box overlaps where it came to rest by less than this (intersection over union, 0 to 1) has moved (default 0.5).',
      }),
      confirmSeconds: z.number().min(0).default(1).meta({
        description:
          'Movement must last this many seconds before the rest position is reset, so a passer-by in front does not restart a dwell (default 1).',
      }),
    })
    .default({ smoothingSeconds: 2, minIou: 0.5, confirmSeconds: 1 })
    .meta({ description: 'When a tracked object counts as standing still (which dwell times of parking and vending rules measure).' }),
});
export type TrackerConfig = z.infer<typeof trackerConfigSchema>;
export type TrackerOptions = z.input<typeof trackerConfigSchema>;
