import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, type ConfigProblem, type ProblemLang, problemsFromZod, zodWords } from '../core/errors.ts';
import { idSchema, secretSchema } from '../core/schema.ts';
import { parseYaml, readConfigFile } from '../core/yaml-file.ts';
import { brokerLoginFields } from '../publish/config.ts';
import { trustedProxiesSchema } from '../web/client-address.ts';
import { basemapSchema, checkBasemap } from '../web/map/config.ts';
import { patrolConfigSchema } from './patrol/config.ts';
import { centerMessageZh } from './setting-words.ts';

/**
 * `jifang center CONFIG`: the command center's own file. It receives every box's contract on the city broker,
 * archives it once, serves the console and forwards each alert to the other platforms a city runs.
 */
export const centerMqttSchema = z.strictObject({
  url: z
    .string()
    .regex(/^(mqtts?|wss?|tcp|ssl):\/\//, { error: 'expected an MQTT URL like mqtt://host:1883 or mqtts://host:8883' })
    .meta({ description: 'The city broker the boxes publish to: mqtt://host:1883, mqtts://host:8883 (TLS), ws:// or wss://.' }),
  protocolVersion: z
    .union([z.literal(5), z.literal(4)], { error: 'expected protocolVersion 5 (MQTT 5) or 4 (MQTT 3.1.1)' })
    .default(5)
    .meta({
      description:
        "5 (MQTT 5, default) or 4 for a broker that speaks only MQTT 3.1.1, such as the demo's built-in one (then no sharedGroup).",
    }),
  root: z
    .string()
    .regex(/^[^#+]+[^/#+]$/, { error: 'expected a topic root without wildcards or a trailing "/"' })
    .default('jifang/v1')
    .meta({ description: "Start of every MQTT topic, the same as the boxes' mqtt.root (default jifang/v1)." }),
  sharedGroup: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a group name of letters, digits, "-" or "_"' })
    .optional()
    .meta({
      description:
        'MQTT 5: instances with the same group name share the messages between them (for several center instances on one database). Absent: this instance receives everything.',
    }),
  clientId: z.string().min(1).max(64).optional().meta({
    description:
      'MQTT client id, unique per instance and stable, so the broker keeps its session and messages across a restart. Default: jifang-center-HOSTNAME (set it when two instances share a host name).',
  }),
  ...brokerLoginFields,
  alertLane: z
    .strictObject({
      clientId: z.string().min(1).max(64).meta({ description: "The alert session's client id, unique and stable like clientId." }),
      ...brokerLoginFields,
    })
    .optional()
    .meta({
      description:
        "A second session for the alerts and their snapshots, so that they never wait at the broker behind the cameras' health (a backlog of health costs no alert its second). Login fields not given are the instance's own; a broker that makes the client id from the identity (mosquitto's use_username_as_clientid) needs its own identity here. Absent: one session for everything.",
    }),
  sessionExpirySeconds: z
    .number()
    .int()
    .min(0)
    .default(24 * 3600)
    .meta({ description: 'MQTT 5: how long the broker keeps messages for this instance while it is down, in seconds (default a day).' }),
  heldMessagesMB: z.number().positive().default(64).meta({
    description:
      "Megabytes of received messages this instance holds in memory until the archive has them (default 64). Past it, it stops reading from the broker until the archive catches up (the broker keeps the rest; health says so), so an archive that stalls cannot take the center's memory. Paused longer than 1.5 × the keep-alive (90 s), the connection is taken again and the broker sends the unacknowledged messages again (stored once).",
  }),
  commandTimeoutSeconds: z.number().positive().default(15).meta({
    description: "Seconds an operator's command waits for the box's answer before the console says it did not come (default 15).",
  }),
});

export const storageSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('sqlite').meta({ description: 'One SQLite database file: for a single instance.' }),
      path: z
        .string()
        .min(1, { error: 'expected a database file path' })
        .meta({ description: 'The database file, relative to the config file; created when missing.' }),
    }),
    z.strictObject({
      kind: z.literal('postgres').meta({ description: 'PostgreSQL: for one or more instances sharing the archive.' }),
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, { error: 'expected a URL like postgres://user@host:5432/jifang' })
        .meta({ description: 'The database, postgres://user@host:5432/jifang; the password better given separately.' }),
      password: secretSchema.optional().meta({ description: "The database user's password: inline, { file: PATH } or { env: NAME }." }),
      poolSize: z
        .number()
        .int()
        .min(1)
        .max(100)
        .default(10)
        .meta({ description: 'Database connections this instance keeps open, 1 to 100 (default 10).' }),
    }),
  ],
  { error: 'expected storage.kind "sqlite" (with path) or "postgres" (with url)' },
);
export type StorageConfig = z.infer<typeof storageSchema>;

const templateValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(templateValue), z.record(z.string(), templateValue)]),
);

