import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../core/errors.ts';
import { parseYaml } from '../core/yaml-file.ts';
import type { Lang } from '../web/lang.ts';
import { keepLayout, merge } from '../web/yaml-edit.ts';
import { type CenterConfig, parseCenterConfig } from './config.ts';
import { rowsTemplate, templateRows } from './template-rows.ts';
import type { EditableSettings, ForwarderEditView, SecretView } from './wire.ts';

/**
 * The center's settings and forwarders as an admin edits them in /admin: the change is made in the config file's YAML
 * (comments and layout kept), and the whole edited file is checked by the config's own schema before anything is
 * written, so the page says exactly what `jifang center` would refuse at its start.
 */

/** Where each editable setting lives in the file; the keys are what the page sends. */
const SETTING_PATHS = {
  name: ['name'],
  commandTimeoutSeconds: ['mqtt', 'commandTimeoutSeconds'],
  units: ['units'],
  dispatchReminderMinutes: ['dispatchReminderMinutes'],
} as const;
const RETENTION_KEYS = ['eventDays', 'snapshotDays', 'snapshotMegabytesPerBox', 'deadLetterMegabytes', 'patrolPhotoDays', 'everyMinutes'];

/** Settings taken only at start (the page title, the command's wait); every other edit applies at once. */
export const RESTART_PATHS = ['name', 'mqtt.commandTimeoutSeconds'];

const sha = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected the SHA-256 of the config the page loaded' });

/** The page's settings form: only the shape here; null puts a setting back to its default. */
export const settingsEditSchema = z.strictObject({
  baseSha256: sha,
  name: z.unknown().optional(),
  commandTimeoutSeconds: z.unknown().optional(),
  units: z.unknown().optional(),
  dispatchReminderMinutes: z.unknown().optional(),
  retention: z.partialRecord(z.enum(RETENTION_KEYS as [string, ...string[]]), z.unknown()).optional(),
});
export type SettingsEdit = z.infer<typeof settingsEditSchema>;

/** A new secret, one read from a file or the environment, the one the file has (`keep`), or none (null). */
const secretEdit = z.union([
  z.strictObject({ keep: z.literal(true) }),
  z.strictObject({ value: z.string().min(1, { error: 'expected the token, or keep the one set' }) }),
  z.strictObject({ file: z.string() }),
  z.strictObject({ env: z.string() }),
  z.null(),
]);

/** The page's forwarder form; its content is checked by the config's forwarder schema within the whole file. */
export const forwarderEditSchema = z.strictObject({
  baseSha256: sha.optional(),
  id: z.string(),
  name: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  states: z.array(z.string()),
  categories: z.array(z.string()).nullable(),
  template: z.array(z.tuple([z.string(), z.unknown()])).nullable(),
  /** A header's new value, or null to remove it; a header not named keeps its value. */
  headers: z.record(z.string(), z.string().nullable()),
  token: secretEdit,
  maxAttempts: z.unknown().optional(),
  timeoutSeconds: z.unknown().optional(),
});
export type ForwarderEdit = z.infer<typeof forwarderEditSchema>;

type Raw = Record<string, unknown>;

/** The file as written (no defaults added, no secret read). */
export function rawConfig(text: string): Raw {
  const js = parseDocument(text).toJS() as unknown;
  return js && typeof js === 'object' && !Array.isArray(js) ? (js as Raw) : {};
}

const rawForwarders = (raw: Raw): Raw[] => (Array.isArray(raw.forwarders) ? (raw.forwarders as Raw[]) : []);

/** The settings an admin edits, from a parsed config. */
export function editableSettings(cfg: CenterConfig): EditableSettings {
  return {
    name: cfg.name,
    commandTimeoutSeconds: cfg.mqtt.commandTimeoutSeconds,
    units: [...cfg.units],
    dispatchReminderMinutes: cfg.dispatchReminderMinutes,
    retention: { ...cfg.retention },
  };
}

export function secretView(s: unknown): SecretView {
  if (typeof s === 'string') return { kind: 'inline' };
  if (s && typeof s === 'object' && 'file' in s) return { kind: 'file', file: String(s.file) };
  if (s && typeof s === 'object' && 'env' in s) return { kind: 'env', env: String(s.env) };
  return { kind: 'none' };
}

/** A URL's password is a secret: shown as ***, and *** sent back means the one the file has. */
const maskUrl = (url: string): string => url.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, '$1***@');

