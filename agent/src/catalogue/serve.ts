import { type RuleConfig, ruleSchema } from '../rules/config.ts';
import { ruleKind } from '../rules/kinds/index.ts';
import type { CatalogueEvent } from './load.ts';

/** The labels one model reports (after its label map). */
export interface ModelLabels {
  name: string;
  labels: ReadonlySet<string>;
}

export interface Serving {
  /** Every label group the rule needs is known to some model, or the rule needs none. */
  ok: boolean;
  /** Decided from static foreground, without any model label. */
  modelFree: boolean;
  /** The models contributing labels. */
  models: string[];
  /** Label groups no model knows (each group: any one of its labels would do). */
  missing: string[][];
}

/** The rule a preset makes with its defaults alone. */
export function presetRule(event: CatalogueEvent): RuleConfig | undefined {
  return (
    event.preset && ruleSchema.parse({ ...structuredClone(event.preset.params), id: event.id, type: event.preset.type, event: event.id })
  );
}

/** Whether a rule can be decided with these models. */
export function serving(rule: RuleConfig, models: readonly ModelLabels[]): Serving {
  const needs = ruleKind(rule).needs(rule);
  const used = new Set<string>();
  const missing: string[][] = [];
  for (const group of needs) {
    const by = models.filter((m) => group.some((l) => m.labels.has(l)));
    if (by.length === 0) missing.push(group);
    by.forEach((m) => used.add(m.name));
  }
  return { ok: missing.length === 0, modelFree: needs.length === 0, models: [...used], missing };
}
