import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/log.ts';
import { readSecret } from '../core/secrets.ts';
import { buildAssets } from '../web/assets.ts';
import { mapRoutes } from '../web/map/routes.ts';
import { openTileFile, type TileFile } from '../web/map/tiles.ts';
import { sendJson, startWebServer, type WebServer } from '../web/server.ts';
import { adminRoutes } from './admin-routes.ts';
import { type CenterConfig, centerClientId } from './config.ts';
import { deskRoutes } from './desk-routes.ts';
import { createFeed, type Feed } from './feed.ts';
import { type Forwarders, startForwarders } from './forward.ts';
import { type ArchiveGaps, createArchiveGaps } from './gaps.ts';
import { createIngest, type Ingest, type IngestCounters } from './ingest.ts';
import { type BrokerLink, connectBroker } from './link.ts';
import { centerRegistry, metricsAccess } from './metrics.ts';
import { type PatrolParts, startPatrolParts } from './patrol/start.ts';
import { addPhoneAssets, PHONE_PUBLIC_ASSETS, PHONE_SOURCES, phoneRoutes } from './patrol-phone.ts';
import { type Planner, startPlanner } from './planner.ts';
import { presentBox, presentEvent } from './present.ts';
import { type Retention, startRetention } from './retention.ts';
import { centerRoutes } from './routes.ts';
import { deadLetterRoutes } from './routes-ingest.ts';
import { statsRoutes } from './routes-stats.ts';
import { type LiveSettings, watchLiveSettings } from './settings-live.ts';
import { settingsRoutes } from './settings-routes.ts';
import { openBlobStore } from './store/blob-store.ts';
import { openPostgresStore } from './store/postgres.ts';
import { openSqliteStore } from './store/sqlite.ts';
import type { CenterStore } from './store/types.ts';
import { streamLimits } from './streams.ts';
import type { CategoryView } from './wire.ts';

const here = dirname(fileURLToPath(import.meta.url));
const webDir = join(here, '..', 'web');
/** MapLibre's stylesheet and its worker, served from our own /assets/ (no CDN). */
const maplibreDist = dirname(createRequire(import.meta.url).resolve('maplibre-gl/dist/maplibre-gl.css'));

export interface Center {
  url: string;
  instance: string;
  store: CenterStore;
  link: BrokerLink;
  counters: IngestCounters;
  planner: Planner;
  retention: Retention;
  close(): Promise<void>;
}

/** The archive: its rows in SQLite or PostgreSQL, its snapshots' files under `{dataDir}/blobs`. */
export async function openStore(cfg: Pick<CenterConfig, 'storage' | 'dataDir'>): Promise<CenterStore> {
  const s = cfg.storage;
  const blobDir = join(cfg.dataDir, 'blobs');
  if (s.kind === 'sqlite') return openSqliteStore(s.path, blobDir);
  return openPostgresStore({
    url: s.url,
    blobDir,
    poolSize: s.poolSize,
    ...(s.password !== undefined ? { password: readSecret(s.password, 'storage.password') } : {}),
  });
}

/**
 * `jifang center`: the archive first (migrated), then the broker (messages are acknowledged only once stored), then
 * the console. Several instances may run against one PostgreSQL with the same `mqtt.sharedGroup`.
 */
