import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a lower-case hex SHA-256 (64 characters)' });

/** Output layouts the detector can decode; see agent/src/detect/decoders. */
export const outputFamilySchema = z.enum(['gfl', 'yolov8', 'yolov5', 'yolox', 'end2end'], {
  error: 'expected output family gfl (PicoDet/NanoDet), yolov8, yolov5, yolox or end2end',
});
export type OutputFamily = z.infer<typeof outputFamilySchema>;

export const modelManifestSchema = z.strictObject({
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
    mean: z.tuple([z.number(), z.number(), z.number()]),
    std: z.tuple([z.number(), z.number(), z.number()]),
    /** `letterbox` keeps the aspect ratio (image top-left, padded); `stretch` resizes to fit. */
    resize: z.enum(['letterbox', 'stretch']).default('letterbox'),
    padValue: z.number().default(0),
  }),
  /** Family-specific decoding parameters (strides, reg_max, …). */
  decode: z
    .strictObject({
      strides: z.array(z.number().int().positive()).optional(),
      regMax: z.number().int().positive().optional(),
      scoresActivated: z.boolean().optional(),
    })
    .default({}),
  labels: z.strictObject({
    file: z.string().min(1),
    sha256: sha256.optional(),
    url: z.url().optional(),
  }),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;
