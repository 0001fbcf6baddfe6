import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { z } from 'zod';
import { EVENT_TYPE_IDS, SITE_EVENT_PREFIX } from '../contract/event-types.ts';
import { RULE_TYPES, type RuleType } from '../contract/rule-types.ts';
import { ConfigError, type ConfigProblem, problemsFromZod } from '../core/errors.ts';
import { ruleSchema } from '../rules/config.ts';
import { type CatalogueEventEntry, catalogueFileSchema, catalogueOverrideSchema } from './schema.ts';

/** The catalogue shipped with the agent. */
export const BUILTIN_CATALOGUE = join(dirname(fileURLToPath(import.meta.url)), 'events.yaml');

export interface CatalogueEvent extends CatalogueEventEntry {
  /** The file the entry (or its latest correction) came from. */
  definedIn: string;
}

export interface Catalogue {
  /** The built-in version, plus the site's when it corrects it: "2026.12-1+xuhui-3". */
  version: string;
  standard: string;
  files: string[];
  events: readonly CatalogueEvent[];
  get(id: string): CatalogueEvent | undefined;
  /** The event a rule reports: its `event`, else the catalogue's default for its type. */
  eventOf(rule: { type: RuleType; event?: string }): CatalogueEvent;
  /** A code's source in words (a key of `sources` expanded). */
  sourceText(source: string): string;
}

/** A problem of a catalogue file, with the file it is in. */
interface FileProblem {
  file: string;
  problem: ConfigProblem;
}

/** The built-in catalogue, corrected and extended by a site's file when given. Throws ConfigError naming the file. */
export function loadCatalogue(overrideFile?: string): Catalogue {
  const base = parseFile(BUILTIN_CATALOGUE, catalogueFileSchema);
  const files = [BUILTIN_CATALOGUE];
  const events: CatalogueEvent[] = base.events.map((e) => ({ ...e, definedIn: BUILTIN_CATALOGUE }));
  const ruleTypes: Record<string, string> = { ...base.ruleTypes };
  const sources: Record<string, string> = { ...base.sources };
  let version = base.version;
  const problems: FileProblem[] = duplicateIds(events).map((i) => ({
    file: BUILTIN_CATALOGUE,
    problem: { path: `events[${i}].id`, message: `duplicate event id "${events[i].id}"` },
  }));
  problems.push(...wireIdProblems(base.events).map((problem) => ({ file: BUILTIN_CATALOGUE, problem })));

  if (overrideFile) {
    const site = parseFile(overrideFile, catalogueOverrideSchema);
    files.push(overrideFile);
    version = `${version}+${site.version}`;
    Object.assign(ruleTypes, site.ruleTypes);
    Object.assign(sources, site.sources);
    site.events.forEach((o, i) => {
      const problem = applySiteEvent(events, o, i, overrideFile);
      if (problem) problems.push({ file: overrideFile, problem });
    });
  }
  problems.push(...presetProblems(events), ...ruleTypeProblems(ruleTypes, events, files[files.length - 1]));
  if (problems.length) throw catalogueError(problems);

  const byId = new Map(events.map((e) => [e.id, e]));
  return {
    version,
    standard: base.standard,
    files,
    events,
    get: (id) => byId.get(id),
    eventOf: (rule) => byId.get(rule.event ?? ruleTypes[rule.type])!,
    sourceText: (s) => sources[s] ?? s,
  };
}

type SiteEvent = z.infer<typeof catalogueOverrideSchema>['events'][number];

/**
 * A site's entry `i` (of `file`) corrects the built-in event of its id, or adds a new event of its own prefix with
 * both names; otherwise it is the problem returned. `events` is changed in place.
 */
