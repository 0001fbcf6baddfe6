import { z } from 'zod';
import { secretSchema } from '../config/common.ts';

export const mqttConfigSchema = z.strictObject({
  /** mqtt://, mqtts://, ws://, wss://. Absent = an embedded broker on localhost (demo and single-box use). */
  url: z.string().regex(/^(mqtts?|wss?|tcp|ssl):\/\//, { error: 'expected an MQTT URL like mqtt://host:1883 or mqtts://host:8883' }).optional(),
  embeddedPort: z.number().int().min(0).max(65535).default(1883),
  protocolVersion: z.union([z.literal(5), z.literal(4)], { error: 'expected protocolVersion 5 (MQTT 5) or 4 (MQTT 3.1.1)' }).default(5),
  /** Topic root; the site id is appended: {root}/{site}/… */
  root: z.string().regex(/^[^#+]+[^/#+]$/, { error: 'expected a topic root without wildcards or a trailing "/"' }).default('jifang/v1'),
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
  metricsIntervalSeconds: z.number().positive().default(30),
  healthIntervalSeconds: z.number().positive().default(10),
});
export type MqttConfig = z.infer<typeof mqttConfigSchema>;