/** The forwarders as the form shows them: parsed for the defaults, the raw file for where each secret comes from. */
export function forwarderViews(cfg: CenterConfig, raw: Raw): ForwarderEditView[] {
  const byId = new Map(rawForwarders(raw).map((f) => [String(f.id), f]));
  return cfg.forwarders.map((f) => ({
    id: f.id,
    name: f.name ?? '',
    url: maskUrl(f.url),
    enabled: f.enabled,
    states: [...f.states],
    categories: f.categories ? [...f.categories] : null,
    template: f.template === undefined ? null : templateRows(f.template),
    headers: Object.keys(f.headers),
    token: secretView(byId.get(f.id)?.token),
    maxAttempts: f.maxAttempts,
    timeoutSeconds: f.timeoutSeconds,
  }));
}

/** A forwarder as the file writes it, with its secrets replaced by where they come from: what the audit records. */
export function redactForwarder(f: Raw | undefined): Raw | null {
  if (!f) return null;
  const headers = f.headers && typeof f.headers === 'object' ? Object.keys(f.headers) : [];
  return {
    ...f,
    ...(typeof f.url === 'string' ? { url: maskUrl(f.url) } : {}),
    ...(headers.length ? { headers: Object.fromEntries(headers.map((h) => [h, 'set'])) } : {}),
    ...('token' in f ? { token: secretView(f.token) } : {}),
  };
}

/** The forwarder the form describes, over the one the file has (fields the form does not show are kept). */
export function forwarderFromEdit(edit: ForwarderEdit, before: Raw | undefined): Raw {
  const next: Raw = { ...before, id: edit.id, url: edit.url, states: edit.states };
  const set = (k: string, v: unknown, keep: boolean) => {
    if (keep) next[k] = v;
    else delete next[k];
  };
  set('name', edit.name.trim(), edit.name.trim() !== '');
  if (typeof before?.url === 'string' && edit.url.includes(':***@')) {
    // The password the page never saw: the one in the file, when the rest of the address is the same.
    const kept = /^\w+:\/\/[^:@/]*:([^@/]*)@/.exec(before.url)?.[1] ?? '';
    next.url = edit.url.replace(':***@', `:${kept}@`);
  }
  set('enabled', false, !edit.enabled);
  set('categories', edit.categories, edit.categories !== null);
  set('template', edit.template && rowsTemplate(edit.template), edit.template !== null);
  const headers = { ...((before?.headers as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(edit.headers)) {
    if (v === null) delete headers[k];
    else headers[k] = v;
  }
  set('headers', headers, Object.keys(headers).length > 0);
  const token = edit.token;
  if (token === null) delete next.token;
  else if ('value' in token) next.token = token.value;
  else if ('file' in token || 'env' in token) next.token = token;
  for (const k of ['maxAttempts', 'timeoutSeconds'] as const) if (edit[k] !== undefined) set(k, edit[k], edit[k] !== null);
  return next;
}

/** One change of the file: a value at a path, or undefined to remove it (its default then). */
export interface YamlChange {
  path: (string | number)[];
  value: unknown;
}

/** The text with these changes, every other line (comments included) as it was. */
export function changeYaml(text: string, changes: readonly YamlChange[]): string {
  const doc = parseDocument(text);
  for (const c of changes) {
    if (c.value === undefined) doc.deleteIn(c.path);
    else merge(doc, c.path, c.value);
  }
  return keepLayout(text, doc.toString({ lineWidth: 0 }));
}

/** The settings form's changes as paths of the file. */
export function settingsChanges(edit: SettingsEdit): YamlChange[] {
  const out: YamlChange[] = [];
  for (const [k, path] of Object.entries(SETTING_PATHS))
    if (k in edit) out.push({ path: [...path], value: edit[k as keyof typeof SETTING_PATHS] ?? undefined });
  for (const [k, v] of Object.entries(edit.retention ?? {})) out.push({ path: ['retention', k], value: v ?? undefined });
  return out;
}

/** The file's new text checked as `jifang center` checks it at start: the config it makes, or every problem. */
export function checkText(text: string, file: string, lang: Lang = 'en'): { cfg: CenterConfig } | { problems: ConfigProblem[] } {
  try {
    const { doc } = parseYaml(text, file);
    return { cfg: parseCenterConfig(doc.toJS() ?? {}, file, dirname(resolve(file)), lang) };
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems };
    throw err;
  }
}

/** A problem of `forwarders[2].url` is the form's `url` field; others stay whole. */
export function forwarderProblems(problems: readonly ConfigProblem[], index: number): ConfigProblem[] {
  const prefix = `forwarders[${index}].`;
  return problems.map((p) => (p.path.startsWith(prefix) ? { ...p, path: p.path.slice(prefix.length) } : p));
}

/** The settings the file now sets that this instance takes only at a restart. */
export function restartNeeded(running: CenterConfig, next: CenterConfig): string[] {
  const out: string[] = [];
  if (running.name !== next.name) out.push('name');
  if (running.mqtt.commandTimeoutSeconds !== next.mqtt.commandTimeoutSeconds) out.push('mqtt.commandTimeoutSeconds');
  return out;
}
