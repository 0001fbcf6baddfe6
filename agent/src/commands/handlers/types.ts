import type { z } from 'zod';
import type { CommandName, commandSchemas, EventCommand } from '../../contract/commands.ts';
import type { Topics } from '../../publish/topics.ts';

/** A refusal may carry a detail too (`cmd/resend` says which publications it no longer keeps). */
export type CommandOutcome =
  | { ok: true; detail?: Record<string, unknown> }
  | { ok: false; error: string; detail?: Record<string, unknown> };
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
  /** Publish again the delivered alert messages of publications `from`…`to` the box still keeps. */
  resend(range: { from: number; to?: number | undefined }): CommandOutcome;
}

/** The refusal for a camera this box does not have; undefined when it has it. */
export function unknownCamera(camera: string, handlers: Pick<CommandHandlers, 'cameras'>): CommandOutcome | undefined {
  const known = handlers.cameras();
  if (known.includes(camera)) return undefined;
  return { ok: false, error: `unknown camera "${camera}": this box has ${known.map((c) => `"${c}"`).join(', ') || 'no cameras'}` };
}

/** What one command's handler gives back: the outcome, and for `snapshot` the frame to publish. */
export interface CommandResultOf {
  outcome: CommandOutcome;
  snapshot?: { camera: string; jpeg: Buffer };
}

/** One command's handler: the validated command in, the outcome out; it changes nothing when it refuses. */
export type CommandRun<N extends CommandName> = (
  cmd: z.infer<(typeof commandSchemas)[N]>,
  handlers: CommandHandlers,
  at: number,
  topics: Topics,
) => Promise<CommandResultOf>;
