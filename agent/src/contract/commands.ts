import { z } from 'zod';
import { operatorActionSchema } from './event-states.ts';

/**
 * Control characters (C0, DEL, C1), line and paragraph separators, and bidirectional overrides: in a one-line field
 * they would forge lines or reorder text on the console and in every later alert.
 */
export const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** The same, but a note may have line breaks and tabs. */
const UNSAFE_NOTE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

export const MAX_REQUEST_ID = 128;

/** An operator-supplied one-line string: bounded, so one command cannot bloat every later alert, and printable. */
const operatorText = (field: string, what: string, max: number) =>
  z
    .string({ error: `expected ${field}, ${what} (string)` })
    .min(1, { error: `expected a non-empty ${field}` })
    .max(max, { error: `expected ${field} of at most ${max} characters` })
    .refine((s) => !UNSAFE_TEXT.test(s), {
      error: `expected ${field} without control characters (line breaks, escapes, direction overrides)`,
    });

/** Echoed in the reply so an MQTT 3.1.1 operator client (no correlation data) can match it to its request. */
export const requestIdSchema = operatorText('requestId', 'echoed in the reply', MAX_REQUEST_ID);
const requestId = requestIdSchema.optional();

/**
 * When the center sent the command: a box refuses one older than its `mqtt.commandMaxAgeMinutes` (a dispatch held by
 * the broker through a long outage is not applied on return). Absent (an older center): applied whatever its age.
 */
const issuedAtSchema = z.iso.datetime({ offset: true, error: 'expected issuedAt, an ISO 8601 date-time with offset' });
const issuedAt = issuedAtSchema.optional();

/** `…/cmd/event`: an operator's decision on an event. */
export const eventCommandSchema = z
  .strictObject({
    eventId: operatorText('eventId', 'the alert id', 200),
    action: operatorActionSchema,
    by: operatorText('by', 'who decided', 64),
    note: z
      .string({ error: 'expected note as a string' })
      .max(2000, { error: 'expected note of at most 2000 characters' })
      .refine((s) => !UNSAFE_NOTE.test(s), { error: 'expected note without control characters other than line breaks and tabs' })
      .optional(),
    /** The patrol unit sent, for `dispatch`. */
    unit: operatorText('unit', 'the patrol unit sent', 64).optional(),
    requestId,
    issuedAt,
  })
  .meta({ title: 'operator decision on an event, sent to …/cmd/event' });
export type EventCommand = z.infer<typeof eventCommandSchema>;

/** `…/cmd/snapshot`: a fresh annotated frame of one camera. */
export const snapshotCommandSchema = z
  .strictObject({
    camera: operatorText('camera', 'a camera id of this box', 128),
    requestId,
    issuedAt,
  })
  .meta({ title: 'request for a fresh annotated frame, sent to …/cmd/snapshot' });
export type SnapshotCommand = z.infer<typeof snapshotCommandSchema>;

/**
 * `…/cmd/reference`: the camera's current view becomes its clean-scene reference for static foreground (an installer
 * sends it when the street is clear); the camera needs a rule reading static foreground.
 */
export const referenceCommandSchema = z
  .strictObject({
    camera: z.string({ error: 'expected camera, a camera id of this box (string)' }).min(1),
    requestId,
    issuedAt,
  })
  .meta({ title: "request to capture a camera's clean-scene reference for static foreground, sent to …/cmd/reference" });

/** `…/cmd/reload`: re-read and validate the config; the old one stays when the new one is invalid. */
export const reloadCommandSchema = z
  .strictObject({ requestId, issuedAt })
  .meta({ title: 'request to re-read the config, sent to …/cmd/reload' });
export type ReloadCommand = z.infer<typeof reloadCommandSchema>;

/** The most publications one `cmd/resend` re-sends: a longer range is answered `more: true`, and asked for again. */
export const MAX_RESEND = 500;

const publicationNumber = (field: string) =>
  z
    .number({ error: `expected ${field}, a publication number (integer ≥ 1)` })
    .int({ error: `expected ${field} as an integer` })
    .min(1, { error: `expected ${field} ≥ 1` });

/**
 * `…/cmd/resend`: the center asks the box to publish again the alert messages numbered `from`…`to` (their
 * `publication`), which it delivered but the archive has not got. The box re-sends what it still keeps, at most
 * MAX_RESEND publications per command.
 */
export const resendCommandSchema = z
  .strictObject({
    from: publicationNumber('from'),
    /** Inclusive; absent: up to the latest the box has published. */
    to: publicationNumber('to').optional(),
    requestId,
    issuedAt,
  })
  .refine((c) => c.to === undefined || c.to >= c.from, { error: 'expected to ≥ from', path: ['to'] })
  .meta({ title: 'request to publish again alert messages by their publication numbers, sent to …/cmd/resend' });
export type ResendCommand = z.infer<typeof resendCommandSchema>;

const rangeSchema = z.tuple([z.number().int(), z.number().int()]);

/** The `detail` of the answer to `cmd/resend` (on a refusal too): what was re-sent, and what the box no longer keeps. */
export const resendDetailSchema = z.object({
  from: z.number().int(),
  /** The last number this answer covers: below `to` when the range was longer than MAX_RESEND (`more`). */
  through: z.number().int(),
  /** The highest number the box has given so far. */
  latest: z.number().int(),
  /** Publications published again now. */
  resent: z.number().int(),
  /** Publications of the range still waiting in the box's outbox: they come by themselves. */
  queued: z.number().int(),
  /** Publications of the range the box no longer has (past its delivered window, or dropped before delivery). */
  notKept: z.array(rangeSchema),
  more: z.boolean(),
});
export type ResendDetail = z.infer<typeof resendDetailSchema>;

/**
 * Every command a box takes, by name (its topic `…/cmd/{name}`): each schema's `title` heads its published JSON Schema
 * (`jifang.cmd-{name}-1.schema.json`); the box's command registry (commands/handlers/index.ts) is checked against it.
 */
export const commandSchemas = {
  event: eventCommandSchema,
  snapshot: snapshotCommandSchema,
  reload: reloadCommandSchema,
  reference: referenceCommandSchema,
  resend: resendCommandSchema,
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
