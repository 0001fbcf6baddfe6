import { isIP } from 'node:net';
import { z } from 'zod';

/** `10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`: an address or a network (CIDR). */
export function isAddressOrNetwork(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  const family = isIP(ip);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Optional HTTPS for a local web server: PEM certificate chain and private key files. */
export const webTlsSchema = z.strictObject({
  cert: z.string().min(1).meta({ description: "PEM file of the server's certificate chain." }),
  key: z.string().min(1).meta({ description: "PEM file of the certificate's private key." }),
});

/**
 * The reverse proxies in front of a web console (nginx, a load balancer): only from these is X-Forwarded-For believed,
 * so that failed logins are counted per real client rather than for everyone behind the proxy.
 */
export const trustedProxiesSchema = z
  .array(z.string().refine(isAddressOrNetwork, { error: 'expected an IP address or a network in CIDR form, e.g. 10.0.0.5 or 10.0.0.0/24' }))
  .max(64)
  .default([])
  .meta({
    description:
      "Reverse proxies in front of the console (addresses or CIDR networks, e.g. [127.0.0.1] for nginx on the same machine): the client's address is taken from their X-Forwarded-For, for counting failed logins per client. Default none: the connection's address.",
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
