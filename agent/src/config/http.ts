import { z } from 'zod';
import { trustedProxiesSchema } from '../web/client-address.ts';
import { basemapSchema } from '../web/map/config.ts';

/** Optional HTTPS for a local web server: PEM certificate chain and private key files. */
export const webTlsSchema = z.strictObject({
  cert: z.string().min(1).meta({ description: "PEM file of the server's certificate chain." }),
  key: z.string().min(1).meta({ description: "PEM file of the certificate's private key." }),
});

/** The box's web console: on when this section is present (and `http.port` set). */
export const consoleSchema = z.strictObject({
  usersFile: z.string().min(1).meta({
    description:
      'The file of console users and their hashed passwords, made with jifang passwd FILE USER (passwords are never in this config).',
  }),
  sessionIdleMinutes: z
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(30)
    .meta({ description: 'A console login ends after this many minutes without use, 1 to 1440 (default 30).' }),
  map: basemapSchema.default({ coords: 'wgs84', maxZoom: 18, zoom: 15 }).meta({
    description:
      "The calibration page's map: a tile file on the box (the box has no internet), a city tile server on its network, or none (plain paper); same fields as the center's map.",
  }),
});

/** Local HTTP: /healthz and /metrics, and the console when `console` is set. Off unless a port is given. */
export const httpSchema = z.strictObject({
  port: z.number().int().min(1).max(65535).meta({ description: 'TCP port for /healthz, /metrics and the console, e.g. 8080.' }),
  host: z.string().default('127.0.0.1').meta({
    description: "Address to listen on: 127.0.0.1 (default, this box only, e.g. through an SSH tunnel) or the box's LAN address / 0.0.0.0.",
  }),
  tls: webTlsSchema.optional().meta({ description: 'Serve over HTTPS with these PEM files; absent: plain HTTP.' }),
  trustedProxies: trustedProxiesSchema,
  console: consoleSchema.optional().meta({ description: "The box's web console (live view, zones, events); absent: off." }),
});
export type HttpConfig = z.infer<typeof httpSchema>;
