import { z } from 'zod';
import { builtinCatalogue } from '../catalogue/load.ts';
import { presetRuleSchema } from '../catalogue/preset-rule.ts';
import { centerConfigSchema } from '../center/config.ts';
import { actionBodySchema } from '../center/routes.ts';
import { configSchema } from '../config/schema.ts';
import { ALERT_SCHEMA_ID, alertSchema } from '../contract/alert.ts';
import { COMMAND_NAMES, COMMAND_RESULT_SCHEMA_ID, commandResultSchema, commandSchemas } from '../contract/commands.ts';
import { cameraHealthSchema, statusSchema } from '../contract/health.ts';
import { DATASET_SCHEMA_ID, datasetManifestSchema } from '../evidence/dataset-manifest.ts';
import { ruleSchema } from '../rules/config.ts';

/** Schema ids are URNs: consumers resolve them from the files, not from a web address. */
const BASE = 'urn:jifang:schema';

/** Every payload a consumer or installer validates against, as JSON Schema generated from the zod types. */
export function publishedSchemas(): Record<string, object> {
  const entries: [string, z.ZodType, string][] = [
    ['jifang.event-1.schema.json', alertSchema, `${ALERT_SCHEMA_ID}: one alert message on …/{camera}/events`],
    ['jifang.health-1.schema.json', cameraHealthSchema, 'retained camera health on …/{camera}/health'],
    ['jifang.status-1.schema.json', statusSchema, 'retained agent status (and Last Will) on …/status'],
    ...COMMAND_NAMES.map((name): [string, z.ZodType, string] => [
      `jifang.cmd-${name}-1.schema.json`,
      commandSchemas[name],
      commandSchemas[name].meta()?.title ?? `a command, sent to …/cmd/${name}`,
    ]),
    ['jifang.cmd-result-1.schema.json', commandResultSchema, `${COMMAND_RESULT_SCHEMA_ID}: the answer to every command, on …/cmd-result`],
    ['jifang.dataset-1.schema.json', datasetManifestSchema, `${DATASET_SCHEMA_ID}: manifest.json of a jifang dataset export folder`],
    ['jifang.config-1.schema.json', configSchema, 'the agent config file (YAML or JSON)'],
    ['jifang.center-config-1.schema.json', centerConfigSchema, 'the command center config file (jifang center CONFIG)'],
    ['jifang.center-action-1.schema.json', actionBodySchema, "the body of POST /api/events/{id}/actions on the command center's API"],
  ];
  const { $schema: _, ...presetRules } = z.toJSONSchema(presetRuleSchema(builtinCatalogue()), { io: 'input', unrepresentable: 'any' });
  return Object.fromEntries(
    entries.map(([file, schema, title]) => [
      file,
      { $id: `${BASE}:${file.replace(/\.schema\.json$/, '')}`, title, ...jsonSchemaOf(schema, presetRules) },
    ]),
  );
}

/**
 * A config as written may give a rule as a catalogue preset (`{ preset: ID, …overrides }`, expanded before the agent
 * validates it): wherever the rule schema appears, the published schema takes a preset rule as well.
 */
function jsonSchemaOf(schema: z.ZodType, presetRules: z.core.JSONSchema.JSONSchema): object {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema !== ruleSchema) return;
      const typed = { ...jsonSchema };
      for (const key of Object.keys(jsonSchema)) delete jsonSchema[key as keyof typeof jsonSchema];
      jsonSchema.anyOf = [typed, presetRules];
    },
  });
}
