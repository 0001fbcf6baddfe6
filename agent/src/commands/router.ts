import type { z } from 'zod';
import {
  COMMAND_NAMES,
  COMMAND_RESULT_SCHEMA_ID,
  type CommandName,
  commandSchemas,
  requestIdSchema,
  UNSAFE_TEXT,
} from '../contract/commands.ts';
import type { Logger } from '../core/log.ts';
import type { Topics } from '../publish/topics.ts';
import { COMMAND_RUNS } from './handlers/index.ts';
import type { CommandHandlers, CommandOutcome, CommandRun } from './handlers/types.ts';
import type { CommandHandler, CommandReply, IncomingCommand } from './types.ts';

/** One handled command, for the audit log (operator actions are part of the accountability chain). */
export interface CommandAuditEntry {
  command: string;
  topic: string;
  ok: boolean;
  error?: string;
  /** The validated command; absent when it did not validate. */
  payload?: Record<string, unknown>;
  at: number;
}

export interface CommandRouterDeps {
  topics: Topics;
  boxId: string;
  handlers: CommandHandlers;
  log: Logger;
  audit?: (entry: CommandAuditEntry) => void;
  now?: () => number;
  /** A command issued (`issuedAt`) longer ago than this is refused as expired; default: mqtt.commandMaxAgeMinutes's. */
  maxAgeMs?: number;
}

const MAX_COMMAND_BYTES = 64 * 1024;
/** mqtt.commandMaxAgeMinutes's default. */
const DEFAULT_MAX_AGE_MS = 60 * 60_000;
/** Bounds of what a reply echoes: one reply is always small, whatever the request held. */
const MAX_ECHO = { command: 64, topic: 256, error: 1000 } as const;

/**
 * Validates and dispatches `…/cmd/{name}` messages. Anything wrong (not under this box's prefix, unknown name,
 * not JSON, not the command's schema, unknown camera) is answered with `ok: false` and no handler is called.
 */
export function createCommandRouter(deps: CommandRouterDeps): CommandHandler {
  const { topics, boxId, handlers, audit } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ stage: 'commands' });

  return async (cmd: IncomingCommand): Promise<CommandReply> => {
    const at = now();
    const topic = echo(cmd.topic, MAX_ECHO.topic);
    const rawName = topics.commandName(cmd.topic);
    const name = rawName === null ? null : echo(rawName, MAX_ECHO.command);
    // An oversized payload is not even parsed: nothing of it is echoed.
    const raw = cmd.payload.length > MAX_COMMAND_BYTES ? ({ ok: false, error: 'not parsed' } as const) : parseJson(cmd.payload);
    const id = raw.ok && isRecord(raw.value) ? requestIdSchema.safeParse(raw.value.requestId) : undefined;
    const requestId = id?.success ? id.data : undefined;
    const reply = (command: string, outcome: CommandOutcome, payload?: Record<string, unknown>): CommandReply => {
      const error = outcome.ok ? undefined : echo(outcome.error, MAX_ECHO.error);
      if (!outcome.ok) log.warn({ command, topic, error }, 'command refused');
      else log.info({ command, topic, eventId: payload?.eventId }, 'command applied');
      audit?.({ command, topic, ok: outcome.ok, ...(error === undefined ? {} : { error }), ...(payload ? { payload } : {}), at });
      return {
        result: {
          schema: COMMAND_RESULT_SCHEMA_ID,
          command,
          topic,
          ...(requestId !== undefined ? { requestId } : {}),
          ok: outcome.ok,
          ...(outcome.ok ? {} : { error }),
          ...(outcome.detail ? { detail: outcome.detail } : {}),
          boxId,
          at: new Date(at).toISOString(),
        },
      };
    };

    if (name === null) {
      return reply(topic, { ok: false, error: `command topic "${topic}" is not under this box's prefix "${topics.prefix}/cmd/": refused` });
    }
    if (!isCommandName(name)) {
      return reply(name, {
        ok: false,
        error: `unknown command "${name}": expected one of ${COMMAND_NAMES.map((n) => `cmd/${n}`).join(', ')}`,
      });
    }
    if (cmd.payload.length > MAX_COMMAND_BYTES) {
      return reply(name, {
        ok: false,
        error: `command payload of ${cmd.payload.length} bytes is too large: expected at most ${MAX_COMMAND_BYTES}`,
      });
    }
    if (!raw.ok) return reply(name, { ok: false, error: `payload is not valid JSON (${raw.error}): expected a JSON object` });
    const parsed = commandSchemas[name].safeParse(raw.value);
    if (!parsed.success) return reply(name, { ok: false, error: `invalid cmd/${name}: ${describeIssues(parsed.error.issues)}` });
    const expired = expiry(parsed.data.issuedAt, at, deps.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
    if (expired) return reply(name, { ok: false, error: expired }, parsed.data as Record<string, unknown>);

    try {
      const run = COMMAND_RUNS[name] as CommandRun<CommandName>;
      const { outcome, snapshot } = await run(parsed.data as never, handlers, at, topics);
      const answer = reply(name, outcome, parsed.data as Record<string, unknown>);
      return snapshot ? { ...answer, snapshot } : answer;
    } catch (err) {
      // A handler that throws has broken its contract; the operator still gets an answer.
      log.error({ err, command: name }, 'command handler failed');
      return reply(name, { ok: false, error: `the box failed to apply cmd/${name}: ${(err as Error).message}` }, parsed.data);
    }
  };
}

/** Why a command issued at `issuedAt` is too old to apply at `at`, or null (no `issuedAt`: an older center's). */
export function expiry(issuedAt: string | undefined, at: number, maxAgeMs: number): string | null {
  if (issuedAt === undefined) return null;
  const age = at - Date.parse(issuedAt);
  if (age <= maxAgeMs) return null;
  return `expired: issued ${issuedAt}, ${minutes(age)} ago, older than ${minutes(maxAgeMs)} (mqtt.commandMaxAgeMinutes): not applied`;
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} min`;
  return m < 48 * 60 ? `${Math.round(m / 60)} h` : `${Math.round(m / 1440)} days`;
}

/** A string fit to echo: control characters escaped, cut to `max` characters. */
function echo(s: string, max: number): string {
  const safe = UNSAFE_TEXT.test(s)
    ? s.replace(new RegExp(UNSAFE_TEXT.source, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : s;
  return safe.length <= max ? safe : `${safe.slice(0, max - 1)}…`;
}

function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as string[]).includes(name);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(payload: Buffer): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`).join('; ');
}
