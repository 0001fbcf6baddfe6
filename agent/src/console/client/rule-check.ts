import type { consoleMessages } from '../messages.ts';

type Key = keyof typeof consoleMessages;

/*
 * The rule form's own checks, made from the same JSON Schema as the form (min, max, whole numbers, patterns,
 * required fields): a value is refused as it is typed, in the page's words, before Check or Save sends anything.
 * The server still checks the whole file with the config's zod schema.
 */

export interface JsonProp {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  items?: { type?: string };
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  pattern?: string;
}

/** A rule type and its parameters as JSON Schema (made from the same zod schema the config uses). */
export interface RuleTypeInfo {
  type: string;
  schema: { properties?: Record<string, JsonProp>; required?: string[] };
}

/** What is wrong with a value: a message key of the console's table and its values. */
export interface Problem {
  key: Key;
  vars?: Record<string, string | number>;
}

/** A schedule window as the form edits it. */
export interface Window {
  days?: string[];
  from?: string;
  to?: string;
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** A number parameter's value (undefined: the default). */
export function numberProblem(value: unknown, prop: JsonProp): Problem | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return { key: 'field.number' };
  if (prop.type === 'integer' && !Number.isInteger(value)) return { key: 'field.integer' };
  if (prop.exclusiveMinimum !== undefined && value <= prop.exclusiveMinimum)
    return { key: 'field.above', vars: { min: prop.exclusiveMinimum } };
  if (prop.minimum !== undefined && value < prop.minimum) return { key: 'field.min', vars: { min: prop.minimum } };
  // JSON Schema gives whole numbers Number.MAX_SAFE_INTEGER as their maximum: no bound a person needs to read.
  if (prop.maximum !== undefined && prop.maximum < Number.MAX_SAFE_INTEGER && value > prop.maximum)
    return { key: 'field.max', vars: { max: prop.maximum } };
  return undefined;
}

/** A text parameter (an id, an event type). */
export function textProblem(value: unknown, prop: JsonProp, required: boolean): Problem | undefined {
  if (value === undefined || value === '') return required ? { key: 'field.required' } : undefined;
  if (prop.pattern && !new RegExp(prop.pattern).test(String(value))) return { key: 'field.id' };
  return undefined;
}

/** A schedule window's problem, by the part of it that is wrong. */
export function windowProblem(w: Window): { part: 'days' | 'from' | 'to'; problem: Problem } | undefined {
  if (w.days && w.days.length === 0) return { part: 'days', problem: { key: 'schedule.days' } };
  for (const part of ['from', 'to'] as const)
    if (!CLOCK.test(w[part] ?? '')) return { part, problem: { key: 'schedule.time', vars: { value: w[part] ?? '' } } };
  if (w.from === '24:00') return { part: 'from', problem: { key: 'schedule.from24' } };
  if (w.from === w.to) return { part: 'to', problem: { key: 'schedule.same' } };
  return undefined;
}

/** Every problem of a rule's parameters, by parameter (`schedule[1].from` for a window's part). */
export function ruleProblems(
  rule: Record<string, unknown>,
  schema: RuleTypeInfo['schema'],
  preset: boolean,
): { field: string; problem: Problem }[] {
  const out: { field: string; problem: Problem }[] = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (key === 'type' || key === 'line' || (preset && key === 'event')) continue;
    // A preset supplies its rule type's required parameters.
    const required = !preset && (schema.required ?? []).includes(key);
    const value = rule[key];
    let problem: Problem | undefined;
    if (prop.type === 'number' || prop.type === 'integer')
      problem = value === undefined && required ? { key: 'field.required' } : numberProblem(value, prop);
    else if (prop.type === 'string' && !prop.enum) problem = textProblem(value, prop, required);
    if (problem) out.push({ field: key, problem });
  }
  if (Array.isArray(rule.schedule))
    (rule.schedule as Window[]).forEach((w, i) => {
      const p = windowProblem(w);
      if (p) out.push({ field: `schedule[${i}].${p.part}`, problem: p.problem });
    });
  return out;
}