export const forwarderSchema = z.strictObject({
  id: idSchema.meta({ description: 'The forwarder id: lower-case letters, digits, "-" and "_"; its deliveries are listed under it.' }),
  name: z.string().optional().meta({ description: 'The platform name for people, e.g. 城管平台.' }),
  url: z
    .string()
    .regex(/^https?:\/\//, { error: 'expected an http:// or https:// webhook URL' })
    .meta({ description: "The platform's webhook: each alert is POSTed to this http:// or https:// URL." }),
  enabled: z.boolean().default(true).meta({
    description: 'false: kept in the file but sent nothing; its deliveries already queued wait until it is enabled again (default true).',
  }),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .meta({ description: 'Extra HTTP headers sent with each request, e.g. { X-Api-Key: … }. Default none.' }),
  token: secretSchema
    .optional()
    .meta({ description: 'A token sent as "Authorization: Bearer TOKEN": inline, { file: PATH } or { env: NAME }.' }),
  states: z
    .array(z.enum(['started', 'updated', 'ended', 'cleared']))
    .min(1)
    .default(['started', 'ended', 'cleared'])
    .meta({
      description: 'Which messages of an event the platform gets: started, updated, ended, cleared (default started, ended and cleared).',
    }),
  categories: z
    .array(z.string().regex(/^[a-z0-9_-]+$/, { error: 'expected an event type id of the catalogue, like street_vending' }))
    .min(1, { error: 'expected at least one event type, or no categories at all (then every type)' })
    .optional()
    .meta({
      description:
        "Which event types the platform gets, by the catalogue's ids (e.g. [street_vending, illegal_parking]). Absent: every type.",
    }),
  template: templateValue.optional().meta({
    description:
      'The body the platform expects, as JSON: a string "{{path}}" is replaced by that field of the alert (keeping its type), {{path}} inside longer text by its text. Absent: the alert itself.',
  }),
  maxAttempts: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .meta({ description: 'Attempts to deliver one message before giving up, 1 to 1000 (default 20).' }),
  timeoutSeconds: z
    .number()
    .positive()
    .default(10)
    .meta({ description: 'Seconds to wait for the platform to answer one request (default 10).' }),
  retryMinSeconds: z
    .number()
    .positive()
    .default(2)
    .meta({ description: 'Wait in seconds before the first retry; it doubles after each failure (default 2).' }),
  retryMaxSeconds: z.number().positive().default(600).meta({ description: 'The longest wait in seconds between retries (default 600).' }),
});
export type ForwarderConfig = z.infer<typeof forwarderSchema>;

/** The dispatch map's basemap (tile server, tile file or none) and the city's streets drawn on it. */
export const mapSchema = basemapSchema
  .extend({
    streets: z.string().optional().meta({
      description: 'A GeoJSON file of streets (lines or polygons, WGS-84) drawn on the map; relative to the config file.',
    }),
  })
  .default({ coords: 'wgs84', maxZoom: 18, zoom: 15 })
  .meta({ description: 'The dispatch map: its basemap (tile server, tile file or none), their coordinates, where it opens.' });
export type MapConfig = z.infer<typeof mapSchema>;
const RETENTION_DEFAULTS = {
  eventDays: 730,
  snapshotDays: 180,
  snapshotMegabytesPerBox: 10_240,
  deadLetterMegabytes: 1024,
  patrolPhotoDays: 365,
  gapDays: 10,
  everyMinutes: 60,
};

/** What the archive deletes on its own; the box's audit log stays the record of truth. */
export const retentionSchema = z
  .strictObject({
    eventDays: z
      .number()
      .positive()
      .default(RETENTION_DEFAULTS.eventDays)
      .meta({
        description: `Events that ended more than this many days ago are deleted with their messages, operators' actions and forwarders' deliveries (default ${RETENTION_DEFAULTS.eventDays}); an event a work order not yet closed names stays, and the risk model keeps its incidents.`,
      }),
    snapshotDays: z
      .number()
      .positive()
      .default(RETENTION_DEFAULTS.snapshotDays)
      .meta({
        description: `Snapshots older than this many days are deleted (default ${RETENTION_DEFAULTS.snapshotDays}); their events stay.`,
      }),
    snapshotMegabytesPerBox: z
      .number()
      .positive()
      .default(RETENTION_DEFAULTS.snapshotMegabytesPerBox)
      .meta({
        description: `Each box's snapshots may take this many megabytes; beyond it its oldest are deleted (default ${RETENTION_DEFAULTS.snapshotMegabytesPerBox}).`,
      }),
    deadLetterMegabytes: z
      .number()
      .positive()
      .default(RETENTION_DEFAULTS.deadLetterMegabytes)
      .meta({
        description: `The dead letters may take this many megabytes; beyond it the oldest are deleted (default ${RETENTION_DEFAULTS.deadLetterMegabytes}).`,
      }),
    patrolPhotoDays: z
      .number()
      .positive()
      .default(RETENTION_DEFAULTS.patrolPhotoDays)
      .meta({
        description: `Officers' photos (patrol.photosDir) of work orders closed more than this many days ago are deleted (default ${RETENTION_DEFAULTS.patrolPhotoDays}); the orders and their timelines stay.`,
      }),
    gapDays: z
      .number()
      .positive()
      .default(RETENTION_DEFAULTS.gapDays)
      .meta({
        description: `A gap in a box's numbered alerts below one archived more than this many days ago is given up as lost and reported, and the archive stops tracking those numbers (default ${RETENTION_DEFAULTS.gapDays}: a box keeps an undelivered alert up to outbox.maxAgeHours, 168, and a delivered one keepDeliveredHours, 72; raise it if the boxes keep longer).`,
      }),
    everyMinutes: z
      .number()
      .positive()
      .default(RETENTION_DEFAULTS.everyMinutes)
      .meta({
        description: `How often the deletions run, in minutes (default ${RETENTION_DEFAULTS.everyMinutes}; the first a minute after start).`,
      }),
  })
  .default(RETENTION_DEFAULTS)
  .meta({
    description: "How long the archive keeps events, snapshots and officers' photos, and how much each box and the dead letters may take.",
  });
export type RetentionConfig = z.infer<typeof retentionSchema>;

export const centerConfigSchema = z.strictObject({
  name: z
    .string()
    .default('jifang command center')
    .meta({ description: "Shown on the console's title bar (default: jifang command center)." }),
  mqtt: centerMqttSchema.meta({
    description: "The city broker the boxes publish to: the center archives every box's alerts, health and answers from it.",
  }),
  storage: storageSchema.meta({
    description: 'Where events, evidence references and decisions are archived: sqlite (one instance) or postgres (several).',
  }),
  http: z
    .strictObject({
      host: z
        .string()
        .default('127.0.0.1')
        .meta({ description: 'Address the console listens on: 127.0.0.1 (default, this machine only) or the LAN address / 0.0.0.0.' }),
      port: z.number().int().min(0).max(65535).default(8780).meta({ description: 'TCP port of the console and its API (default 8780).' }),
      tls: z
        .strictObject({
          cert: z.string().meta({ description: "PEM file of the server's certificate chain." }),
          key: z.string().meta({ description: "PEM file of the certificate's private key." }),
        })
        .optional()
        .meta({ description: 'Serve the console over HTTPS with these PEM files; absent: plain HTTP.' }),
      trustedProxies: trustedProxiesSchema,
      streams: z
        .strictObject({
          maxConnections: z.number().int().min(1).default(1000).meta({
            description:
              "Live streams (console pages, officers' phones) open at once per channel; one more is answered 503 (default 1000).",
          }),
          maxPerUser: z.number().int().min(1).default(10).meta({
            description: 'Live streams one user may have open per channel; one more is answered 429 (default 10).',
          }),
          maxBufferKilobytes: z.number().int().min(16).default(4096).meta({
            description:
              'What may wait for a page that does not read its stream, in KiB; a page past it for 5 s is dropped and reconnects (default 4096).',
          }),
        })
        .default({ maxConnections: 1000, maxPerUser: 10, maxBufferKilobytes: 4096 })
        .meta({ description: 'Bounds of the live streams (/api/stream, /api/patrol/feed).' }),
      metricsToken: secretSchema.optional().meta({
        description:
          'The token Prometheus sends as "Authorization: Bearer TOKEN" for /metrics: inline, { file: PATH } or { env: NAME }. Absent: /metrics for admins signed in only.',
      }),
    })
    .default({
      host: '127.0.0.1',
      port: 8780,
      trustedProxies: [],
      streams: { maxConnections: 1000, maxPerUser: 10, maxBufferKilobytes: 4096 },
    })
    .meta({ description: "The console's web server (default 127.0.0.1:8780)." }),
  users: z.string().min(1, { error: 'expected the path of the users file' }).meta({
    description: "The file of the console's users and their hashed passwords, made with jifang center-user; relative to the config file.",
  }),
  map: mapSchema,
  units: z
    .array(z.string().min(1))
    .default([])
    .meta({ description: 'The patrol units a dispatcher can send to an event, e.g. ["城管一中队"]. Default none.' }),
  forwarders: z.array(forwarderSchema).default([]).meta({
    description: "Other platforms each alert is forwarded to by webhook (the city's 城管 platform, a messaging bot). Default none.",
  }),
  patrol: patrolConfigSchema,
  dataDir: z.string().min(1).optional().meta({
    description:
      "The center's own files (snapshots, named by their SHA-256, under blobs/), relative to the config file. Absent: the environment variable JIFANG_DATA_DIR, else the SQLite database's folder, else data. Several instances on one PostgreSQL share it (a network volume).",
  }),
  retention: retentionSchema,
  dispatchReminderMinutes: z
    .number()
    .positive()
    .default(15)
    .meta({ description: 'A dispatched event not cleared after this many minutes is flagged on the dispatch board (default 15).' }),
  risk: z
    .strictObject({
      utcOffset: z
        .string()
        .regex(/^[+-]\d\d:\d\d$/, { error: 'expected the offset of local time from UTC, like +08:00' })
        .default('+08:00')
        .meta({ description: "The city's offset from UTC (default +08:00): days, hours of the week and patrol slots are read on it." }),
      cellMeters: z.number().min(50).max(2000).default(250).meta({ description: 'Size of the risk grid cells in metres (default 250).' }),
      dailyBudget: z.number().int().min(1).max(1000).default(12).meta({
        description: 'Patrol slots (cell × 4-hour block) per responsibility area and day the nightly plan keeps (default 12).',
      }),
      refitHour: z.number().int().min(0).max(23).default(3).meta({
        description: "Local hour of the nightly refit of the risk model and of the next day's plan (default 3).",
      }),
    })
    .default({ utcOffset: '+08:00', cellMeters: 250, dailyBudget: 12, refitHour: 3 })
    .meta({ description: 'The patrol plan: the risk model fitted every night on the archive and the imported incidents.' }),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .meta({ description: 'How much the center logs: fatal, error, warn, info (default), debug, trace or silent.' }),
});
/** A parsed config: paths absolute, `dataDir` decided. */
export type CenterConfig = z.infer<typeof centerConfigSchema> & { dataDir: string };

/**
 * The instance's MQTT client id: the configured one, else one from the host name, the same after every restart so
 * the broker's persistent session (and the messages queued in it) is this instance's again.
 */
export function centerClientId(mqtt: { clientId?: string | undefined }, host = hostname()): string {
  return mqtt.clientId ?? `jifang-center-${host.replace(/[^A-Za-z0-9_.-]/g, '_')}`.slice(0, 64);
}

/** Reads and validates a center config; relative paths resolve against the file's folder. */
export function loadCenterConfig(file: string): CenterConfig {
  const { doc } = parseYaml(readConfigFile(file), file);
  return parseCenterConfig(doc.toJS() ?? {}, file, dirname(resolve(file)));
}

/** `lang`: the words of the problems, English for the log and `check-config`, Chinese for a Chinese /admin page. */
export function parseCenterConfig(raw: unknown, file: string, baseDir: string, lang: ProblemLang = 'en'): CenterConfig {
  const parsed = centerConfigSchema.safeParse(raw, zodWords(lang));
  if (!parsed.success) throw new ConfigError(file, problemsFromZod(parsed.error.issues, raw, lang, centerMessageZh));
  const refuse = (p: ConfigProblem) => new ConfigError(file, [lang === 'zh' ? { path: p.path, message: centerMessageZh(p.message) } : p]);
  const abs = (p: string) => resolve(baseDir, p);
  const cfg = parsed.data;
  cfg.users = abs(cfg.users);
  if (cfg.storage.kind === 'sqlite') cfg.storage.path = abs(cfg.storage.path);
  const given = cfg.dataDir || process.env.JIFANG_DATA_DIR;
  const dataDir = given ? abs(given) : cfg.storage.kind === 'sqlite' ? dirname(cfg.storage.path) : abs('data');
  if (cfg.map.streets) cfg.map.streets = abs(cfg.map.streets);
  if (cfg.map.tilesFile) cfg.map.tilesFile = abs(cfg.map.tilesFile);
  const mapProblem = checkBasemap(cfg.map, 'map');
  if (mapProblem) throw refuse(mapProblem);
  cfg.patrol.photosDir = abs(cfg.patrol.photosDir);
  if (cfg.http.tls) cfg.http.tls = { cert: abs(cfg.http.tls.cert), key: abs(cfg.http.tls.key) };
  for (const tls of [cfg.mqtt.tls, cfg.mqtt.alertLane?.tls])
    if (tls) for (const k of ['ca', 'cert', 'key'] as const) if (tls[k]) tls[k] = abs(tls[k]);
  if (cfg.mqtt.sharedGroup && cfg.mqtt.protocolVersion !== 5) {
    throw refuse({
      path: 'mqtt.sharedGroup',
      message: `shared subscriptions need MQTT 5: expected mqtt.protocolVersion 5, got ${cfg.mqtt.protocolVersion}`,
    });
  }
  const ids = new Set<string>();
  cfg.forwarders.forEach((f, i) => {
    if (ids.has(f.id)) throw refuse({ path: `forwarders[${i}].id`, message: `duplicate forwarder id "${f.id}": expected each id once` });
    ids.add(f.id);
  });
  return { ...cfg, dataDir };
}
