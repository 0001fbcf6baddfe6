import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, problemsFromZod } from '../core/errors.ts';
import { parseYaml, readConfigFile } from '../core/yaml-file.ts';
import { idSchema, latLonSchema, secretSchema } from '../core/schema.ts';

/**
 * `jifang center CONFIG`: the command center's own file. It receives every box's contract on the city broker,
 * archives it once, serves the console and forwards each alert to the other platforms a city runs.
 */
export const centerMqttSchema = z.strictObject({
  url: z.string().regex(/^(mqtts?|wss?|tcp|ssl):\/\//, { error: 'expected an MQTT URL like mqtt://host:1883 or mqtts://host:8883' }),
  /** 4 for a 3.1.1-only broker (the demo's embedded one): no shared subscription, replies matched by requestId. */
  protocolVersion: z.union([z.literal(5), z.literal(4)], { error: 'expected protocolVersion 5 (MQTT 5) or 4 (MQTT 3.1.1)' }).default(5),
  root: z
    .string()
    .regex(/^[^#+]+[^/#+]$/, { error: 'expected a topic root without wildcards or a trailing "/"' })
    .default('jifang/v1'),
  /**
   * MQTT 5 shared subscription group: every instance with the same group takes a share of the messages
   * (`$share/{group}/{root}/+/#`). Absent: this instance receives everything.
   */
  sharedGroup: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a group name of letters, digits, "-" or "_"' })
    .optional(),
  /** Unique per instance: the broker keeps its session (and the messages for it) across a restart. */
  clientId: z.string().min(1).max(64).optional(),
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
  sessionExpirySeconds: z
    .number()
    .int()
    .min(0)
    .default(24 * 3600),
  /** How long an operator's command waits for the box's answer before the console says it did not come. */
  commandTimeoutSeconds: z.number().positive().default(15),
});

export const storageSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('sqlite'), path: z.string().min(1, { error: 'expected a database file path' }) }),
    z.strictObject({
      kind: z.literal('postgres'),
      /** postgres://user@host:5432/db; the password may come separately as a secret. */
      url: z.string().regex(/^postgres(ql)?:\/\//, { error: 'expected a URL like postgres://user@host:5432/jifang' }),
      password: secretSchema.optional(),
      poolSize: z.number().int().min(1).max(100).default(10),
    }),
  ],
  { error: 'expected storage.kind "sqlite" (with path) or "postgres" (with url)' },
);
export type StorageConfig = z.infer<typeof storageSchema>;

const templateValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(templateValue), z.record(z.string(), templateValue)]),
);

export const forwarderSchema = z.strictObject({
  id: idSchema,
  name: z.string().optional(),
  url: z.string().regex(/^https?:\/\//, { error: 'expected an http:// or https:// webhook URL' }),
  headers: z.record(z.string(), z.string()).default({}),
  /** A bearer token sent as `Authorization: Bearer …`. */
  token: secretSchema.optional(),
  /** Which lifecycle messages this platform wants. */
  states: z
    .array(z.enum(['started', 'updated', 'ended', 'cleared']))
    .min(1)
    .default(['started', 'ended', 'cleared']),
  /**
   * The platform's body: JSON where a string `"{{path}}"` is replaced by that field of the alert (keeping its type)
   * and `{{path}}` inside a longer string by its text. Absent: the alert itself.
   */
  template: templateValue.optional(),
  maxAttempts: z.number().int().min(1).max(1000).default(20),
  timeoutSeconds: z.number().positive().default(10),
  retryMinSeconds: z.number().positive().default(2),
  retryMaxSeconds: z.number().positive().default(600),
});
export type ForwarderConfig = z.infer<typeof forwarderSchema>;

export const centerConfigSchema = z.strictObject({
  /** Shown on the console's title bar. */
  name: z.string().default('jifang command center'),
  mqtt: centerMqttSchema,
  storage: storageSchema,
  http: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8780),
      /** The console over HTTPS when both are given (PEM files). */
      tls: z.strictObject({ cert: z.string(), key: z.string() }).optional(),
    })
    .default({ host: '127.0.0.1', port: 8780 }),
  /** The password file of the console's users (see `jifang center-user`). */
  users: z.string().min(1, { error: 'expected the path of the users file' }),
  map: z
    .strictObject({
      /** A city's own tile server, `{z}/{x}/{y}` placeholders. Absent: the plain offline map. */
      tileUrl: z
        .string()
        .regex(/\{z\}.*\{x\}.*\{y\}|\{z\}.*\{y\}.*\{x\}/, { error: 'expected a URL with {z}, {x} and {y}' })
        .optional(),
      /** Chinese tile providers draw GCJ-02 ("Mars") coordinates: points are shifted for display. */
      tileCrs: z.enum(['wgs84', 'gcj02']).default('wgs84'),
      attribution: z.string().optional(),
      center: latLonSchema.optional(),
      /** Streets for the offline map (GeoJSON LineStrings/Polygons, WGS-84). */
      streets: z.string().optional(),
    })
    .default({ tileCrs: 'wgs84' }),
  /** Patrol units a dispatcher can send. */
  units: z.array(z.string().min(1)).default([]),
  forwarders: z.array(forwarderSchema).default([]),
  /** A dispatched event not cleared after this long is flagged on the dispatch board. */
  dispatchReminderMinutes: z.number().positive().default(15),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type CenterConfig = z.infer<typeof centerConfigSchema>;

/** Reads and validates a center config; relative paths resolve against the file's folder. */
export function loadCenterConfig(file: string): CenterConfig {
  const { doc } = parseYaml(readConfigFile(file), file);
  return parseCenterConfig(doc.toJS() ?? {}, file, dirname(resolve(file)));
}

export function parseCenterConfig(raw: unknown, file: string, baseDir: string): CenterConfig {
  const parsed = centerConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, problemsFromZod(parsed.error.issues, raw));
  const cfg = parsed.data;
  const abs = (p: string) => resolve(baseDir, p);
  cfg.users = abs(cfg.users);
  if (cfg.storage.kind === 'sqlite') cfg.storage.path = abs(cfg.storage.path);
  if (cfg.map.streets) cfg.map.streets = abs(cfg.map.streets);
  if (cfg.http.tls) cfg.http.tls = { cert: abs(cfg.http.tls.cert), key: abs(cfg.http.tls.key) };
  const tls = cfg.mqtt.tls;
  if (tls) for (const k of ['ca', 'cert', 'key'] as const) if (tls[k]) tls[k] = abs(tls[k]);
  if (cfg.mqtt.sharedGroup && cfg.mqtt.protocolVersion !== 5) {
    throw new ConfigError(file, [
      {
        path: 'mqtt.sharedGroup',
        message: `shared subscriptions need MQTT 5: expected mqtt.protocolVersion 5, got ${cfg.mqtt.protocolVersion}`,
      },
    ]);
  }
  const ids = new Set<string>();
  cfg.forwarders.forEach((f, i) => {
    if (ids.has(f.id))
      throw new ConfigError(file, [{ path: `forwarders[${i}].id`, message: `duplicate forwarder id "${f.id}": expected each id once` }]);
    ids.add(f.id);
  });
  return cfg;
}