export async function startCenter(cfg: CenterConfig, log: Logger, opts: CenterOptions = {}): Promise<Center> {
  const clog = log.child({ stage: 'center' });
  // The officers' photos: kept by the patrol wing, deleted by the retention.
  const photos = await openBlobStore(cfg.patrol.photosDir);
  const store = await openStore(cfg);
  const instance = centerClientId(cfg.mqtt);
  const o: Opened = {
    store,
    forwarders: startForwarders(cfg.forwarders, store, log.child({ stage: 'center-forward' })),
    retention: startRetention(cfg.retention, store, log.child({ stage: 'center-retention' }), { photos }),
    // Each patrol unit with a responsibility area gets its own plan; without any, the plan is the city's.
    planner: startPlanner({
      store,
      risk: cfg.risk,
      log,
      units: async () => (await store.patrol.listUnits()).map((u) => ({ id: u.id, members: u.members, ring: u.area[0] ?? [] })),
    }),
    // Before the link exists a request counts as unanswered, and is asked again.
    gaps: createArchiveGaps({
      progress: store.progress,
      resend: (site, cmd) => o.link?.sendCommand(site, 'resend', cmd) ?? Promise.resolve({ timeout: true as const }),
      log: clog,
    }),
  };
  const ingest = createIngest({
    root: cfg.mqtt.root,
    store,
    instance,
    forwarders: (state, category) => o.forwarders.ids(state, category),
    log: clog,
    onChange: (c) => o.feed?.stored(c),
    onEvent: (alert) =>
      o.patrol?.patrol.onAlert(alert).catch((err) => clog.warn({ err, eventId: alert.id }, 'patrol could not act on the alert')),
    onCommandResult: (site, r) => o.link?.noteResult(site, r),
    onArchived: (alert) => o.gaps.archived(alert),
  });
  try {
    const tiles = cfg.map.tilesFile ? await openTileFile(cfg.map.tilesFile) : null;
    o.tiles = tiles;
    const link = await connectBroker({ ...cfg.mqtt, clientId: instance }, ingest, log.child({ stage: 'center-mqtt' }), () =>
      o.gaps.connected(),
    );
    o.link = link;
    const feed = createFeed(store, { event: (e) => presentEvent(e), box: (b) => presentBox(b) }, clog, {
      instance,
      brokerConnected: () => link.connected(),
      archiveProblem: () => storeProblem(ingest),
      limits: streamLimits(cfg.http.streams),
    });
    o.feed = feed;
    const patrol = await startPatrolParts({ cfg, store, link, feed, photos }, log);
    o.patrol = patrol;
    const { forwarders, retention, planner, gaps } = o;
    const parts = { cfg, store, link, feed, forwarders, ingest, gaps, retention, instance, patrol, planner, tiles };
    const live = opts.configFile
      ? watchLiveSettings({ file: opts.configFile, cfg, instance, apply: (next) => applyLive(parts, next), log })
      : undefined;
    o.live = live;
    const web = await serveConsole({ ...parts, categories: opts.categories ?? [], configFile: opts.configFile, live }, log);
    o.web = web;
    clog.info({ url: web.url, instance, storage: store.kind }, 'command center running');
    return { url: web.url, instance, store, link, counters: ingest.counters, planner, retention, close: () => closeParts(o) };
  } catch (err) {
    await closeParts(o);
    throw err;
  }
}

/** What the center has opened so far. */
interface Opened {
  store: CenterStore;
  forwarders: Forwarders;
  retention: Retention;
  planner: Planner;
  gaps: ArchiveGaps;
  tiles?: TileFile | null;
  link?: BrokerLink;
  feed?: Feed;
  patrol?: PatrolParts;
  live?: LiveSettings | undefined;
  web?: WebServer;
}

/** Closes what is open, users before what they use; the store last. */
async function closeParts(o: Opened): Promise<void> {
  o.planner.stop();
  o.patrol?.close();
  o.gaps.close();
  o.live?.close();
  // The feed's listening connection goes back to the pool first: the store's close waits for it.
  o.feed?.close();
  await o.web?.close();
  await o.tiles?.close();
  await o.link?.close();
  await o.forwarders.stop();
  await o.retention.stop();
  await o.store.close();
}

/** What the center gets from the composition root, which may read what the center may not import. */
export interface CenterOptions {
  /** The catalogue's event types, for the pages (the hotline form's categories); none: the form offers none. */
  categories?: readonly CategoryView[];
  /** The config file `cfg` was read from: an admin's changes in /admin are written there. Absent: read-only. */
  configFile?: string;
}

interface ConsoleParts {
  cfg: CenterConfig;
  store: CenterStore;
  link: BrokerLink;
  feed: Feed;
  forwarders: Forwarders;
  ingest: Ingest;
  gaps: ArchiveGaps;
  retention: Retention;
  instance: string;
  planner: Planner;
  categories: readonly CategoryView[];
  configFile: string | undefined;
  /** Present with a config file: applies an edit saved here, and one saved through another instance or by hand. */
  live: LiveSettings | undefined;
  tiles: TileFile | null;
  patrol: PatrolParts;
}

/**
 * A saved change, applied without a restart: forwarders and retention are given their new lists, and the settings
 * the pages read at each request (reminder, units) are changed in the running config. Logged by the caller.
 */
function applyLive(p: Pick<ConsoleParts, 'cfg' | 'forwarders' | 'retention'>, next: CenterConfig): void {
  const { cfg } = p;
  cfg.forwarders = next.forwarders;
  p.forwarders.update(next.forwarders);
  cfg.retention = next.retention;
  p.retention.update(next.retention);
  cfg.dispatchReminderMinutes = next.dispatchReminderMinutes;
  cfg.units = next.units;
}

