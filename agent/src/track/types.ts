import type { Box } from '../core/geometry.ts';

export interface TrackSample {
  at: number;
  box: Box;
  score: number;
}

/**
 * One object followed across frames. A snapshot: `update()` returns new objects every frame;
 * `history` is shared with the tracker and must be treated as read-only.
 */
export interface Track {
  id: number;
  label: string;
  classId: number;
  /** The configured model whose detection it last matched (absent for detections that name none). */
  model?: string;
  /** `lost`: not matched in the latest frame but still within `maxLostSeconds`. */
  state: 'tracked' | 'lost';
  /** Tracked without a detection this frame: at rest where the detector did not look (motion-gated detection). */
  carried: boolean;
  /** The latest matched detection's box (pixels of the analysed frame). */
  box: Box;
  /** The latest matched detection's score. */
  score: number;
  /** Exponential mean of matched scores: steadier than `score` for thresholds. */
  meanScore: number;
  firstSeen: number;
  /** The last frame it was known to be there (detected or carried). */
  lastSeen: number;
  /** The last frame a detection matched it. */
  lastDetected: number;
  hits: number;
  /** Centre velocity, pixels per second. */
  velocity: { x: number; y: number };
  /** Since when the object has stayed where it is now (its first sighting if it never moved). */
  stationarySince: number;
  /** The smoothed box has left its rest position; not yet long enough to reset `stationarySince`. */
  moving: boolean;
  history: readonly TrackSample[];
}
