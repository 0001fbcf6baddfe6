import { z } from 'zod';
import { idSchema, polygonSchema } from '../core/schema.ts';
import { listOr } from './describe.ts';
import { kindOfType, RULE_KINDS, type RuleConfig } from './kinds/index.ts';

export { type ScheduleWindow, scheduleWindowSchema } from './params.ts';

type Schemas<T extends readonly { schema: unknown }[]> = { -readonly [K in keyof T]: T[K]['schema'] };
const schemas = RULE_KINDS.map((k) => k.schema) as Schemas<typeof RULE_KINDS>;

export const ruleSchema = z.discriminatedUnion('type', schemas, {
  error: `expected a rule type: ${listOr(schemas.map((s) => s.shape.type.value))} (or a preset: jifang catalogue lists them)`,
});
export type { RuleConfig };

/** The rule types that judge a line, not an area: a zone of only these needs no polygon. */
const ZONELESS = listOr(RULE_KINDS.filter((k) => k.zoneless).map((k) => k.schema.shape.type.value));

export const zoneSchema = z
  .strictObject({
    id: idSchema.meta({
      description: 'The zone id, unique on its camera: lower-case letters, digits, "-" and "_"; it appears in alerts and MQTT topics.',
    }),
    name: z.string().min(1).optional().meta({ description: 'A name for people, e.g. 公交站 禁停区; shown in alerts and the console.' }),
    units: z.enum(['normalized', 'pixels']).default('normalized').meta({
      description:
        'How the points of polygon and lines are given: normalized (default) as fractions of the frame, 0..1; pixels of the analysis frame.',
    }),
    polygon: polygonSchema.optional().meta({
      description: `The zone outline, at least 3 [x, y] points in order around it. Required unless every rule of the zone is a ${ZONELESS}.`,
    }),
    anchor: z.enum(['bottom_center', 'center']).default('bottom_center').meta({
      description: 'Which point of an object decides whether it is inside: bottom_center (default, where it touches the ground) or center.',
    }),
    rules: z.array(ruleSchema).min(1, { error: 'expected at least one rule in the zone' }).meta({
      description:
        'What to report in this zone: a rule with a type (illegal_parking, street_vending, …) or a catalogue preset ({ preset: ID, … }); at least one.',
    }),
  })
  .superRefine((zone, ctx) => {
    if (!zone.polygon && zone.rules.some((r) => !kindOfType(r.type).zoneless)) {
      ctx.addIssue({
        code: 'custom',
        path: ['polygon'],
        message: `required field is missing (expected a polygon of at least 3 points; only a zone of ${ZONELESS} rules may leave it out)`,
      });
    }
    if (zone.units !== 'normalized') return; // pixel bounds depend on the camera's analysis size, checked with the camera
    zone.rules.forEach((rule, ri) => {
      const line = kindOfType(rule.type).line?.(rule);
      line?.points.forEach(([x, y], pi) => {
        if (x < 0 || y < 0 || x > 1 || y > 1) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', ri, 'line', pi],
            message: `expected a normalised point inside 0..1, got [${x}, ${y}]`,
          });
        }
      });
    });
  });
export type ZoneConfig = z.infer<typeof zoneSchema>;
