import { z } from 'zod';
import { plateSchema } from '../plate/schema.ts';
import { eventStateSchema, operatorActionSchema } from '../rules/states.ts';

/**
 * The published alert, `jifang.event/1`. One `id` per violation, stable across its lifecycle;
 * consumers de-duplicate by (`id`, `seq`) because delivery is at-least-once.
 * Changing a field's meaning needs a new schema version; adding optional fields does not.
 */
export const ALERT_SCHEMA_ID = 'jifang.event/1';

const isoTime = z.iso.datetime({ offset: true });
const unit = z.number().min(0).max(1);

export const geoPointSchema = z.strictObject({
  type: z.literal('Point'),
  /** GeoJSON order: [longitude, latitude]. */
  coordinates: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]),
});
export type GeoPoint = z.infer<typeof geoPointSchema>;

export const alertObjectSchema = z.strictObject({
  label: z.string(),
  score: unit,
  trackId: z.number().int(),
  /** Normalised to the analysis frame, 0..1. */
  box: z.strictObject({ x: unit, y: unit, width: unit, height: unit }),
  /** Ground contact of the object (bottom centre) on the map; absent when the camera is uncalibrated. */
  geo: geoPointSchema.optional(),
  /** The vehicle's licence plate, voted across the event's evidence frames; absent when not read or unreadable. */
  plate: plateSchema.optional(),
});
export type AlertObject = z.infer<typeof alertObjectSchema>;

export const alertSchema = z.strictObject({
  schema: z.literal(ALERT_SCHEMA_ID),
  id: z.string().min(1),
  /** 0 for `started`, +1 for every later message of the same event. */
  seq: z.number().int().min(0),
  type: z.string().min(1),
  state: eventStateSchema,
  site: z.string(),
  camera: z.string(),
  cameraName: z.string().optional(),
  zone: z.string(),
  zoneName: z.string().optional(),
  startedAt: isoTime,
  observedAt: isoTime,
  endedAt: isoTime.optional(),
  dwellSeconds: z.number().min(0),
  /** Why the event ended or cleared, in plain words. */
  reason: z.string().optional(),
  objects: z.array(alertObjectSchema),
  location: geoPointSchema,
  /** `calibrated`: the objects' ground contact via the camera's homography; `camera`: the camera's own position. */
  locationSource: z.enum(['calibrated', 'camera']),
  address: z.string().optional(),
  evidence: z.strictObject({
    snapshot: z
      .strictObject({
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        bytes: z.number().int().positive(),
        width: z.number().int().positive(),
        height: z.number().int().positive(),
        /** Topic the annotated JPEG is published on. */
        topic: z.string(),
      })
      .optional(),
    thumbnail: z
      .strictObject({
        mime: z.literal('image/jpeg'),
        base64: z.string(),
        width: z.number().int().positive(),
        height: z.number().int().positive(),
      })
      .optional(),
    clip: z
      .strictObject({
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        bytes: z.number().int().positive(),
        durationSeconds: z.number().positive(),
        startedAt: isoTime,
      })
      .optional(),
  }),
  rule: z.strictObject({
    id: z.string(),
    type: z.string(),
    description: z.string(),
    parameters: z.record(z.string(), z.unknown()),
  }),
  model: z.strictObject({ name: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  agent: z.strictObject({ version: z.string(), boxId: z.string() }),
  /** The latest operator action taken on this event, when there is one. */
  operator: z
    .strictObject({
      action: operatorActionSchema,
      by: z.string(),
      at: isoTime,
      note: z.string().optional(),
      unit: z.string().optional(),
    })
    .optional(),
});
export type Alert = z.infer<typeof alertSchema>;
