import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError, problemsFromZod } from '../core/errors.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a lower-case hex SHA-256 (64 characters)' });
const rgbTriple = (what: string) =>
  z.tuple([z.number(), z.number(), z.number()], { error: `expected ${what} as three numbers [r, g, b] on 0..255 values` });

/** Output layouts the detector can decode; see agent/src/detect/decoders. */
export const outputFamilySchema = z.enum(['gfl', 'yolov8', 'yolov5', 'yolox', 'end2end'], {
  error: 'expected output family gfl (PicoDet/NanoDet), yolov8, yolov5, yolox or end2end',
});
export type OutputFamily = z.infer<typeof outputFamilySchema>;

export const modelManifestSchema = z
  .strictObject({
    name: z.string().min(1),
    /** Model file name, resolved next to the manifest. */
    file: z.string().min(1),
    sha256,
    size: z.number().int().positive(),
    /** Where setup downloads the file when it is not found locally (pinned by sha256). */
    url: z.url({ error: 'expected the upstream https URL of the model file' }).optional(),
    licence: z.string().min(1),
    source: z.string().optional(),
    family: outputFamilySchema,
    input: z.strictObject({
      name: z.string().optional(),
      /** Fixed model input size; for dynamic models, the size to run at. */
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      colorOrder: z.enum(['rgb', 'bgr']),
      /** Applied to 0..255 values: (v - mean) / std. */
      mean: rgbTriple('mean'),
      std: rgbTriple('std').refine((s) => s.every((v) => v !== 0), { error: 'expected std values other than 0' }),
      /** `letterbox` keeps the aspect ratio (image top-left, padded); `stretch` resizes to fit. */
      resize: z.enum(['letterbox', 'stretch']).default('letterbox'),
      /** 0..255 value of the letterbox padding, before normalising (YOLOX uses 114). */
      padValue: z.number().default(0),
      /**
       * The model is fully convolutional: a letterboxed picture lower than the input runs on its own rows, rounded up to
       * this multiple (the stride its feature maps must divide: 32 for PP-PicoDet), instead of on padding. A 16:9 frame
       * then costs 256 of 416 rows. Absent: every inference runs at the full input size.
       */
      trimPaddingTo: z.number().int().min(1).optional(),
    }),
    /** Family-specific decoding parameters. */
    decode: z
      .strictObject({
        /** gfl, yolox: anchor-grid strides in output order (defaults: gfl 8,16,32,64; yolox 8,16,32). */
        strides: z.array(z.number().int().positive()).min(1).optional(),
        /** gfl: the largest bin index of the box distribution (bins = regMax + 1 per side). */
        regMax: z.number().int().positive().optional(),
        /** gfl, yolox, yolov5: class (and objectness) scores already passed through a sigmoid. */
        scoresActivated: z.boolean().optional(),
        /** end2end: how boxes are written, and whether they are fractions of the input size instead of pixels. */
        boxFormat: z.enum(['xyxy', 'cxcywh']).optional(),
        normalizedBoxes: z.boolean().optional(),
        /** end2end single-tensor [N, 6] rows: `box_score_class` (YOLOv10, Ultralytics nms=True) or `class_score_box` (PaddleDetection). */
        rowOrder: z.enum(['box_score_class', 'class_score_box']).optional(),
        /** end2end: an extra int64 input fed the input size [[width, height]] (D-FINE / RT-DETR `orig_target_sizes`). */
        sizeInput: z.string().min(1).optional(),
      })
      .default({}),
    labels: z.strictObject({
      file: z.string().min(1),
      sha256: sha256.optional(),
      url: z.url().optional(),
    }),
  })
  .superRefine((m, ctx) => {
    const trim = m.input.trimPaddingTo;
    if (trim === undefined) return;
    const path = ['input', 'trimPaddingTo'];
    if (m.input.resize !== 'letterbox')
      ctx.addIssue({
        code: 'custom',
        path,
        message: 'expected no trimPaddingTo with resize "stretch" (a stretched picture has no padding)',
      });
    else if (m.family === 'end2end')
      ctx.addIssue({
        code: 'custom',
        path,
        message: 'expected no trimPaddingTo for family end2end (its transformer fixes the input size)',
      });
    else if (trim > m.input.height)
      ctx.addIssue({ code: 'custom', path, message: `expected at most input.height (${m.input.height}), e.g. 32` });
  });
export type ModelManifest = z.infer<typeof modelManifestSchema>;

/** Validates manifest JSON text; errors read `FILE: field.path: expected …`. */
export function parseManifest(text: string, file: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const parsed = modelManifestSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, problemsFromZod(parsed.error.issues, raw));
  return parsed.data;
}

export async function readManifest(file: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [
      { path: '', message: `cannot read the model manifest (${(err as NodeJS.ErrnoException).code ?? String(err)})` },
    ]);
  }
  return parseManifest(text, file);
}
