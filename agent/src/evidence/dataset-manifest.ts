import { z } from 'zod';

/** `manifest.json` of a `jifang dataset export` folder: what each image is, where it came from and what it shows. */
export const DATASET_SCHEMA_ID = 'jifang.dataset/1';

export const datasetFormatSchema = z.enum(['yolo', 'coco']);
export type DatasetFormat = z.infer<typeof datasetFormatSchema>;

/** How an operator's decisions confirmed (or rejected) the event. */
export const datasetOutcomeSchema = z.enum(['cleared', 'resolved', 'false_positive']);
export type DatasetOutcome = z.infer<typeof datasetOutcomeSchema>;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().nonnegative();

const datasetBoxSchema = z.strictObject({
  label: z.string(),
  /** Index into `classes`; absent for a rejected box whose label no confirmed event has. */
  class: count.optional(),
  score: z.number().min(0).max(1),
  /** `yolo`: [centre x, centre y, width, height] normalised to the image; `coco`: [x, y, width, height] in pixels. */
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});

export const datasetImageSchema = z.strictObject({
  /** Relative to the export folder. */
  file: z.string(),
  /** The YOLO label file (empty for a hard negative); absent in COCO, whose boxes are in `annotations.json`. */
  labels: z.string().optional(),
  camera: z.string(),
  eventId: z.string(),
  /** The rule type that decided the event. */
  type: z.string(),
  /** The event catalogue's type id, when the decision recorded it. */
  category: z.string().optional(),
  outcome: datasetOutcomeSchema,
  /** A hard negative: an operator judged the event false, so the image has no labels. */
  negative: z.boolean(),
  width: count,
  height: count,
  /** When the frame was captured. */
  at: z.iso.datetime({ offset: true }),
  /** The event's objects, in the format's coordinates; empty for a hard negative. */
  boxes: z.array(datasetBoxSchema),
  /** A hard negative's boxes the detector reported and the operator rejected (not in its label file). */
  rejected: z.array(datasetBoxSchema).optional(),
  /** The evidence file the image was made from (relative to the evidence folder) and its SHA-256. */
  source: z.string(),
  sourceSha256: sha256,
  /**
   * `reapplied`: the camera's privacy masks (from the config) were applied again at export, whatever the stored frame
   * held; `no_masks`: the camera has none; `unchecked`: exported without a config, as stored (masked when captured).
   */
  privacy: z.enum(['reapplied', 'no_masks', 'unchecked']),
});
export type DatasetImage = z.infer<typeof datasetImageSchema>;

export const datasetManifestSchema = z.strictObject({
  schema: z.literal(DATASET_SCHEMA_ID),
  format: datasetFormatSchema,
  /** Only events whose evidence started at or after this time. */
  since: z.iso.datetime({ offset: true }).optional(),
  /** Class names; a YOLO class id and a COCO category id − 1 index this list. */
  classes: z.array(z.string()),
  counts: z.strictObject({
    images: count,
    positives: count,
    negatives: count,
    boxes: count,
    events: z.strictObject({ cleared: count, resolved: count, false_positive: count }),
    /** Events left out: no operator decision that confirms or rejects them; confirmed but without an undrawn frame. */
    skipped: z.strictObject({ undecided: count, noFrame: count }),
    /** Stored frames whose masked area was not black (masked afresh at export). */
    unmaskedAtSource: count,
  }),
  images: z.array(datasetImageSchema),
});
export type DatasetManifest = z.infer<typeof datasetManifestSchema>;
