import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { CameraHealth } from '../contract/health.ts';
import { type Listening, listen } from '../core/listen.ts';
import type { Logger } from '../core/log.ts';

export interface HttpServerOptions {
  port: number;
  host: string;
}

export type HealthHttpServer = Listening;

/** `GET /healthz` body. */
export interface Healthz {
  /** Every camera streaming. The HTTP status stays 200 while the agent runs: a camera outage is not the agent's. */
  ok: boolean;
  at: string;
  cameras: CameraHealth[];
}

/**
 * The local HTTP endpoint, started only when `http.port` is configured: `GET /healthz` (JSON) and `GET /metrics`
 * (Prometheus text from `registry`). Nothing else is served.
 */
export async function startHttpServer(
  opts: HttpServerOptions,
  getHealth: () => CameraHealth[],
  registry: Registry,
  log: Logger,
): Promise<HealthHttpServer> {
  const hlog = log.child({ stage: 'health' });
  const server = createServer((req, res) => {
    handle(req, res, getHealth, registry).catch((err: unknown) => {
      hlog.error({ err, path: req.url }, 'health endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  const listening = await listen(server, opts.host, opts.port, '/healthz and /metrics');
  hlog.info({ url: listening.url }, 'serving /healthz and /metrics');
  return listening;
}

async function handle(req: IncomingMessage, res: ServerResponse, getHealth: () => CameraHealth[], registry: Registry): Promise<void> {
  if (!(await healthRoutes(getHealth, registry)(req, res)))
    send(res, 404, 'text/plain; charset=utf-8', 'not found: try GET /healthz or GET /metrics\n');
}

/**
 * `GET /healthz` and `GET /metrics` for a server that also serves other things (the console): true when the
 * request was one of them and has been answered. They answer without a session, for health checks and scrapers.
 */
export function healthRoutes(
  getHealth: () => CameraHealth[],
  registry: Registry,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/metrics') return false;
    await answer(req, res, path, getHealth, registry);
    return true;
  };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  getHealth: () => CameraHealth[],
  registry: Registry,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed: use GET\n');
  }
  if (path === '/metrics') return send(res, 200, registry.contentType, await registry.metrics(), req.method === 'HEAD');
  const cameras = getHealth();
  const body: Healthz = { ok: cameras.every((c) => c.state === 'streaming'), at: new Date().toISOString(), cameras };
  send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`, req.method === 'HEAD');
}

function send(res: ServerResponse, status: number, type: string, body: string, headOnly = false): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(headOnly ? undefined : body);
}
