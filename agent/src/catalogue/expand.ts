import type { RuleType } from '../contract/rule-types.ts';
import type { ConfigProblem } from '../core/errors.ts';
import { ruleSchema } from '../rules/config.ts';
import type { Catalogue } from './load.ts';

/** A rule written as `{ preset: ID, ...overrides }` in a config, at its path. */
export interface PresetUse {
  path: string;
  preset: string;
  type: RuleType;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Replaces every `{ preset: ID, ...overrides }` rule of a parsed (not yet validated) config by the preset's rule
 * type and default parameters, the overrides on top, and `event: ID`; in place. Unknown presets become problems.
 */
export function expandPresets(raw: unknown, catalogue: Catalogue): { problems: ConfigProblem[]; uses: PresetUse[] } {
  const problems: ConfigProblem[] = [];
  const uses: PresetUse[] = [];
  const cameras = isObject(raw) && Array.isArray(raw.cameras) ? raw.cameras : [];
  const withPreset = catalogue.events.filter((e) => e.preset).map((e) => e.id);
  cameras.forEach((cam, ci) => {
    const zones = isObject(cam) && Array.isArray(cam.zones) ? cam.zones : [];
    zones.forEach((zone, zi) => {
      const rules = isObject(zone) && Array.isArray(zone.rules) ? zone.rules : [];
      rules.forEach((rule, ri) => {
        if (!isObject(rule) || !('preset' in rule)) return;
        const path = `cameras[${ci}].zones[${zi}].rules[${ri}]`;
        const { preset: id, ...overrides } = rule;
        const entry = typeof id === 'string' ? catalogue.get(id) : undefined;
        if (!entry) {
          problems.push({
            path: `${path}.preset`,
            message: `unknown preset ${JSON.stringify(id)}: expected one of ${withPreset.join(', ')} (jifang catalogue lists them)`,
          });
          return;
        }
        if (!entry.preset) {
          problems.push({
            path: `${path}.preset`,
            message: `event type "${entry.id}" has no preset: expected a rule with a type and event: ${entry.id} (jifang catalogue lists the presets)`,
          });
          return;
        }
        for (const key of ['type', 'event'] as const) {
          if (key in overrides)
            problems.push({
              path: `${path}.${key}`,
              message: `a preset sets its own ${key} (${key === 'type' ? entry.preset.type : entry.id}): expected either preset or type, not both`,
            });
        }
        rules[ri] = { ...structuredClone(entry.preset.params), ...overrides, type: entry.preset.type, event: entry.id };
        uses.push({ path, preset: entry.id, type: entry.preset.type });
      });
    });
  });
  return { problems, uses };
}

/**
 * "unknown field" under a preset rule says what the preset's rule type takes; a rule whose preset is unknown
 * reports only that, not the fields it then seems to lack.
 */
export function explainPresetProblems(
  problems: ConfigProblem[],
  uses: readonly PresetUse[],
  presetProblems: readonly ConfigProblem[],
): ConfigProblem[] {
  const failed = presetProblems.map((p) => p.path.slice(0, p.path.lastIndexOf('.')));
  return problems
    .filter((p) => !failed.some((f) => p.path.startsWith(`${f}.`)))
    .map((p) => {
      const use = uses.find((u) => p.path.startsWith(`${u.path}.`) && !p.path.slice(u.path.length + 1).includes('.'));
      if (!use || !p.message.startsWith('unknown field')) return p;
      return {
        path: p.path,
        message: `unknown field: preset "${use.preset}" is a ${use.type} rule, expected one of its parameters ${ruleParameters(use.type).join(', ')}`,
      };
    });
}

export function ruleParameters(type: RuleType): string[] {
  const option = ruleSchema.options.find((o) => o.shape.type.value === type)!;
  return Object.keys(option.shape).filter((k) => k !== 'type' && k !== 'id' && k !== 'event');
}
