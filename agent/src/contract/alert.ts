import { z } from 'zod';
import { eventStateSchema, operatorActionSchema } from './event-states.ts';
import { EVENT_TYPE_IDS, SITE_EVENT_PREFIX } from './event-types.ts';
import { plateSchema } from './plate.ts';
import { RULE_TYPES } from './rule-types.ts';

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

/** The catalogue's event types; a site's own types (added by its catalogue file) start with "x_". */
export const eventTypeIdSchema = z.union([z.enum(EVENT_TYPE_IDS), z.string().regex(new RegExp(`^${SITE_EVENT_PREFIX}[a-z0-9_-]+$`))]);

/** What the event is in the standard's words and codes, from the event catalogue. */
export const categorySchema = z.strictObject({
  /** The catalogue's event type id: route on this or on `code`. */
  id: eventTypeIdSchema,
  /** The standard's name (Chinese), as platforms file it (SXMC). */
  name: z.string().min(1),
  nameEn: z.string().min(1),
  /** The standard the codes are from; absent when the type has no code in it. */
  standard: z.string().optional(),
  /** GB/T 47678.5 5-digit 事项 code (2-digit 大类 + 3-digit 小类). */
  code: z
    .string()
    .regex(/^\d{5}$/)
    .optional(),
  /** The full 11-digit 事项代码: the site's GB/T 2260 division code + `code`; absent without either. */
  fullCode: z
    .string()
    .regex(/^\d{11}$/)
    .optional(),
  /** The older city-system (数字城管) code, "04-06". */
  legacyCode: z.string().optional(),
  /** The Dahua NetSDK event code of the same type, for platforms that also take vendors' boxes. */
  dahuaCode: z.string().optional(),
  /** Which catalogue the codes came from (built-in version, plus the site's corrections). */
  catalogueVersion: z.string(),
});
export type Category = z.infer<typeof categorySchema>;

const modelRefSchema = z.strictObject({ name: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const alertObjectSchema = z.strictObject({
  label: z.string(),
  /**
   * The configured model that saw the object: `default` (the config's `model:`) or a name under its `models:`, whose
   * manifest `models` names. Absent for static foreground (no model) and in alerts from before multi-model boxes.
   */
  model: z.string().optional(),
  score: unit,
  trackId: z.number().int(),
  /** Normalised to the analysis frame, 0..1. */
  box: z.strictObject({ x: unit, y: unit, width: unit, height: unit }),
  /** Ground contact of the object (bottom centre) on the map; absent when the camera is uncalibrated. */
  geo: geoPointSchema.optional(),
  /** The vehicle's licence plate, voted across the event's evidence frames; absent when not read or unreadable. */
  plate: plateSchema.optional(),
  /**
   * Static foreground found by the scene model rather than a detected object (label `static_object`, `trackId`
   * negative): its area and the labels of any detections overlapping it.
   */
  foreground: z.strictObject({ area: unit, overlaps: z.array(z.string()) }).optional(),
});
export type AlertObject = z.infer<typeof alertObjectSchema>;

export const alertSchema = z.strictObject({
  schema: z.literal(ALERT_SCHEMA_ID),
  id: z.string().min(1),
  /** 0 for `started`, +1 for every later message of the same event. */
  seq: z.number().int().min(0),
  /** The rule type that decided it. */
  type: z.enum(RULE_TYPES),
  /**
   * The event type in the standard's words and codes. Every alert this agent builds carries it; optional in the
   * schema so alerts queued in an outbox before an upgrade still validate (the field is additive to event/1).
   */
  category: categorySchema.optional(),
  state: eventStateSchema,
  /** Two-stage rules (parking with a warning): `warning` first, then `violation`. */
  phase: z.enum(['warning', 'violation']).optional(),
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
    type: z.enum(RULE_TYPES),
    description: z.string(),
    parameters: z.record(z.string(), z.unknown()),
  }),
  /** The default model (the config's `model:`). */
  model: modelRefSchema,
  /** The camera's models by the names `objects[].model` uses, each with its manifest's name and file hash. */
  models: z.record(z.string(), modelRefSchema).optional(),
  agent: z.strictObject({ version: z.string(), boxId: z.string() }),
  /**
   * The box's publication number: 1 for the first alert message the box ever published, +1 for every later one, kept
   * across restarts; the same number on every re-send of the same message. A gap in it is a message the archive has not
   * got, which the center asks the box to re-send (`cmd/resend`). Absent from alerts of boxes before it was added.
   */
  publication: z
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: "The box's publication number: +1 for every alert message the box publishes, kept across restarts." }),
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
