import type { z } from 'zod';
import type { Logger } from '../core/log.ts';
import type { Topics } from '../publish/topics.ts';
import {
  COMMAND_NAMES,
  COMMAND_RESULT_SCHEMA_ID,
  commandSchemas,
  type CommandHandler,
  type CommandName,
  type CommandReply,
  type EventCommand,
  type IncomingCommand,
} from './schema.ts';

export type CommandOutcome = { ok: true; detail?: Record<string, unknown> } | { ok: false; error: string };
export type SnapshotOutcome = { ok: true; jpeg: Buffer; width: number; height: number; sha256: string } | { ok: false; error: string };

/**
 * What the rest of the agent supplies. Each handler either applies the command completely or returns
 * `{ ok: false, error }` having changed nothing.
 */
export interface CommandHandlers {
  /** The rules engine's operator action (an unknown event id is an error). */
  applyEventAction(cmd: EventCommand, at: number): CommandOutcome | Promise<CommandOutcome>;
  cameras(): readonly string[];
  /** A fresh annotated frame of a camera this box has. */
  snapshot(camera: string): Promise<SnapshotOutcome>;
  /** Re-read and validate the config; keep the old one when the new one is invalid. */
  reload(): Promise<CommandOutcome>;
  /** Capture the camera's clean-scene reference (an error when no rule of it reads static foreground). */
  captureReference(camera: string): CommandOutcome;
}

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
}

const MAX_COMMAND_BYTES = 64 * 1024;

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
    const name = topics.commandName(cmd.topic);
    const raw = parseJson(cmd.payload);
    const requestId = raw.ok && isRecord(raw.value) && typeof raw.value.requestId === 'string' ? raw.value.requestId : undefined;
    const reply = (command: string, outcome: CommandOutcome, payload?: Record<string, unknown>): CommandReply => {
      if (!outcome.ok) log.warn({ command, topic: cmd.topic, error: outcome.error }, 'command refused');
      else log.info({ command, topic: cmd.topic, eventId: payload?.eventId }, 'command applied');
      audit?.({ command, topic: cmd.topic, ok: outcome.ok, ...(outcome.ok ? {} : { error: outcome.error }), ...(payload ? { payload } : {}), at });
      return {
        result: {
          schema: COMMAND_RESULT_SCHEMA_ID,
          command,
          topic: cmd.topic,
          ...(requestId !== undefined ? { requestId } : {}),
          ok: outcome.ok,
          ...(outcome.ok ? (outcome.detail ? { detail: outcome.detail } : {}) : { error: outcome.error }),
          boxId,
          at: new Date(at).toISOString(),
        },
      };
    };

    if (name === null) {
      return reply(cmd.topic, { ok: false, error: `command topic "${cmd.topic}" is not under this box's prefix "${topics.prefix}/cmd/": refused` });
    }
    if (!isCommandName(name)) {
      return reply(name, { ok: false, error: `unknown command "${name}": expected one of ${COMMAND_NAMES.map((n) => `cmd/${n}`).join(', ')}` });
    }
    if (cmd.payload.length > MAX_COMMAND_BYTES) {
      return reply(name, { ok: false, error: `command payload of ${cmd.payload.length} bytes is too large: expected at most ${MAX_COMMAND_BYTES}` });
    }
    if (!raw.ok) return reply(name, { ok: false, error: `payload is not valid JSON (${raw.error}): expected a JSON object` });
    const parsed = commandSchemas[name].safeParse(raw.value);
    if (!parsed.success) return reply(name, { ok: false, error: `invalid cmd/${name}: ${describeIssues(parsed.error.issues)}` });

    try {
      switch (name) {
        case 'event': {
          const c = parsed.data as EventCommand;
          return reply(name, await handlers.applyEventAction(c, at), c);
        }
        case 'snapshot': {
          const { camera } = parsed.data as { camera: string };
          const unknown = unknownCamera(camera, handlers);
          if (unknown) return reply(name, unknown, parsed.data);
          const shot = await handlers.snapshot(camera);
          if (!shot.ok) return reply(name, shot, parsed.data);
          const topic = topics.requestedSnapshot(camera);
          const detail = { camera, topic, sha256: shot.sha256, bytes: shot.jpeg.length, width: shot.width, height: shot.height };
          return { ...reply(name, { ok: true, detail }, parsed.data), snapshot: { camera, jpeg: shot.jpeg } };
        }
        case 'reload':
          return reply(name, await handlers.reload(), parsed.data);
        case 'reference': {
          const { camera } = parsed.data as { camera: string };
          return reply(name, unknownCamera(camera, handlers) ?? handlers.captureReference(camera), parsed.data);
        }
      }
    } catch (err) {
      // A handler that throws has broken its contract; the operator still gets an answer.
      log.error({ err, command: name }, 'command handler failed');
      return reply(name, { ok: false, error: `the box failed to apply cmd/${name}: ${(err as Error).message}` }, parsed.data);
    }
  };
}

function unknownCamera(camera: string, handlers: CommandHandlers): CommandOutcome | undefined {
  const known = handlers.cameras();
  if (known.includes(camera)) return undefined;
  return { ok: false, error: `unknown camera "${camera}": this box has ${known.map((c) => `"${c}"`).join(', ') || 'no cameras'}` };
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