/** The operators' and dispatchers' console: its bundled pages, its routes, and `/healthz` for a load balancer. */
async function serveConsole(p: ConsoleParts, log: Logger): Promise<WebServer> {
  const { cfg, link, instance } = p;
  const why = () => degraded(p.ingest, p.gaps, link);
  const assets = await buildAssets({
    scripts: {
      center: join(here, 'client', 'main.ts'),
      login: join(webDir, 'client', 'login.ts'),
      'maplibre-worker': join(maplibreDist, 'maplibre-gl-worker.mjs'),
      ...PHONE_SOURCES.scripts,
    },
    styles: {
      web: join(webDir, 'web.css'),
      center: join(here, 'client', 'center.css'),
      maplibre: join(maplibreDist, 'maplibre-gl.css'),
      risk: join(here, 'client', 'risk.css'),
      uplot: createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'),
      ...PHONE_SOURCES.styles,
    },
    split: PHONE_SOURCES.split,
  });
  await addPhoneAssets(assets, cfg);
  const clog = log.child({ stage: 'center' });
  const metrics = consoleMetrics(p, why);
  return startWebServer({
    host: cfg.http.host,
    port: cfg.http.port,
    ...(cfg.http.tls ? { tls: cfg.http.tls } : {}),
    usersFile: cfg.users,
    cookieName: 'jifang_center',
    // In the archive: any instance on the same store serves a session, and a restart logs nobody out.
    sessionStore: p.store.sessions,
    trustedProxies: cfg.http.trustedProxies,
    title: { zh: `${cfg.name} · 指挥中心`, en: cfg.name },
    home: (role) => (role === 'patrol' ? '/patrol' : '/'),
    routes: [
      ...centerRoutes({
        ...p,
        counters: () => ({ ...p.ingest.counters, forwardSkipped: p.forwarders.skipped() }),
        degraded: why,
        archiveGaps: () => p.gaps.report(),
      }),
      ...deadLetterRoutes({ store: p.store, ingest: p.ingest }),
      ...statsRoutes({ cfg, store: p.store, planner: p.planner }),
      ...mapRoutes(cfg.map, p.tiles, 'map'),
      ...p.patrol.routes(),
      ...deskRoutes({ categories: p.categories, usersFile: cfg.users }),
      ...adminRoutes({ cfg, sessions: p.store.sessions }),
      ...settingsRoutes({
        cfg,
        file: p.configFile,
        categories: p.categories,
        apply: (next, sha256) => p.live?.applied(next, sha256),
      }),
      ...phoneRoutes({ cfg, assets, store: p.store, getOrder: (actor, id) => p.patrol.patrol.service.getOrder(actor, id) }),
      metrics.route,
    ],
    assets,
    publicAssets: ['login.js', 'web.css', ...PHONE_PUBLIC_ASSETS],
    open: async (req, res) => {
      if (req.url !== '/healthz') return metrics.open(req, res);
      const problem = why();
      // A box's gap is the archive's state, not this instance's fault: it is said, but does not fail the check.
      const ok = link.connected() && p.ingest.storeProblem() === null;
      const { lost } = p.gaps.report();
      sendJson(res, ok ? 200 : 503, {
        ok,
        instance,
        mqttConnected: link.connected(),
        ...(problem ? { degraded: problem } : {}),
        ...(lost.length ? { lost: lost.map((l) => ({ site: l.site, publications: l.publications })) } : {}),
      });
      return true;
    },
    // Every login and change, with who did it; operator actions are also rows of the archive.
    audit: (entry) => clog.info({ audit: entry }, 'console audit'),
    log,
  });
}

/** Why the archive does not take writes, in words (what the console's indicator shows as "archive degraded"). */
function storeProblem(ingest: Ingest): string | null {
  const p = ingest.storeProblem();
  return p ? `the archive has refused writes since ${new Date(p.since).toISOString()} (${p.error}): messages wait at the broker` : null;
}

/** `/metrics`, read from the parts' own counters, behind `http.metricsToken` or an admin's session. */
function consoleMetrics(p: ConsoleParts, why: () => string | null) {
  const registry = centerRegistry({
    instance: p.instance,
    ingest: p.ingest.counters,
    retention: p.retention.counters,
    feed: p.feed,
    brokerConnected: () => p.link.connected(),
    degraded: why,
    forwardSkipped: () => p.forwarders.skipped(),
  });
  const token = p.cfg.http.metricsToken;
  return metricsAccess(registry, token === undefined ? null : readSecret(token, 'http.metricsToken'));
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/**
 * What keeps the archive behind, in words; null while messages are stored as they come. Alerts a box no longer keeps
 * are reported beside it (`lost`), not as a fault: nothing the center does can bring them back.
 */
function degraded(ingest: Ingest, gaps: ArchiveGaps, link: BrokerLink): string | null {
  const why: string[] = [];
  const p = storeProblem(ingest);
  if (p) why.push(p);
  if (!link.connected()) why.push('the city broker is unreachable: reconnecting');
  const held = link.held();
  if (held.pausedSince !== null)
    why.push(
      `reading from the city broker is paused since ${new Date(held.pausedSince).toISOString()}: ${mb(held.bytes)} MB of messages wait for the archive (mqtt.heldMessagesMB ${mb(held.limitBytes)}); the broker keeps the rest`,
    );
  const { behind } = gaps.report();
  if (behind.length) {
    const boxes = behind.map((b) => `${b.site} (${b.missing} missing)`).join(', ');
    why.push(`the archive is behind: ${boxes}; the boxes are asked to re-send`);
  }
  return why.length ? why.join('; ') : null;
}