function applySiteEvent(events: CatalogueEvent[], o: SiteEvent, i: number, file: string): ConfigProblem | undefined {
  const existing = events.find((e) => e.id === o.id);
  if (!existing) {
    if (!o.id.startsWith(SITE_EVENT_PREFIX))
      return {
        path: `events[${i}].id`,
        message: `no built-in event type "${o.id}": expected one of ${events.map((e) => e.id).join(', ')} to correct, or a new id starting with "${SITE_EVENT_PREFIX}"`,
      };
    if (!o.name?.zh || !o.name.en)
      return {
        path: `events[${i}].name`,
        message: 'a new event type needs its name in Chinese and English: expected name: { zh: …, en: … }',
      };
    events.push({
      id: o.id,
      name: { zh: o.name.zh, en: o.name.en },
      codes: dropNulls(o.codes ?? {}),
      ...(o.preset && { preset: o.preset }),
      definedIn: file,
    });
    return undefined;
  }
  if (o.name) existing.name = { ...existing.name, ...o.name };
  if (o.codes) existing.codes = dropNulls({ ...existing.codes, ...o.codes });
  if (o.preset === null) delete existing.preset;
  else if (o.preset) existing.preset = o.preset;
  existing.definedIn = file;
  return undefined;
}

/** Presets whose parameters do not make a valid rule of their type. */
function presetProblems(events: readonly CatalogueEvent[]): FileProblem[] {
  return events.flatMap((e, i) => {
    if (!e.preset) return [];
    const parsed = ruleSchema.safeParse({ ...structuredClone(e.preset.params), id: 'preset', type: e.preset.type, event: e.id });
    if (parsed.success) return [];
    const at = e.definedIn === BUILTIN_CATALOGUE ? `events[${i}]` : `events (id ${e.id})`;
    const type = e.preset.type;
    return problemsFromZod(parsed.error.issues, e.preset.params).map((p) => ({
      file: e.definedIn,
      problem: { path: `${at}.preset.params${p.path ? `.${p.path}` : ''}`, message: `${p.message} (a ${type} rule)` },
    }));
  });
}

/** Rule types without a catalogue event to report (said of the last file read). */
function ruleTypeProblems(ruleTypes: Record<string, string>, events: readonly CatalogueEvent[], file: string): FileProblem[] {
  return RULE_TYPES.flatMap((type) => {
    const id = ruleTypes[type];
    if (id && events.some((e) => e.id === id)) return [];
    return [
      {
        file,
        problem: {
          path: `ruleTypes.${type}`,
          message: `expected the id of a catalogue event for rules of type ${type}, got ${id === undefined ? 'nothing' : `"${id}"`}`,
        },
      },
    ];
  });
}

/** One error naming the first problem's file; problems of the other file name theirs in the path. */
function catalogueError(problems: readonly FileProblem[]): ConfigError {
  const file = problems[0].file;
  return new ConfigError(
    file,
    problems.map((p) => (p.file === file ? p.problem : { path: `${p.file}: ${p.problem.path}`, message: p.problem.message })),
  );
}

let builtin: Catalogue | undefined;
/** The shipped catalogue, read once. */
export function builtinCatalogue(): Catalogue {
  builtin ??= loadCatalogue();
  return builtin;
}

function parseFile<T>(
  file: string,
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: readonly import('zod').z.core.$ZodIssue[] } };
  },
): T {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(file, [
      { path: '', message: e.code ? `cannot read the catalogue file (${e.code})` : `not valid YAML: ${e.message.split('\n')[0]}` },
    ]);
  }
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(file, problemsFromZod(parsed.error.issues, raw));
  return parsed.data;
}

/** The built-in event types are the ones the alert contract names (contract/event-types.ts), no more and no fewer. */
function wireIdProblems(events: readonly { id: string }[]): ConfigProblem[] {
  const wire: readonly string[] = EVENT_TYPE_IDS;
  const extra = events.flatMap((e, i) => (wire.includes(e.id) ? [] : [i]));
  const missing = wire.filter((id) => !events.some((e) => e.id === id));
  return [
    ...extra.map((i) => ({
      path: `events[${i}].id`,
      message: `event id "${events[i].id}" is not in the alert contract's list (contract/event-types.ts): add it there as well`,
    })),
    ...missing.map((id) => ({
      path: 'events',
      message: `expected the event type "${id}" the alert contract lists (contract/event-types.ts)`,
    })),
  ];
}

function duplicateIds(events: readonly { id: string }[]): number[] {
  const seen = new Set<string>();
  return events.flatMap((e, i) => (seen.has(e.id) ? [i] : (seen.add(e.id), [])));
}

function dropNulls<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]: Exclude<T[K], null> };
}
