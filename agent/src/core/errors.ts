import { z } from 'zod';

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

/** The languages a problem is said in: English for logs, files and scripts; Chinese for a Chinese page. */
export type ProblemLang = 'zh' | 'en';

const zhLocale = z.locales.zhCN();

/**
 * What a parse is given so that zod's own messages come in `lang` (zod's zh-CN locale, per parse, never global):
 * messages a schema words itself stay as written, and `problemsFromZod` puts them into Chinese through its table.
 */
export function zodWords(lang: ProblemLang): { error?: z.core.$ZodErrorMap } {
  return lang === 'zh' ? { error: zhLocale.localeError } : {};
}

/** A schema's own English message in Chinese, or the message unchanged when the table has none. */
export type CustomWords = (message: string) => string;

/**
 * Turns zod issues into problems that say the expected form in an installer's words, with the value found. For
 * `zh`, the issues come from a parse given `zodWords('zh')`, and `custom` puts a schema's own messages into Chinese.
 */
export function problemsFromZod(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  lang: ProblemLang = 'en',
  custom: CustomWords = (m) => m,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const unknown = lang === 'zh' ? '未知字段（请检查拼写和缩进）' : 'unknown field (check its spelling and indentation)';
      for (const key of issue.keys) out.push({ path: formatPath([...issue.path, key]), message: unknown });
      continue;
    }
    const value = valueAt(input, issue.path);
    out.push({
      path: formatPath(issue.path),
      message: lang === 'zh' ? describeIssueZh(issue, value, custom) : describeIssue(issue, value),
    });
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

/** zod's own message in Chinese (its zh-CN locale) as the installer reads it: what is expected, and what was found. */
function describeIssueZh(issue: z.core.$ZodIssue, value: unknown, custom: CustomWords): string {
  // A message the schema words itself is English whatever the parse was given: the caller's table says it in Chinese.
  if (!/[\u3400-\u9fff]/.test(issue.message)) return custom(issue.message);
  const got = value === undefined ? '无' : show(value);
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? `必填（应为${zhType(issue.expected)}）` : `应为${zhType(issue.expected)}（现为 ${got}）`;
    case 'invalid_value':
      return `应为${issue.values.length === 1 ? ` ${show(issue.values[0])}` : `以下之一：${issue.values.map(show).join('、')}`}（现为 ${got}）`;
    case 'invalid_union': {
      const literals = issue.errors.flat().flatMap((e) => (e.code === 'invalid_value' ? e.values : []));
      return literals.length ? `应为以下之一：${literals.map(show).join('、')}（现为 ${got}）` : `${issue.message}（现为 ${got}）`;
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? issue.minimum : issue.maximum;
      if (issue.origin === 'array')
        return `${small ? '至少' : '最多'}需要 ${bound} 项（现有 ${Array.isArray(value) ? value.length : got}）`;
      if (issue.origin === 'string') return `${small ? '至少' : '最多'} ${bound} 个字符`;
      const cmp = small ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      return `应 ${cmp} ${bound}（现为 ${got}）`;
    }
    default:
      return `${issue.message}（现为 ${got}）`;
  }
}

function zhType(t: string): string {
  const words: Record<string, string> = {
    int: '整数',
    number: '数字',
    string: '文字',
    boolean: 'true 或 false',
    array: '列表',
    tuple: '列表',
    object: '字段的映射',
  };
  return words[t] ?? t;
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
