import { z } from 'zod';

/** Optional HTTPS for a local web server: PEM certificate chain and private key files. */
export const webTlsSchema = z.strictObject({ cert: z.string().min(1), key: z.string().min(1) });

/** The box's web console: on when this section is present (and `http.port` set). */
export const consoleSchema = z.strictObject({
  /** `USER:ROLE:scrypt…` lines made with `jifang passwd FILE USER`; passwords are never in this config. */
  usersFile: z.string().min(1),
  /** A session ends after this long without a request. */
  sessionIdleMinutes: z.number().int().min(1).max(1440).default(30),
});

/** Local HTTP: /healthz and /metrics, and the console when `console` is set. Off unless a port is given. */
export const httpSchema = z.strictObject({
  port: z.number().int().min(1).max(65535),
  /** Loopback by default: boxes are reached over the LAN (set it) or an SSH tunnel. */
  host: z.string().default('127.0.0.1'),
  tls: webTlsSchema.optional(),
  console: consoleSchema.optional(),
});
export type HttpConfig = z.infer<typeof httpSchema>;
