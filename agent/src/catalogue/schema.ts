import { z } from 'zod';
import { RULE_TYPES } from '../contract/rule-types.ts';
import { idSchema } from '../core/schema.ts';

export const CATALOGUE_SCHEMA_ID = 'jifang.catalogue/1';

const ruleTypeSchema = z.enum(RULE_TYPES, { error: `expected a rule type: ${RULE_TYPES.join(', ')}` });

/** One code of an event type in one numbering, and where it was found. */
const codeSchema = (pattern: RegExp, form: string) =>
  z.strictObject({
    code: z.string().regex(pattern, { error: `expected ${form}` }),
    /** The numbering's own name for the type, when it differs from ours (Dahua's constant). */
    name: z.string().min(1).optional(),
    /** A key of `sources`, or the source in words. */
    source: z.string().min(1),
    /** Checked against the standard's (or vendor's) own text. */
    checked: z.boolean().default(false),
  });

export const eventCodesSchema = z.strictObject({
  /** GB/T 47678.5-2026 事项 code: 2-digit 大类 + 3-digit 小类. */
  gbt: codeSchema(/^\d{5}$/, 'a 5-digit GB/T 47678.5 code such as "09006"').optional(),
  /** The older city-system (数字城管) numbering, "04-06". */
  legacy: codeSchema(/^\d{2}-\d{2}$/, 'a city-system code "NN-NN" such as "04-06"').optional(),
  /** Dahua NetSDK event type. */
  dahua: codeSchema(/^0x[0-9A-Fa-f]+$/, 'a hexadecimal Dahua event code such as "0x24E"').optional(),
});

/** How jifang decides the event: a rule type with default parameters (a config may override any of them). */
export const presetSchema = z.strictObject({
  type: ruleTypeSchema,
  params: z.record(z.string(), z.unknown()).default({}),
});

const nameSchema = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });

export const catalogueEventSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  codes: eventCodesSchema.default({}),
  /** Absent: jifang cannot decide it by a preset (a rule names it with `event:`, or a site adds a preset). */
  preset: presetSchema.optional(),
});
export type CatalogueEventEntry = z.infer<typeof catalogueEventSchema>;

export const catalogueFileSchema = z.strictObject({
  schema: z.literal(CATALOGUE_SCHEMA_ID, { error: `expected schema: ${CATALOGUE_SCHEMA_ID}` }),
  version: z.string().min(1),
  standard: z.string().min(1),
  ruleTypes: z.record(ruleTypeSchema, idSchema),
  sources: z.record(z.string(), z.string()).default({}),
  events: z.array(catalogueEventSchema).min(1),
});

/**
 * A site's corrections and additions: entries merge by id into the built-in ones (a field given replaces that
 * field; a code set to null removes it); new ids start with "x_".
 */
export const catalogueOverrideSchema = z.strictObject({
  schema: z.literal(CATALOGUE_SCHEMA_ID, { error: `expected schema: ${CATALOGUE_SCHEMA_ID}` }),
  /** The site's own label for its corrections, appended to the built-in version in alerts. */
  version: z.string().min(1),
  ruleTypes: z.partialRecord(ruleTypeSchema, idSchema).optional(),
  sources: z.record(z.string(), z.string()).optional(),
  events: z
    .array(
      z.strictObject({
        id: idSchema,
        name: nameSchema.partial().optional(),
        codes: z
          .strictObject({
            gbt: eventCodesSchema.shape.gbt.nullable(),
            legacy: eventCodesSchema.shape.legacy.nullable(),
            dahua: eventCodesSchema.shape.dahua.nullable(),
          })
          .partial()
          .optional(),
        preset: presetSchema.nullable().optional(),
      }),
    )
    .default([]),
});
export type CatalogueOverride = z.infer<typeof catalogueOverrideSchema>;
