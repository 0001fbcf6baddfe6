import { z } from 'zod';
import { secretSchema } from '../core/schema.ts';

/**
 * The durable outbox's bounds. When a bound is exceeded the outbox drops, in this order:
 * 1. the oldest queued snapshot JPEG (the alert itself still carries the snapshot's hash and a thumbnail),
 * 2. the oldest queued `updated` alert (a later `updated`/`ended` of the same event supersedes it),
 * 3. the oldest queued message of any kind.
 * Messages older than `maxAgeHours` are dropped as expired. Every drop is counted and reported (audit log).
 * Alert messages the broker acknowledged are kept for `keepDeliveredHours` and `keepDeliveredMegabytes`, whichever is
 * reached first, so the center can ask for one its archive did not get (`cmd/resend`).
 */
export const outboxConfigSchema = z.strictObject({
  maxMessages: z
    .number()
    .int()
    .min(10, { error: 'expected outbox.maxMessages ≥ 10' })
    .default(10_000)
    .meta({ description: 'Most messages kept while the broker cannot be reached, at least 10 (default 10000).' }),
  maxMegabytes: z
    .number()
    .min(1, { error: 'expected outbox.maxMegabytes ≥ 1' })
    .default(256)
    .meta({ description: 'Most megabytes of messages kept while the broker cannot be reached (default 256).' }),
  maxAgeHours: z
    .number()
    .positive({ error: 'expected outbox.maxAgeHours > 0' })
    .default(168)
    .meta({ description: 'Messages not delivered within this many hours are dropped as expired (default 168: a week).' }),
  keepDeliveredHours: z
    .number({ error: 'expected outbox.keepDeliveredHours, a number of hours ≥ 0' })
    .min(0, { error: 'expected outbox.keepDeliveredHours ≥ 0 (0 keeps nothing once delivered)' })
    .default(72)
    .meta({
      description:
        'Hours an alert message (and its snapshot) is kept after the broker acknowledged it, so the command center can ask for it again if its archive missed it (default 72; 0 keeps nothing).',
    }),
  keepDeliveredMegabytes: z
    .number({ error: 'expected outbox.keepDeliveredMegabytes, a number of megabytes ≥ 0' })
    .min(0, { error: 'expected outbox.keepDeliveredMegabytes ≥ 0 (0 keeps nothing once delivered)' })
    .default(256)
    .meta({
      description:
        'Most megabytes of delivered alert messages and snapshots kept for the command center to ask for again; the oldest go first (default 256; 0 keeps nothing).',
    }),
  heldReserveMegabytes: z
    .number({ error: 'expected outbox.heldReserveMegabytes, a number of megabytes ≥ 0' })
    .min(0, { error: 'expected outbox.heldReserveMegabytes ≥ 0 (0 reserves nothing)' })
    .default(2)
    .meta({
      description:
        'Megabytes set aside on disk at start for the alerts a full disk keeps out of the outbox: those that fit (half of it; an alert is a few KB) survive a kill or a power cut before space returns, the rest only a clean stop (default 2; 0 reserves nothing).',
    }),
});
export type OutboxConfig = z.infer<typeof outboxConfigSchema>;

/** TLS to a broker (the box's and the command center's): PEM files. */
export const mqttTlsSchema = z.strictObject({
  ca: z
    .string()
    .optional()
    .meta({ description: "PEM file of the certificate authority that signed the broker's certificate (default: the system's)." }),
  cert: z.string().optional().meta({ description: 'PEM file of the client certificate, for brokers that require one.' }),
  key: z.string().optional().meta({ description: "PEM file of the client certificate's private key." }),
  rejectUnauthorized: z
    .boolean()
    .default(true)
    .meta({ description: 'Refuse a broker whose certificate does not check out (default true; false only for testing).' }),
});

/** How a client logs in to the broker: the box and the command center take the same three fields. */
export const brokerLoginFields = {
  username: z.string().optional().meta({ description: 'User name on the broker.' }),
  password: secretSchema
    .optional()
    .meta({ description: 'Password on the broker: inline, { file: PATH } or { env: NAME } (better: keeps it out of the config).' }),
  tls: mqttTlsSchema
    .optional()
    .meta({ description: 'TLS settings for an mqtts:// or wss:// broker; files are relative to the config file.' }),
};

