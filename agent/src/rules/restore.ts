import { z } from 'zod';
import { operatorActionSchema } from '../contract/event-states.ts';

/** How open events outlive a stop or a crash of the agent (`events` in the config). */
export const eventRestoreConfigSchema = z.strictObject({
  stateIntervalSeconds: z.number().positive().max(300).default(5).meta({
    description:
      'How often the open events (id, seq, dwell, last box) are written to disk, besides every alert and the shutdown: what a kill -9 can lose.',
  }),
  restoreGraceSeconds: z.number().positive().max(3600).default(30).meta({
    description:
      'After a restart, how long (from the camera’s first frame) an event restored from disk waits for its object to be seen again at its place before it is ended as not seen after the restart.',
  }),
  maxDowntimeMinutes: z.number().positive().default(60).meta({
    description:
      'An event whose object was last seen longer ago than this when the agent starts again is ended at once (the agent was down too long to tell whether the violation went on).',
  }),
});
export type EventRestoreConfig = z.infer<typeof eventRestoreConfigSchema>;

const boxSchema = z.strictObject({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });

/**
 * One open event as written to disk. Wall-clock times say when (for the alert); durations are stored as elapsed
 * milliseconds because the monotonic clock starts again with the process.
 */
export const savedEventSchema = z.strictObject({
  eventId: z.string().min(1),
  /** The seq the event's next message takes. */
  nextSeq: z.number().int().min(0),
  zone: z.string(),
  rule: z.string(),
  type: z.string(),
  key: z.string().optional(),
  /** Wall clock when the condition began (the event's `startedAt`). */
  startedAtWall: z.number(),
  /** Wall clock of the latest sighting. */
  lastSeenWall: z.number(),
  /** Dwell (start of the condition to the latest sighting) on the monotonic clock. */
  dwellMs: z.number().min(0),
  phase: z.enum(['warning', 'violation']).optional(),
  /** Where the objects were last seen (union of the anchors' boxes, pixels of the analysed frame). */
  region: boxSchema,
  objects: z.array(
    z.strictObject({
      trackId: z.number(),
      label: z.string(),
      score: z.number(),
      box: boxSchema,
      /** The model that saw it, on a camera with several. */
      model: z.string().optional(),
      foreground: z.strictObject({ area: z.number(), overlaps: z.array(z.string()) }).optional(),
    }),
  ),
  bestQuality: z.number(),
  operator: z
    .strictObject({
      action: operatorActionSchema,
      by: z.string(),
      at: z.number(),
      note: z.string().optional(),
      unit: z.string().optional(),
    })
    .optional(),
  /** Dispatched this long before the latest sighting. */
  dispatchedAgoMs: z.number().min(0).optional(),
  /** The next reminder was due this long after the latest sighting. */
  remindInMs: z.number().optional(),
});
export type SavedEvent = z.infer<typeof savedEventSchema>;

export const END_NOT_SEEN = 'not_seen_after_restart';

/** What becomes of a saved event when the agent starts again, before any frame is judged. */
export type RestoreVerdict =
  | { resume: true; downtimeMs: number; dwellMs: number }
  | { resume: false; downtimeMs: number; reason: string; endedAt: number };

/**
 * A saved event resumes unless the agent was down longer than the limit. The downtime counts from the latest
 * sighting by the wall clock; a wall clock that went back across the restart (a box without a real-time clock)
 * counts as no downtime, so the dwell continues from what was measured. Pure.
 */
export function restoreVerdict(saved: SavedEvent, nowWall: number, maxDowntimeMs: number): RestoreVerdict {
  const downtimeMs = Math.max(0, nowWall - saved.lastSeenWall);
  if (downtimeMs > maxDowntimeMs)
    return {
      resume: false,
      downtimeMs,
      endedAt: saved.lastSeenWall,
      reason: `${END_NOT_SEEN}: the agent was down ${Math.round(downtimeMs / 1000)} s, longer than ${Math.round(maxDowntimeMs / 60_000)} min; last seen ${new Date(saved.lastSeenWall).toISOString()}`,
    };
  return { resume: true, downtimeMs, dwellMs: saved.dwellMs + downtimeMs };
}

/** The end reason of a restored event whose object did not come back within the grace period. */
export function notSeenReason(saved: Pick<SavedEvent, 'lastSeenWall'>, graceMs: number, downtimeMs: number): string {
  return `${END_NOT_SEEN}: not seen at its place within ${Math.round(graceMs / 1000)} s after the agent restarted (down ${Math.round(downtimeMs / 1000)} s); last seen ${new Date(saved.lastSeenWall).toISOString()}`;
}
