import { availableParallelism } from 'node:os';
import { z } from 'zod';

export const detectorConfigSchema = z.strictObject({
  manifest: z.string().min(1).default('models/picodet_s_416_coco.json').meta({
    description:
      'The model manifest (models/*.json) naming the ONNX file, its input size and labels; relative to the config file, then the project folder. Default: the bundled COCO model.',
  }),
  /**
   * ONNX Runtime's threads for one inference. Absent: one fewer than the box's cores (at least 1), so a core stays
   * free for ffmpeg decoding, the event loop and evidence; on a 2-core box that measured as fast as 2 threads.
   */
  intraOpThreads: z
    .number()
    .int()
    .min(1)
    .max(64)
    .optional()
    .meta({ description: "CPU threads one inference may use (1 to 64). Absent: one fewer than the box's cores, at least 1." }),
  interOpThreads: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(1)
    .meta({ description: 'Threads ONNX Runtime uses to run independent parts of the model side by side (default 1).' }),
  graphOptimization: z
    .enum(['disabled', 'basic', 'extended', 'all'])
    .default('all')
    .meta({ description: 'How much ONNX Runtime rewrites the model for speed when loading it (default all).' }),
  /**
   * Let ONNX Runtime's threads busy-wait for the next job. Off by default: on a small box the spinning threads take
   * CPU from ffmpeg decoding and from preprocessing, and under load inference gets slower, not faster.
   */
  allowSpinning: z.boolean().default(false).meta({
    description: "Let ONNX Runtime's threads busy-wait for the next inference (default false: it costs a small box more than it gains).",
  }),
  /**
   * `worker` (the default): the detector runs in its own thread with its own ONNX Runtime session, so the main thread
   * (MQTT, HTTP, rules, evidence) never waits on an inference; `main`: in the main thread (ORT's own threads still run
   * the model, but preprocessing and decoding hold the event loop).
   */
  thread: z.enum(['worker', 'main']).default('worker').meta({
    description:
      'worker (default): the model runs in its own thread so MQTT, the web console and rules never wait for it; main: in the main thread.',
  }),
  executionProviders: z.array(z.string().min(1)).default(['cpu']).meta({
    description: 'ONNX Runtime execution providers to try, in order (e.g. "cuda"); CPU is always the last resort. Default ["cpu"].',
  }),
  /**
   * Detections below this are discarded. Low on purpose: the tracker keeps a followed object alive with detections
   * from 0.25 (an occluded parked car scores low), while each rule's `minScore` decides what counts as evidence.
   */
  scoreThreshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.25)
    .meta({ description: 'Detections scoring below this (0 to 1) are discarded (default 0.25; each rule has its own minScore).' }),
  classThresholds: z.record(z.string(), z.number().min(0).max(1)).default({}).meta({
    description: 'Score thresholds (0 to 1) for single labels, by model label or mapped label, e.g. { person: 0.4 }. Default none.',
  }),
  nmsIou: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .meta({ description: 'Boxes of one label overlapping more than this (intersection over union, 0 to 1) are one object (default 0.5).' }),
  maxDetections: z
    .number()
    .int()
    .min(1)
    .default(100)
    .meta({ description: 'At most this many detections per inference are kept (default 100).' }),
  minBoxArea: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .meta({ description: 'Boxes smaller than this fraction of the frame (0 to 1) are dropped as specks (default 0: none).' }),
  maxBoxArea: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .meta({ description: 'Boxes larger than this fraction of the frame (0 to 1) are dropped as false hits (default 1: none).' }),
  labelMap: z
    .record(z.string(), z.string())
    .default({})
    .meta({ description: 'Renames model labels for the rules, e.g. { car: vehicle, truck: vehicle }. Default none.' }),
});
export type DetectorConfig = z.infer<typeof detectorConfigSchema>;

const windowSchema = z.strictObject({
  x: z.number().min(0).meta({ description: "The window's left edge, in pixels of the analysis frame." }),
  y: z.number().min(0).meta({ description: "The window's top edge, in pixels of the analysis frame." }),
  width: z.number().positive().meta({ description: "The window's width in pixels of the analysis frame." }),
  height: z.number().positive().meta({ description: "The window's height in pixels of the analysis frame." }),
});

export const windowsSchema = z
  .union([z.enum(['zones', 'none']), z.array(windowSchema).min(1)])
  .default('zones')
  .meta({
    description:
      "Extra detection windows, so small objects are seen at the model's own resolution: zones (default) uses each zone's padded bounding box; none analyses only the whole frame; or a list of windows in analysis-frame pixels.",
  });
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
