import { z } from 'zod';
import { latLonSchema } from '../core/schema.ts';
import { streamStateSchema } from './stream-state.ts';

/** `…/{camera}/health`, retained: what an installer checks remotely. */
export const cameraHealthSchema = z.strictObject({
  camera: z.string(),
  state: streamStateSchema,
  /** Why the stream is not streaming, in plain words ("connection refused", "stream not found (404)" …). */
  reason: z.string().optional(),
  since: z.iso.datetime({ offset: true }),
  targetFps: z.number(),
  analysedFps: z.number(),
  /** Frames read from the stream that were replaced before analysis (cumulative). */
  skippedFrames: z.number().int(),
  analysedFrames: z.number().int(),
  /** Seconds since the last frame arrived; null before the first one. */
  lastFrameAgeSeconds: z.number().nullable(),
  reconnects: z.number().int(),
  /** Where the model's inferences go (per-frame figures: a mean over about the last 10 s). */
  detection: z
    .strictObject({
      /** Inferences per analysed frame (the whole frame and each region or window count one). */
      inferencesPerFrame: z.number(),
      /** Regions (zone windows, squares around motion and objects) per analysed frame. */
      regionsPerFrame: z.number(),
      /** Fraction of the picture that moved (motion mode; 0 in every_frame mode). */
      motionAreaFraction: z.number(),
      /** Objects kept in the latest frame without inference (stationary, no motion on them). */
      carriedObjects: z.number().int(),
      /** Lighting changes after which the motion background was relearnt (cumulative). */
      recalibrations: z.number().int(),
      inferences: z.number().int(),
      /** Per model of the camera, by its configured name (cumulative): inferences run, and frames it failed on. */
      models: z.record(z.string(), z.strictObject({ inferences: z.number().int(), failures: z.number().int() })).optional(),
    })
    .optional(),
  /**
   * The scene model of static foreground (cameras with a rule reading it): how often it threw away what it had learned
   * because the view changed as a whole — a camera nudged by wind, an IR switch — and static objects are learned afresh.
   */
  scene: z
    .strictObject({
      /** Re-references since the agent started. */
      rereferences: z.number().int(),
      lastRereference: z
        .strictObject({
          at: z.iso.datetime({ offset: true }),
          /** `camera_moved`: a shift lines the old background up with the new view; `scene_changed`: the light (IR) switched. */
          reason: z.enum(['camera_moved', 'scene_changed']),
          /** The shift found, pixels of the analysed frame. */
          shift: z.strictObject({ dx: z.number(), dy: z.number() }).optional(),
          /** Share of the view that no longer matched the background. */
          changedShare: z.number(),
          /** An installer's clean-scene reference was replaced by the current view: capture a new one. */
          referenceLost: z.boolean(),
        })
        .optional(),
    })
    .optional(),
  /**
   * Present while the camera streams but its analysis cannot do all it should, in plain words: the box analyses well
   * under the target frame rate, or the installer's clean-scene reference was lost.
   */
  degraded: z.string().optional(),
  /** The latest event whose clip could not be cut (since the agent started), and why, in plain words. */
  lastClipFailure: z
    .strictObject({
      at: z.iso.datetime({ offset: true }),
      eventId: z.string(),
      reason: z.string(),
    })
    .optional(),
  at: z.iso.datetime({ offset: true }),
});
export type CameraHealth = z.infer<typeof cameraHealthSchema>;

/** `…/status`, retained and the Last Will (`online: false`). */
export const statusSchema = z.strictObject({
  online: z.boolean(),
  agentVersion: z.string(),
  boxId: z.string(),
  startedAt: z.iso.datetime({ offset: true }).optional(),
  at: z.iso.datetime({ offset: true }),
  /** Where the box stands (the site's location), so a map can place a box that has not alerted yet. */
  location: latLonSchema.optional(),
  address: z.string().optional(),
  cameras: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string().optional(),
      state: streamStateSchema.optional(),
      /** Where the camera stands (its own location, else the site's). */
      location: latLonSchema.optional(),
    }),
  ),
  /** Present while the box works but cannot keep everything it should (a full disk holding up the audit log). */
  degraded: z.string().optional(),
});
export type Status = z.infer<typeof statusSchema>;
