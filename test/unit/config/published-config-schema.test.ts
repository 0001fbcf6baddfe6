import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { builtinCatalogue } from '../../../agent/src/catalogue/load.ts';
import { parseConfigText } from '../../../agent/src/config/load.ts';
import { ConfigError } from '../../../agent/src/core/errors.ts';
import { projectRoot } from '../../helpers/paths.ts';

/**
 * The JSON Schemas in schemas/ as an editor uses them: each example config names its schema on its first line
 * (yaml-language-server), and a real JSON Schema validator (Ajv, draft 2020-12) checks configs against them. Where
 * the agent and the published schema could disagree (rules written as catalogue presets), both are asked.
 */
const configsDir = join(projectRoot, 'configs');
const schemaFile = (name: string) => JSON.parse(readFileSync(join(projectRoot, 'schemas', name), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateConfig = ajv.compile(schemaFile('jifang.config-1.schema.json'));

function schemaErrors(config: unknown): string[] {
  return validateConfig(config) ? [] : (validateConfig.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** The agent's verdict on the same config (as if written to configs/, so models/ resolves): its problems' words. */
function agentProblems(config: unknown): string[] {
  try {
    parseConfigText(stringify(config), join(configsDir, 'published-schema-test.yaml'));
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

const withRule = (rule: Record<string, unknown>) => ({
  site: { id: 'test-site', name: 'Test', timezone: 'Asia/Shanghai', location: { lat: 31.19, lon: 121.43 } },
  cameras: [
    {
      id: 'north',
      url: 'rtsp://10.0.0.8/Streaming/Channels/102',
      zones: [
        {
          id: 'shopfront',
          polygon: [
            [0.1, 0.5],
            [0.9, 0.5],
            [0.9, 0.9],
            [0.1, 0.9],
          ],
          rules: [rule],
        },
      ],
    },
  ],
});

describe('the published config schemas, checked by a JSON Schema validator as an editor would', () => {
  test.each(readdirSync(configsDir).filter((f) => f.endsWith('.yaml')))(
    'configs/%s names its schema on its first line and is valid against it',
    (file) => {
      const text = readFileSync(join(configsDir, file), 'utf8');
      const ref = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text)?.[1];
      expect(ref, 'first line: # yaml-language-server: $schema=…').toBeDefined();
      const schema = JSON.parse(readFileSync(resolve(dirname(join(configsDir, file)), ref!), 'utf8')) as { $id: string };
      const validate = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
      const valid = validate(parse(text));
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    },
  );

  test('a rule written as a catalogue preset with an override is valid for the editor and for the agent', () => {
    const config = withRule({ id: 'goods-out', preset: 'out_of_shop_trading', dwellSeconds: 120 });
    expect(schemaErrors(config)).toEqual([]);
    expect(agentProblems(config)).toEqual([]);
  });

  test('a misspelt preset is refused by the editor and by the agent', () => {
    const config = withRule({ id: 'goods-out', preset: 'out_of_shop_tradng', dwellSeconds: 120 });
    expect(schemaErrors(config).some((e) => e.startsWith('/cameras/0/zones/0/rules/0'))).toBe(true);
    expect(agentProblems(config)).toEqual([
      expect.stringMatching(/^cameras\[0\]\.zones\[0\]\.rules\[0\]\.preset: unknown preset "out_of_shop_tradng"/),
    ]);
  });

  test.each([
    ['a parameter its rule type does not take', { minCount: 3 }],
    ['a rule type besides the preset', { type: 'intrusion' }],
    ['an event besides the preset', { event: 'banner' }],
    ['a wrongly typed parameter', { dwellSeconds: 'ten minutes' }],
  ])('a preset rule with %s is refused by the editor and by the agent', (_what, extra) => {
    const config = withRule({ id: 'goods-out', preset: 'out_of_shop_trading', ...extra });
    expect(schemaErrors(config)).not.toEqual([]);
    expect(agentProblems(config)).not.toEqual([]);
  });

  test('every preset of the built-in catalogue, written with only its id, is valid for the editor exactly when it is for the agent', () => {
    const presets = builtinCatalogue().events.filter((e) => e.preset);
    expect(presets.length).toBeGreaterThan(10);
    for (const { id } of presets) {
      const config = withRule({ id: 'r1', preset: id });
      expect({ id, schema: schemaErrors(config).length === 0 }).toEqual({ id, schema: agentProblems(config).length === 0 });
    }
  });

  test('the plain rule types stay valid beside the presets, and a rule with neither type nor preset is refused', () => {
    expect(schemaErrors(withRule({ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 120 }))).toEqual([]);
    expect(schemaErrors(withRule({ id: 'nothing', dwellSeconds: 120 }))).not.toEqual([]);
    expect(agentProblems(withRule({ id: 'nothing', dwellSeconds: 120 }))).not.toEqual([]);
  });
});
