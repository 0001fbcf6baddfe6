import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError, problemsFromZod } from '../core/errors.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a lower-case hex SHA-256 (64 characters)' });
const rgbTriple = (what: string) =>
  z.tuple([z.number(), z.number(), z.number()], { error: `expected ${what} as three numbers [r, g, b] on 0..255 values` });

/**
 * What a manifest needs to know of an output family. The families themselves (with their decoders) live in
 * agent/src/detect/decoders and are handed to the parser by its callers: model/ sits before detect/.
 */
export interface ManifestFamily {
  readonly name: string;
  /** Models the family covers, named where the families are listed (e.g. "PicoDet/NanoDet"). */
  readonly models?: string;
  /** The family's own `decode` parameters (a strict object: its keys are the parameters). */
  readonly decode: z.ZodObject;
  /** Constraints the family puts on the rest of the manifest: one problem per field it refuses. */
  readonly check?: (m: ModelManifest) => readonly { path: (string | number)[]; message: string }[];
}

const orList = (items: readonly string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : (items[0] ?? '(none)');

/** "expected output family gfl (PicoDet/NanoDet), yolov8, … or end2end", from the families given. */
export function familyExpectation(families: readonly ManifestFamily[]): string {
  return `expected output family ${orList(families.map((f) => (f.models ? `${f.name} (${f.models})` : f.name)))}`;
}

const baseManifestSchema = z
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
    /** Output layout: one of the families in agent/src/detect/decoders. */
    family: z.string(),
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
    /** Family-specific decoding parameters, checked by the family's own schema. */
    decode: z.record(z.string(), z.unknown()).default({}),
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
    else if (trim > m.input.height)
      ctx.addIssue({ code: 'custom', path, message: `expected at most input.height (${m.input.height}), e.g. 32` });
  });
export type ModelManifest = z.infer<typeof baseManifestSchema>;

/** The manifest schema for these families: `family` names one of them, `decode` follows that family's schema. */
export function modelManifestSchema(families: readonly ManifestFamily[]) {
  const byName = new Map(families.map((f) => [f.name, f]));
  const expected = familyExpectation(families);
  // As when `decode` was one shared object: a parameter of another family is checked but ignored, an unknown one refused.
  const anyFamilyDecode = z.strictObject(Object.assign({}, ...families.map((f) => f.decode.shape)));
  return baseManifestSchema.transform((m, ctx): ModelManifest => {
    const family = byName.get(m.family);
    if (!family) {
      ctx.addIssue({ code: 'custom', path: ['family'], input: m.family, message: expected });
      return z.NEVER;
    }
    const own = Object.fromEntries(Object.entries(m.decode).filter(([key]) => key in family.decode.shape));
    const checked = anyFamilyDecode.safeParse(m.decode);
    const decode = checked.success ? family.decode.safeParse(own) : checked;
    if (!decode.success) {
      for (const issue of decode.error.issues) ctx.addIssue({ ...issue, path: ['decode', ...issue.path] });
      return z.NEVER;
    }
    const parsed = { ...m, decode: decode.data };
    const problems = family.check?.(parsed) ?? [];
    for (const p of problems) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    return problems.length ? z.NEVER : parsed;
  });
}

/** Validates manifest JSON text; errors read `FILE: field.path: expected …`. */
export function parseManifest(text: string, file: string, families: readonly ManifestFamily[]): ModelManifest {
  return parseWith(modelManifestSchema(families), text, file);
}

export async function readManifest(file: string, families: readonly ManifestFamily[]): Promise<ModelManifest> {
  return parseManifest(await readManifestText(file), file, families);
}

/**
 * Reads a manifest for its files and pins only, leaving `family` and `decode` to {@link readManifest}: provisioning
 * fetches files and runs before (and without) any detector code.
 */
export async function readManifestPins(file: string): Promise<ModelManifest> {
  return parseWith(baseManifestSchema, await readManifestText(file), file);
}

function parseWith(schema: z.ZodType<ModelManifest, unknown>, text: string, file: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, problemsFromZod(parsed.error.issues, raw));
  return parsed.data;
}

async function readManifestText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [
      { path: '', message: `cannot read the model manifest (${(err as NodeJS.ErrnoException).code ?? String(err)})` },
    ]);
  }
}
