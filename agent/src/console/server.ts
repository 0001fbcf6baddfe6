import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpConfig } from '../config/http.ts';
import type { Logger } from '../core/log.ts';
import { buildAssets } from '../web/assets.ts';
import { mapRoutes } from '../web/map/routes.ts';
import { openTileFile, type TileFile } from '../web/map/tiles.ts';
import { startWebServer, type WebAuditEntry, type WebRoute, type WebServer } from '../web/server.ts';
import { frameJpeg, healthPage, liveFacts, overview } from './camera-routes.ts';
import { checkOrSave, editorData } from './edit-routes.ts';
import { eventList, evidenceFile } from './event-routes.ts';
import type { ConsoleRuntime, EventFeed } from './live.ts';
import { consoleMessages } from './messages.ts';
import { consolePage } from './page-route.ts';

const here = dirname(fileURLToPath(import.meta.url));
const webDir = resolve(here, '../web');
/** MapLibre's stylesheet and its worker, served from our own /assets/ (the box has no internet, and no CDN anyway). */
const maplibreDist = dirname(createRequire(import.meta.url).resolve('maplibre-gl/dist/maplibre-gl.css'));

export interface ConsoleOptions {
  http: HttpConfig & { console: NonNullable<HttpConfig['console']> };
  runtime: ConsoleRuntime;
  events: EventFeed;
  /** Where the evidence store keeps its folders (dataDir/evidence). */
  evidenceRoot: string;
  /** /healthz and /metrics, answered without a session. */
  open: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  audit: (entry: WebAuditEntry) => void;
  log: Logger;
}

const EDITORS = ['installer', 'admin'] as const;

/** The console's one route table: pages, then the API the pages call; each handler lives with its kind. */
function consoleRoutes(opts: ConsoleOptions, tiles: TileFile | null): WebRoute[] {
  const { runtime } = opts;
  const { map } = opts.http.console;
  const edit = { runtime, log: opts.log };
  return [
    { method: 'GET', path: '/', handle: consolePage(runtime, 'cameras') },
    { method: 'GET', path: '/cameras/:id', handle: consolePage(runtime, 'camera') },
    { method: 'GET', path: '/cameras/:id/calibration', handle: consolePage(runtime, 'calibration', map.tileUrl) },
    { method: 'GET', path: '/events', handle: consolePage(runtime, 'events') },
    { method: 'GET', path: '/health', handle: consolePage(runtime, 'health') },
    { method: 'GET', path: '/api/overview', handle: overview(runtime) },
    { method: 'GET', path: '/api/health', handle: healthPage(runtime) },
    { method: 'GET', path: '/api/cameras/:id/live', handle: liveFacts(runtime) },
    { method: 'GET', path: '/api/cameras/:id/frame.jpg', handle: frameJpeg(runtime) },
    { method: 'GET', path: '/api/cameras/:id/edit', handle: editorData(runtime) },
    { method: 'POST', path: '/api/cameras/:id/check', roles: EDITORS, handle: checkOrSave(edit, false) },
    { method: 'PUT', path: '/api/cameras/:id/edit', roles: EDITORS, handle: checkOrSave(edit, true) },
    { method: 'GET', path: '/api/events', handle: eventList(opts.events, opts.evidenceRoot) },
    { method: 'GET', path: '/evidence/*', handle: evidenceFile(opts.evidenceRoot) },
    ...mapRoutes(map, tiles, 'http.console.map'),
  ];
}

/** The box console: cameras, live view with the rules' state, zone/mask/line and calibration editors, events. */
export async function startConsole(opts: ConsoleOptions): Promise<WebServer> {
  const assets = await buildAssets({
    scripts: { login: join(webDir, 'client', 'login.ts'), 'maplibre-worker': join(maplibreDist, 'maplibre-gl-worker.mjs') },
    styles: { web: join(webDir, 'web.css'), console: join(here, 'console.css'), maplibre: join(maplibreDist, 'maplibre-gl.css') },
    // The calibration page's map (MapLibre, about 1 MB) is a chunk loaded when that page opens, not with every page.
    split: { console: join(here, 'client', 'main.ts') },
  });
  const { tilesFile } = opts.http.console.map;
  const tiles = tilesFile ? await openTileFile(tilesFile) : null;
  const server = await startWebServer({
    host: opts.http.host,
    port: opts.http.port,
    tls: opts.http.tls,
    usersFile: opts.http.console.usersFile,
    cookieName: 'jifang_console',
    trustedProxies: opts.http.trustedProxies,
    title: consoleMessages.product,
    home: '/',
    routes: consoleRoutes(opts, tiles),
    assets,
    publicAssets: ['login.js', 'web.css'],
    open: opts.open,
    audit: opts.audit,
    log: opts.log,
    sessions: { idleMs: opts.http.console.sessionIdleMinutes * 60_000, maxAgeMs: 12 * 3600_000 },
  }).catch(async (err: unknown) => {
    await tiles?.close();
    throw err;
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await tiles?.close();
    },
  };
}
