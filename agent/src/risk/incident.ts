import { z } from 'zod';

/** One incident from any source: the archive's events, a hotline export, an earlier 数字城管 system. */
export interface Incident {
  /** ms since the epoch. */
  time: number;
  /** Offset of the place's clock from UTC in minutes, as the record gave it: the weekly rhythm is read on that clock. */
  offsetMinutes: number;
  lat: number;
  lon: number;
  category: string;
  /** Where the record came from (a file name, `archive`); with `sourceId` it identifies the record. */
  source: string;
  sourceId?: string;
}

/** One rejected line, printed as `FILE:LINE: field: message (got …)`. */
export interface LineProblem {
  line: number;
  field: string;
  message: string;
}

export interface ParsedLog {
  incidents: Incident[];
  problems: LineProblem[];
  /** Lines holding a record (the header and blank lines excluded). */
  records: number;
}

export function formatLineProblem(file: string, p: LineProblem): string {
  return `${file}:${p.line}: ${p.field}: ${p.message}`;
}

const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;

const timeSchema = z.string({ error: 'expected an ISO 8601 time with its offset, e.g. 2026-03-02T08:30:00+08:00' }).transform((s, ctx) => {
  const m = ISO_TIME.exec(s.trim());
  const ms = m ? Date.parse(s.trim().replace(' ', 'T')) : Number.NaN;
  if (!m || Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 time with its offset, e.g. 2026-03-02T08:30:00+08:00' });
    return z.NEVER;
  }
  const zone = m[8];
  const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  return { time: ms, offsetMinutes };
});

/** CSV cells are text: a number column accepts a numeric string, never an empty one. */
const degrees = (what: string, limit: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    z
      .number({ error: `expected ${what} in degrees (a number)` })
      .min(-limit, { error: `expected ${what} between -${limit} and ${limit}` })
      .max(limit, { error: `expected ${what} between -${limit} and ${limit}` }),
  );

const text = (what: string) =>
  z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : v),
    z
      .string({ error: `expected ${what} (text)` })
      .trim()
      .min(1, { error: `expected ${what}, got an empty value` }),
  );

/** An empty CSV cell of an optional column means the value is absent. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const incidentRecordSchema = z.object({
  time: timeSchema,
  lat: degrees('latitude', 90),
  lon: degrees('longitude', 180),
  category: text('a category'),
  id: optional(text('an id')),
  source: optional(text('a source')),
});

/** The names a column may carry in the exports we meet; the first is the canonical one. */
const ALIASES: Record<string, readonly string[]> = {
  time: ['time', 'datetime', 'date_time', 'timestamp', 'occurred_at'],
  lat: ['lat', 'latitude'],
  lon: ['lon', 'lng', 'long', 'longitude'],
  category: ['category', 'type', 'offense', 'offence'],
  id: ['id', 'case_id', 'record_id'],
  source: ['source'],
};

const REQUIRED = ['time', 'lat', 'lon', 'category'] as const;

function canonicalKey(key: string): string | undefined {
  const k = key.trim().toLowerCase();
  return Object.keys(ALIASES).find((name) => ALIASES[name].includes(k));
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** One record (already split into named fields) → an incident, or the problems of its line. */
function toIncident(line: number, fields: Record<string, unknown>, source: string): Incident | LineProblem[] {
  const r = incidentRecordSchema.safeParse(fields);
  if (!r.success) {
    return r.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? 'record');
      return { line, field, message: `${issue.message} (got ${show(fields[field])})` };
    });
  }
  const { time, lat, lon, category, id } = r.data;
  return { ...time, lat, lon, category, source: r.data.source ?? source, ...(id === undefined ? {} : { sourceId: id }) };
}

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside a field); undefined when a quote is left open. */
export function splitCsvLine(line: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') out.push(cur), (cur = '');
    else cur += ch;
  }
  if (quoted) return undefined;
  out.push(cur);
  return out;
}

function parseCsv(lines: string[], source: string): ParsedLog {
  const incidents: Incident[] = [];
  const problems: LineProblem[] = [];
  const header = (splitCsvLine(lines[0] ?? '') ?? []).map(canonicalKey);
  const missing = REQUIRED.filter((name) => !header.includes(name));
  if (missing.length) {
    const got = show(lines[0] ?? '');
    for (const name of missing)
      problems.push({ line: 1, field: 'header', message: `no ${name} column (expected one of ${ALIASES[name].join(', ')}) (got ${got})` });
    return { incidents, problems, records: 0 };
  }
  let records = 0;
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    records++;
    const cells = splitCsvLine(lines[i]);
    if (!cells || cells.length !== header.length) {
      const message = cells ? `expected ${header.length} fields as the header has, got ${cells.length}` : 'a quote is not closed';
      problems.push({ line: i + 1, field: 'record', message: `${message} (got ${show(lines[i])})` });
      continue;
    }
    const fields: Record<string, unknown> = {};
    header.forEach((name, k) => {
      if (name) fields[name] = cells[k];
    });
    const r = toIncident(i + 1, fields, source);
    if (Array.isArray(r)) problems.push(...r);
    else incidents.push(r);
  }
  return { incidents, problems, records };
}

function parseJsonLines(lines: string[], source: string): ParsedLog {
  const incidents: Incident[] = [];
  const problems: LineProblem[] = [];
  let records = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    records++;
    let doc: unknown;
    try {
      doc = JSON.parse(lines[i]);
    } catch (err) {
      problems.push({ line: i + 1, field: 'record', message: `not JSON: ${(err as Error).message} (got ${show(lines[i])})` });
      continue;
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      problems.push({ line: i + 1, field: 'record', message: `expected a JSON object (got ${show(doc)})` });
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc)) {
      const name = canonicalKey(key);
      if (name) fields[name] = value;
    }
    const r = toIncident(i + 1, fields, source);
    if (Array.isArray(r)) problems.push(...r);
    else incidents.push(r);
  }
  return { incidents, problems, records };
}

/**
 * Parses an incident log: JSON lines when its first record starts with `{`, else CSV with a header row. A line
 * with any problem is skipped whole and named; `source` is given to records that do not name their own.
 */
export function parseIncidentLog(content: string, source: string): ParsedLog {
  const lines = content.split(/\r?\n/);
  const first = lines.find((l) => l.trim()) ?? '';
  return first.trimStart().startsWith('{') ? parseJsonLines(lines, source) : parseCsv(lines, source);
}

/** What makes two records one incident: the same time, place (to about a metre) and category. */
export const placeKey = (i: Incident) => `${i.time}|${i.lat.toFixed(5)}|${i.lon.toFixed(5)}|${i.category}`;
const idKey = (i: Incident) => (i.sourceId === undefined ? undefined : `${i.source}#${i.sourceId}`);

/**
 * The incidents known so far, deduplicated: a record is the same as one already held when it has the same time,
 * place (to about a metre) and category, or the same source and source id.
 */
export class IncidentLog {
  readonly incidents: Incident[] = [];
  private readonly keys = new Set<string>();

  /** Adds what is new; returns how many were added and how many were already held. */
  add(incidents: readonly Incident[]): { added: number; duplicates: number } {
    let added = 0;
    for (const i of incidents) {
      const id = idKey(i);
      const place = placeKey(i);
      if (this.keys.has(place) || (id !== undefined && this.keys.has(id))) continue;
      this.keys.add(place);
      if (id !== undefined) this.keys.add(id);
      this.incidents.push(i);
      added++;
    }
    return { added, duplicates: incidents.length - added };
  }
}
