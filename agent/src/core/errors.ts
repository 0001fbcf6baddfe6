import type { z } from 'zod';

/** One config problem, printed as `FILE: path: message`. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(file: string, p: ConfigProblem): string {
  return p.path ? `${file}: ${p.path}: ${p.message}` : `${file}: ${p.message}`;
}

/** `['cameras', 1, 'zones', 0, 'polygon']` → `cameras[1].zones[0].polygon`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Turns zod issues into problems that say the expected form in an installer's words, with the value found. */
export function problemsFromZod(issues: readonly z.core.$ZodIssue[], input: unknown): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path: formatPath([...issue.path, key]), message: 'unknown field (check its spelling and indentation)' });
      continue;
    }
    out.push({ path: formatPath(issue.path), message: describeIssue(issue, valueAt(input, issue.path)) });
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const got = value === undefined ? 'nothing' : show(value);
  const typed = /^Invalid input: expected (\w+), received (\w+)$/.exec(issue.message);
  if (typed) {
    if (value === undefined) return `required field is missing (expected ${expectedType(typed[1])})`;
    return `expected ${expectedType(typed[1])}, got ${got}`;
  }
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid')) {
    return `expected ${issue.values.length === 1 ? show(issue.values[0]) : `one of ${issue.values.map(show).join(', ')}`}, got ${got}`;
  }
  if (issue.code === 'invalid_union' && issue.message === 'Invalid input') {
    const literals = issue.errors.flat().flatMap((e) => (e.code === 'invalid_value' ? e.values : []));
    if (literals.length) return `expected one of ${literals.map(show).join(', ')}, got ${got}`;
    return `unexpected value ${got}`;
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && /^Too (small|big)/.test(issue.message)) {
    const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
    const cmp = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
    if (issue.origin === 'array')
      return `expected ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} items, got ${Array.isArray(value) ? value.length : got}`;
    if (issue.origin === 'string') return `expected ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} characters`;
    return `expected a value ${cmp} ${bound}, got ${got}`;
  }
  if (issue.code === 'invalid_format' && issue.message.startsWith('Invalid')) return `expected a valid ${issue.format}, got ${got}`;
  return issue.message;
}

function expectedType(t: string): string {
  if (t === 'int') return 'a whole number';
  if (t === 'array') return 'a list';
  if (t === 'object') return 'a mapping of fields';
  if (t === 'tuple') return 'a list';
  return `a ${t}`;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
