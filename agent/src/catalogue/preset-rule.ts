import { z } from 'zod';
import { ruleSchema } from '../rules/config.ts';
import type { Catalogue } from './load.ts';

/**
 * A rule as a config may write it before expansion (expand.ts): `{ preset: ID, ...overrides }`, one strict object per
 * catalogue preset, taking the parameters of the preset's rule type (not `type` or `event`: the preset sets them). A
 * parameter the preset sets shows the preset's value as its default. Only the published JSON Schema uses it: the
 * agent validates the expanded rule.
 */
export function presetRuleSchema(catalogue: Catalogue): z.ZodType {
  const options = catalogue.events.flatMap((event) => {
    const preset = event.preset;
    if (!preset) return [];
    const option = ruleSchema.options.find((o) => o.shape.type.value === preset.type);
    if (!option) throw new Error(`catalogue preset ${event.id}: no rule type ${preset.type}`);
    const fields = Object.entries(option.shape as Record<string, z.ZodType>)
      .filter(([key]) => key !== 'type' && key !== 'event')
      .map(([key, field]) => [key, key in preset.params ? presetDefault(field, preset.params[key], event.id) : field]);
    const set = Object.entries(preset.params).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
    const description =
      `Catalogue preset ${event.id} (${event.name.zh}, ${event.name.en}): a ${preset.type} rule` +
      `${set.length ? ` with ${set.join(', ')}` : ''}; any parameter of a ${preset.type} rule may be changed here.`;
    return [z.strictObject({ preset: z.literal(event.id).meta({ description }), ...Object.fromEntries(fields) })];
  });
  const [first, ...rest] = options;
  if (!first) throw new Error('the catalogue has no presets');
  return z.discriminatedUnion('preset', [first, ...rest], {
    error: `expected a preset: ${options.map((o) => o.shape.preset.value).join(', ')}`,
  });
}

/** The field with the preset's value as its default, and saying so. */
function presetDefault(field: z.ZodType, value: unknown, id: string): z.ZodType {
  const bare = field instanceof z.ZodDefault || field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
  return bare
    .default(value as never)
    .meta({ description: `${field.description ?? ''} Preset ${id} sets ${JSON.stringify(value)} instead.`.trim() });
}
