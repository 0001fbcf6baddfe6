import { z } from 'zod';
import { type Alert, alertSchema } from '../contract/alert.ts';
import { type CommandResult, commandResultSchema } from '../contract/commands.ts';
import { type CameraHealth, cameraHealthSchema, type Status, statusSchema } from '../contract/health.ts';

/**
 * What the center takes from a box, whatever the contract's version: bounded so every value fits the archive (an id
 * fits an index key, no NUL — PostgreSQL refuses it in text), and lenient about what a newer agent adds, so an alert
 * with a new field or event type is archived with what this center understands instead of being lost.
 */
export const WIRE_LIMITS = {
  /** JSON messages (a thumbnail is the largest part, tens of KB). */
  jsonBytes: 4 * 1024 * 1024,
  /** Identifiers the archive keys and indexes rows by. */
  idChars: 128,
  keyChars: 128,
  stringChars: 8 * 1024,
  base64Chars: 2 * 1024 * 1024,
  arrayItems: 1024,
  depth: 16,
  statusCameras: 256,
} as const;

const ID_KEYS = new Set(['id', 'site', 'camera', 'zone', 'boxId', 'requestId', 'eventId', 'sha256', 'command', 'state', 'type']);

/** A bounded rendering of a key or path for logs: a hostile key is 240,000 characters. */
export const clip = (s: string, n = 64): string => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

/** The first way `v` breaks the wire limits (path and why, bounded), or null. */
export function wireLimitProblem(v: unknown, path = 'payload', depth = 0): string | null {
  const found = problemIn(v, path.slice(path.lastIndexOf('.') + 1), depth);
  return found && `${path}${found.at.reverse().join('')}: ${found.why}`;
}

/** Where (its path's steps, innermost first) and why; the path is made only for a value that breaks a limit. */
type Found = { at: string[]; why: string };

/** `key`: the name `v` has in its object (null for an array's item), which sets the length allowed a string. */
function problemIn(v: unknown, key: string | null, depth: number): Found | null {
  if (typeof v === 'string') {
    if (v.includes('\u0000')) return { at: [], why: 'NUL character in a string' };
    const max =
      key !== null && ID_KEYS.has(key) ? WIRE_LIMITS.idChars : key === 'base64' ? WIRE_LIMITS.base64Chars : WIRE_LIMITS.stringChars;
    return v.length > max ? { at: [], why: `${v.length} characters, at most ${max}` } : null;
  }
  if (v === null || typeof v !== 'object') return null;
  if (depth >= WIRE_LIMITS.depth) return { at: [], why: `nested deeper than ${WIRE_LIMITS.depth} levels` };
  if (Array.isArray(v)) {
    if (v.length > WIRE_LIMITS.arrayItems) return { at: [], why: `${v.length} items, at most ${WIRE_LIMITS.arrayItems}` };
    for (let i = 0; i < v.length; i++) {
      const f = problemIn(v[i], null, depth + 1);
      if (f) {
        f.at.push(`[${i}]`);
        return f;
      }
    }
    return null;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k.length > WIRE_LIMITS.keyChars || k.includes('\u0000'))
      return {
        at: [],
        why: `a key of ${k.length} characters${k.includes('\u0000') ? ' with NUL' : ''} (${clip(JSON.stringify(k), 40)}), at most ${WIRE_LIMITS.keyChars}`,
      };
    const f = problemIn(o[k], k, depth + 1);
    if (f) {
      f.at.push(`.${k}`);
      return f;
    }
  }
  return null;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType<string>;
  valueType?: z.ZodType;
};

/** The same schema with every object open to fields it does not name (kept as they came). */
function lenient(s: z.ZodType): z.ZodType {
  const def = s.def as unknown as Def;
  switch (def.type) {
    case 'object':
      return z.looseObject(Object.fromEntries(Object.entries(def.shape ?? {}).map(([k, v]) => [k, lenient(v)])));
    case 'optional':
      return lenient(def.innerType as z.ZodType).optional();
    case 'nullable':
      return lenient(def.innerType as z.ZodType).nullable();
    case 'array':
      return z.array(lenient(def.element as z.ZodType)).max(WIRE_LIMITS.arrayItems);
    case 'record':
      return z.record(def.keyType as z.ZodType<string>, lenient(def.valueType as z.ZodType));
    default:
      return s;
  }
}

const open = (s: z.ZodType) => lenient(s) as z.ZodObject;
const wireId = z.string().min(1).max(WIRE_LIMITS.idChars);
const alertRule = alertSchema.shape.rule;

/**
 * An alert as the center reads it: any event type a newer catalogue adds (the archive keeps its name), the standard
 * category read loosely, identifiers non-empty.
 */
export const incomingAlertSchema = open(alertSchema).extend({
  id: wireId,
  site: wireId,
  camera: wireId,
  type: wireId,
  category: z.unknown().optional(),
  rule: open(alertRule).extend({ type: wireId }),
});

export const incomingStatusSchema = open(statusSchema).extend({
  cameras: z.array(open(statusSchema.shape.cameras.element).extend({ id: wireId })).max(WIRE_LIMITS.statusCameras),
});
export const incomingHealthSchema = open(cameraHealthSchema).extend({ camera: wireId });
export const incomingResultSchema = open(commandResultSchema);

/** Each kind of JSON message, with the type the store receives (newer fields ride along untyped). */
export const INCOMING = {
  event: { schema: incomingAlertSchema, what: 'a jifang.event/1 alert' },
  status: { schema: incomingStatusSchema, what: 'a status' },
  health: { schema: incomingHealthSchema, what: 'a camera health' },
  'cmd-result': { schema: incomingResultSchema, what: 'a command result' },
} as const;
export type IncomingTypes = { event: Alert; status: Status; health: CameraHealth; 'cmd-result': CommandResult };

/** An archived alert read back: what this center understands of it, never a throw (rows outlive upgrades). */
export function readStoredAlert(json: unknown): Alert {
  const raw = JSON.parse(String(json)) as unknown;
  const parsed = incomingAlertSchema.safeParse(raw);
  return (parsed.success ? parsed.data : raw) as Alert;
}
