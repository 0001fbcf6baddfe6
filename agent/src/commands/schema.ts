import { z } from 'zod';
import { operatorActionSchema } from '../rules/states.ts';

/** Echoed in the reply so an MQTT 3.1.1 operator client (no correlation data) can match it to its request. */
const requestId = z.string().min(1).max(128).optional();

/** `…/cmd/event`: an operator's decision on an event. */
export const eventCommandSchema = z.strictObject({
  eventId: z.string({ error: 'expected eventId, the alert id (string)' }).min(1, { error: 'expected a non-empty eventId' }),
  action: operatorActionSchema,
  by: z.string({ error: 'expected by, who decided (string)' }).min(1, { error: 'expected a non-empty by' }),
  note: z.string().max(2000).optional(),
  /** The patrol unit sent, for `dispatch`. */
  unit: z.string().min(1).optional(),
  requestId,
});
export type EventCommand = z.infer<typeof eventCommandSchema>;

/** `…/cmd/snapshot`: a fresh annotated frame of one camera. */
export const snapshotCommandSchema = z.strictObject({
  camera: z.string({ error: 'expected camera, a camera id of this box (string)' }).min(1),
  requestId,
});
export type SnapshotCommand = z.infer<typeof snapshotCommandSchema>;

/**
 * `…/cmd/reference`: the camera's current view becomes its clean-scene reference for static foreground (an installer
 * sends it when the street is clear); the camera needs a rule reading static foreground.
 */
export const referenceCommandSchema = z.strictObject({
  camera: z.string({ error: 'expected camera, a camera id of this box (string)' }).min(1),
  requestId,
});

/** `…/cmd/reload`: re-read and validate the config; the old one stays when the new one is invalid. */
export const reloadCommandSchema = z.strictObject({ requestId });
export type ReloadCommand = z.infer<typeof reloadCommandSchema>;

export const commandSchemas = {
  event: eventCommandSchema,
  snapshot: snapshotCommandSchema,
  reload: reloadCommandSchema,
  reference: referenceCommandSchema,
} as const;
export type CommandName = keyof typeof commandSchemas;
export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[];

export const COMMAND_RESULT_SCHEMA_ID = 'jifang.cmd-result/1';

/** Every command gets one of these on `…/cmd-result` (and on its MQTT 5 response topic). */
export const commandResultSchema = z.strictObject({
  schema: z.literal(COMMAND_RESULT_SCHEMA_ID),
  /** The command name (`event`, `snapshot`, `reload`), or what followed `cmd/` when it is not one. */
  command: z.string(),
  topic: z.string(),
  requestId: z.string().optional(),
  ok: z.boolean(),
  /** Why the command was refused, in plain words; nothing changed on the box. */
  error: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
  boxId: z.string(),
  at: z.iso.datetime({ offset: true }),
});
export type CommandResult = z.infer<typeof commandResultSchema>;

/** A message received on the command subscription, as the transport hands it over. */
export interface IncomingCommand {
  topic: string;
  payload: Buffer;
  /** MQTT 5 request/response: where the requester also wants the reply, with its correlation data. */
  responseTopic?: string;
  correlationData?: Buffer;
}

export interface CommandReply {
  result: CommandResult;
  /** For `cmd/snapshot`: the frame to publish on `…/{camera}/snapshot`. */
  snapshot?: { camera: string; jpeg: Buffer };
}

export type CommandHandler = (cmd: IncomingCommand) => Promise<CommandReply>;
