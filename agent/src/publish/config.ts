import { z } from 'zod';
import { secretSchema } from '../core/schema.ts';

/**
 * The durable outbox's bounds. When a bound is exceeded the outbox drops, in this order:
 * 1. the oldest queued snapshot JPEG (the alert itself still carries the snapshot's hash and a thumbnail),
 * 2. the oldest queued `updated` alert (a later `updated`/`ended` of the same event supersedes it),
 * 3. the oldest queued message of any kind.
 * Messages older than `maxAgeHours` are dropped as expired. Every drop is counted and reported (audit log).
 */
export const outboxConfigSchema = z.strictObject({
  maxMessages: z.number().int().min(10, { error: 'expected outbox.maxMessages ≥ 10' }).default(10_000),
  maxMegabytes: z.number().min(1, { error: 'expected outbox.maxMegabytes ≥ 1' }).default(256),
  maxAgeHours: z.number().positive({ error: 'expected outbox.maxAgeHours > 0' }).default(168),
});
export type OutboxConfig = z.infer<typeof outboxConfigSchema>;

export const mqttConfigSchema = z.strictObject({
  /** mqtt://, mqtts://, ws://, wss://. Absent = an embedded broker on localhost (demo and single-box use). */
  url: z
    .string()
    .regex(/^(mqtts?|wss?|tcp|ssl):\/\//, { error: 'expected an MQTT URL like mqtt://host:1883 or mqtts://host:8883' })
    .refine((u) => URL.canParse(u) && new URL(u).hostname !== '', {
      error: 'expected an MQTT URL with a host and a port 1–65535, like mqtt://host:1883',
    })
    .optional(),
  embeddedPort: z.number().int().min(0).max(65535).default(1883),
  /** 5 falls back to 4 by itself when the broker refuses MQTT 5 (the embedded broker speaks only 3.1.1). */
  protocolVersion: z.union([z.literal(5), z.literal(4)], { error: 'expected protocolVersion 5 (MQTT 5) or 4 (MQTT 3.1.1)' }).default(5),
  /** Topic root; the site id is appended: {root}/{site}/… */
  root: z
    .string()
    .regex(/^[^#+]+[^/#+]$/, { error: 'expected a topic root without wildcards or a trailing "/"' })
    .default('jifang/v1'),
  /** Stable per box so the broker keeps the persistent session; default `jifang-{site}-{boxId}`. */
  clientId: z.string().min(1).optional(),
  username: z.string().optional(),
  password: secretSchema.optional(),
  tls: z
    .strictObject({
      ca: z.string().optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
      rejectUnauthorized: z.boolean().default(true),
    })
    .optional(),
  keepaliveSeconds: z.number().int().min(5).default(30),
  /** Reconnect delay doubles from min to max after each failed attempt (with jitter), back to min once connected. */
  reconnectMinSeconds: z.number().positive().default(1),
  reconnectMaxSeconds: z.number().positive().default(60),
  connectTimeoutSeconds: z.number().positive().default(30),
  /** MQTT 5: how long the broker keeps this box's session (its command subscription and queued commands) while it is offline. */
  sessionExpirySeconds: z
    .number()
    .int()
    .min(0)
    .default(7 * 24 * 3600),
  /** Outbox messages awaiting PUBACK at once (capped by the broker's receive maximum). */
  inflightWindow: z.number().int().min(1).max(1000).default(16),
  outbox: outboxConfigSchema.default(outboxConfigSchema.parse({})),
  metricsIntervalSeconds: z.number().positive().default(30),
  healthIntervalSeconds: z.number().positive().default(10),
});
export type MqttConfig = z.infer<typeof mqttConfigSchema>;
