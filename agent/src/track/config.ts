import { z } from 'zod';

const unit = (what: string) =>
  z
    .number({ error: `expected ${what} between 0 and 1` })
    .min(0, { error: `expected ${what} ≥ 0` })
    .max(1, { error: `expected ${what} ≤ 1` });
const seconds = (what: string) =>
  z.number({ error: `expected ${what} in seconds (number)` }).positive({ error: `expected ${what} > 0 seconds` });

/**
 * ByteTrack-style association: detections at or above `highScore` are matched first against every
 * track; the rest (down to `lowScore`) may only keep an already-tracked object alive, which is what
 * carries a parked car through a partial occlusion that drops its score. The detector's own score
 * threshold must be at or below `lowScore` for the low band to exist.
 */
export const trackerConfigSchema = z.strictObject({
  // Lower than ByteTrack's 0.6/0.7 (tuned for a strong pedestrian detector): a small COCO model scores real
  // street objects (umbrellas, distant cars) at 0.45–0.6.
  highScore: unit('highScore').default(0.45),
  lowScore: unit('lowScore').default(0.2),
  /** Unmatched high detections at or above this start a new track. */
  newTrackScore: unit('newTrackScore').default(0.45),
  /** Minimum IoU between a track's predicted box and a high-score detection. */
  matchIou: unit('matchIou').default(0.2),
  /** Minimum IoU for a low-score detection: stricter, low scores are often clutter. */
  lowMatchIou: unit('lowMatchIou').default(0.5),
  /** Consecutive matched frames before a new track is reported (1 = at once). */
  minHits: z.number().int().min(1).default(2),
  /** A track nobody matched for this long is dropped; shorter misses keep its id. */
  maxLostSeconds: seconds('maxLostSeconds').default(5),
  /** Box/time samples kept per track. */
  historySeconds: seconds('historySeconds').default(30),
  stationary: z
    .strictObject({
      /** The box is smoothed by a component-wise median over this window, which absorbs single-frame jitter. */
      smoothingSeconds: seconds('stationary.smoothingSeconds').default(2),
      /** Below this IoU with the box where it came to rest, the object has moved. */
      minIou: unit('stationary.minIou').default(0.5),
      /** Movement must persist this long before the rest position is reset (a passing occluder does not). */
      confirmSeconds: z.number().min(0).default(1),
    })
    .default({ smoothingSeconds: 2, minIou: 0.5, confirmSeconds: 1 }),
});
export type TrackerConfig = z.infer<typeof trackerConfigSchema>;
export type TrackerOptions = z.input<typeof trackerConfigSchema>;
