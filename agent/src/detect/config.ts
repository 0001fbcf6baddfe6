import { availableParallelism } from 'node:os';
import { z } from 'zod';

export const detectorConfigSchema = z.strictObject({
  /** Path to a model manifest (models/*.json), relative to the config file or the project. */
  manifest: z.string().min(1).default('models/picodet_s_416_coco.json'),
  /**
   * ONNX Runtime's threads for one inference. Absent: one fewer than the box's cores (at least 1), so a core stays
   * free for ffmpeg decoding, the event loop and evidence; on a 2-core box that measured as fast as 2 threads.
   */
  intraOpThreads: z.number().int().min(1).max(64).optional(),
  interOpThreads: z.number().int().min(1).max(64).default(1),
  graphOptimization: z.enum(['disabled', 'basic', 'extended', 'all']).default('all'),
  /**
   * Let ONNX Runtime's threads busy-wait for the next job. Off by default: on a small box the spinning threads take
   * CPU from ffmpeg decoding and from preprocessing, and under load inference gets slower, not faster.
   */
  allowSpinning: z.boolean().default(false),
  /**
   * `worker` (the default): the detector runs in its own thread with its own ONNX Runtime session, so the main thread
   * (MQTT, HTTP, rules, evidence) never waits on an inference; `main`: in the main thread (ORT's own threads still run
   * the model, but preprocessing and decoding hold the event loop).
   */
  thread: z.enum(['worker', 'main']).default('worker'),
  /** Tried in order; CPU is always the last resort. */
  executionProviders: z.array(z.string().min(1)).default(['cpu']),
  /**
   * Detections below this are discarded. Low on purpose: the tracker keeps a followed object alive with detections
   * from 0.25 (an occluded parked car scores low), while each rule's `minScore` decides what counts as evidence.
   */
  scoreThreshold: z.number().min(0).max(1).default(0.25),
  /** Per-label score thresholds, by model label or mapped label. */
  classThresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
  nmsIou: z.number().min(0).max(1).default(0.5),
  maxDetections: z.number().int().min(1).default(100),
  /** Relative box area bounds (fraction of the frame) to drop specks and frame-filling false hits. */
  minBoxArea: z.number().min(0).max(1).default(0),
  maxBoxArea: z.number().min(0).max(1).default(1),
  /** Model label → domain label, e.g. { car: vehicle, truck: vehicle }. */
  labelMap: z.record(z.string(), z.string()).default({}),
});
export type DetectorConfig = z.infer<typeof detectorConfigSchema>;

const windowSchema = z.strictObject({
  x: z.number().min(0),
  y: z.number().min(0),
  width: z.number().positive(),
  height: z.number().positive(),
});

/**
 * Extra detection windows, in analysis-frame pixels, run at the model's native size.
 * `zones` (the default) uses each zone's padded bounding box; `none` analyses only the whole frame.
 */
export const windowsSchema = z.union([z.enum(['zones', 'none']), z.array(windowSchema).min(1)]).default('zones');
export type WindowsConfig = z.infer<typeof windowsSchema>;

export function intraOpThreadsOf(cfg: Pick<DetectorConfig, 'intraOpThreads'>): number {
  return cfg.intraOpThreads ?? Math.max(1, availableParallelism() - 1);
}

/** The name of the detector configured under `model:`, as cameras and alerts name it. */
export const DEFAULT_MODEL = 'default';

/** A site's own detector beside the default one: the same settings, but its manifest must be given. */
export const namedDetectorConfigSchema = detectorConfigSchema.extend({
  manifest: z
    .string()
    .min(1)
    .meta({ description: "Path to the model's manifest (models/*.json), relative to the config file or the project." }),
});

/** Detectors besides `model:`, by name: cameras list them in `models`, alert objects name the one that saw them. */
// Names are checked with the config's cross-references: a record's own key check reports no usable message.
export const modelsSchema = z.record(z.string(), namedDetectorConfigSchema).default({}).meta({
  description:
    "Detectors besides `model:` (the default), by name, e.g. a site's own YOLOv8 export trained on stalls; each runs in its own worker, and a camera uses those its `models` lists.",
});

/** The models a camera runs on every inference region, by name; `default` is the one configured under `model:`. */
export const cameraModelsSchema = z
  .array(z.string().min(1, { error: 'expected a model name' }))
  .min(1, { error: 'expected at least one model name, e.g. [default]' })
  .default([DEFAULT_MODEL])
  .meta({
    description:
      'The models this camera runs on every inference region, by name: `default` (the one under `model:`) or one under `models:`; rules take labels from any of them.',
  });
