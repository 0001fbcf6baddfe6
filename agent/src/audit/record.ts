import { sha256Hex } from '../core/hash.ts';

/**
 * One audit record is one JSON line:
 *   {"seq":N,"at":"…","kind":"…","data":{…},"prev":"<sha256 of the previous record>","hash":"<sha256 of this record>"}
 * `hash` is the SHA-256 of the line's exact bytes up to (not including) `,"hash":…`, closed with `}`.
 * Hashing the written bytes rather than a re-serialisation keeps verification independent of
 * JSON key order or number formatting in any other implementation.
 */
export const AUDIT_KINDS = [
  'agent_started',
  'agent_stopped',
  'model_loaded',
  'config_loaded',
  'event_decision',
  'evidence_stored',
  'delivery',
  'operator_command',
  'evidence_deleted',
  'retention_run',
  'outbox_dropped',
  'audit_recovered',
  'audit_backup',
  'console_login',
  'console_change',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** `prev` of the very first record of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRecord {
  seq: number;
  /** ISO-8601 UTC. */
  at: string;
  kind: string;
  data: Record<string, unknown>;
  prev: string;
  hash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;

/** The line (without newline) and its hash. Throws when `data` cannot be written as JSON. */
export function formatRecord(
  seq: number,
  at: number,
  kind: AuditKind,
  data: Record<string, unknown>,
  prev: string,
): { line: string; hash: string } {
  if (!AUDIT_KINDS.includes(kind)) throw new Error(`audit: unknown record kind "${kind}", expected one of ${AUDIT_KINDS.join(', ')}`);
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new Error(`audit ${kind}: expected the data to be a JSON object`);
  let body: string;
  try {
    body = JSON.stringify({ seq, at: new Date(at).toISOString(), kind, data, prev });
  } catch (err) {
    throw new Error(`audit ${kind}: data cannot be written as JSON (${(err as Error).message})`);
  }
  const hash = sha256Hex(body);
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash };
}

export type ParsedLine = { ok: true; record: AuditRecord } | { ok: false; reason: string };

/** Parses one line and checks that its content matches its own hash. */
export function parseRecordLine(line: string): ParsedLine {
  const m = HASH_SUFFIX.exec(line);
  if (!m) return { ok: false, reason: 'not an audit record: expected a JSON object ending in ,"hash":"<64 hex>"}' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON (edited or torn line)' };
  }
  const r = value as Partial<AuditRecord>;
  const keys = Object.keys(r).join(',');
  if (keys !== 'seq,at,kind,data,prev,hash')
    return { ok: false, reason: `expected the fields seq,at,kind,data,prev,hash in that order, got ${keys}` };
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 0) return { ok: false, reason: 'expected seq to be a non-negative integer' };
  if (typeof r.at !== 'string' || Number.isNaN(Date.parse(r.at))) return { ok: false, reason: 'expected at to be an ISO-8601 time' };
  if (typeof r.kind !== 'string') return { ok: false, reason: 'expected kind to be a string' };
  if (r.data === null || typeof r.data !== 'object' || Array.isArray(r.data)) return { ok: false, reason: 'expected data to be an object' };
  if (typeof r.prev !== 'string' || !HEX64.test(r.prev)) return { ok: false, reason: 'expected prev to be a SHA-256 (64 lower-case hex)' };
  const body = `${line.slice(0, m.index)}}`;
  if (sha256Hex(body) !== m[1]) return { ok: false, reason: 'content does not match its hash (the record was edited)' };
  return { ok: true, record: r as AuditRecord };
}