export const mqttConfigSchema = z.strictObject({
  url: z
    .string()
    .regex(/^(mqtts?|wss?|tcp|ssl):\/\//, { error: 'expected an MQTT URL like mqtt://host:1883 or mqtts://host:8883' })
    .refine((u) => URL.canParse(u) && new URL(u).hostname !== '', {
      error: 'expected an MQTT URL with a host and a port 1–65535, like mqtt://host:1883',
    })
    .optional()
    .meta({
      description:
        "The command center's broker: mqtt://host:1883, mqtts://host:8883 (TLS), ws:// or wss://. Absent: the box starts its own broker on localhost (demo and single-box use).",
    }),
  embeddedPort: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(1883)
    .meta({ description: 'Port of the built-in broker used when no url is given (default 1883; 0 picks a free one).' }),
  protocolVersion: z
    .union([z.literal(5), z.literal(4)], { error: 'expected protocolVersion 5 (MQTT 5) or 4 (MQTT 3.1.1)' })
    .default(5)
    .meta({
      description:
        '5 (MQTT 5, default) or 4 (MQTT 3.1.1). 5 falls back to 4 by itself when the broker refuses MQTT 5 (the built-in broker speaks only 3.1.1).',
    }),
  root: z
    .string()
    .regex(/^[^#+]+[^/#+]$/, { error: 'expected a topic root without wildcards or a trailing "/"' })
    .default('jifang/v1')
    .meta({ description: 'Start of every MQTT topic; the site id follows: ROOT/SITE/… (default jifang/v1).' }),
  clientId: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'MQTT client id, unique and stable per box so the broker keeps its session; default jifang-SITE-BOXID.' }),
  ...brokerLoginFields,
  keepaliveSeconds: z
    .number()
    .int()
    .min(5)
    .default(30)
    .meta({ description: 'Seconds between keep-alive pings, so a dead connection is noticed (at least 5, default 30).' }),
  reconnectMinSeconds: z
    .number()
    .positive()
    .default(1)
    .meta({ description: 'Wait in seconds before the first reconnect; it doubles after each failed attempt (default 1).' }),
  reconnectMaxSeconds: z
    .number()
    .positive()
    .default(60)
    .meta({ description: 'The longest wait in seconds between reconnect attempts (default 60).' }),
  connectTimeoutSeconds: z
    .number()
    .positive()
    .default(30)
    .meta({ description: 'Seconds to wait for the broker to accept a connection (default 30).' }),
  sessionExpirySeconds: z
    .number()
    .int()
    .min(0)
    .default(7 * 24 * 3600)
    .meta({
      description:
        "MQTT 5: how long the broker keeps this box's session (its command subscription and queued commands) while it is offline, in seconds (default a week).",
    }),
  commandMaxAgeMinutes: z.number().positive().default(60).meta({
    description:
      'A command the center sent longer ago than this many minutes (its issuedAt) is refused as expired, not applied: the broker may hold commands for an offline box for a week (default 60). The box and the center need synchronised clocks (NTP).',
  }),
  inflightWindow: z.number().int().min(1).max(1000).default(16).meta({
    description: "Messages sent but not yet confirmed by the broker at once, 1 to 1000 (default 16; the broker's own limit applies too).",
  }),
  outbox: outboxConfigSchema.default(outboxConfigSchema.parse({})).meta({
    description:
      'Limits of the queue on disk that keeps messages while the broker cannot be reached; past them the least useful messages go first.',
  }),
  metricsIntervalSeconds: z
    .number()
    .positive()
    .default(30)
    .meta({ description: 'Seconds between the metrics messages the box publishes (default 30).' }),
  healthIntervalSeconds: z
    .number()
    .positive()
    .default(10)
    .meta({ description: "Seconds between each camera's health messages (default 10)." }),
});
export type MqttConfig = z.infer<typeof mqttConfigSchema>;
