import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { operatorActionSchema } from '../contract/event-states.ts';
import { HttpError } from '../web/http-error.ts';
import { allowTileServer } from '../web/map/routes.ts';
import { pageHtml } from '../web/pages.ts';
import type { WebContext, WebRoute } from '../web/server.ts';
import { type ActionDeps, takeAction } from './actions.ts';
import { CENTER_PAGES, type PageId } from './client/pages/table.ts';
import type { CenterConfig } from './config.ts';
import type { Feed } from './feed.ts';
import type { Forwarders } from './forward.ts';
import type { ArchiveReport } from './gaps.ts';
import type { BrokerLink } from './link.ts';
import { centerPageData, presentBox, presentEvent, presentEventDetail, presentForwarders } from './present.ts';
import { CENTER_ROLES } from './roles.ts';
import type { CenterStore, EventFilter } from './store/types.ts';
import type { ActionReply } from './wire.ts';

export const actionBodySchema = z
  .strictObject({
    action: operatorActionSchema,
    unit: z.string().trim().min(1).max(64).optional(),
    note: z.string().max(2000).optional(),
  })
  .refine((b) => b.action !== 'dispatch' || b.unit !== undefined, { message: 'a dispatch names the patrol unit sent', path: ['unit'] });
export type ActionBody = z.infer<typeof actionBodySchema>;

/** Event ids are unique per site: `?site=` names which one (without it, the first archived of that id). */
const siteOf = (ctx: { url: URL }): string | undefined => ctx.url.searchParams.get('site') ?? undefined;

const listQuery = z.strictObject({
  site: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  state: z
    .string()
    .regex(/^[a-z_,]+$/)
    .optional(),
  open: z.enum(['1', '0']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(2000).optional(),
});

const part = z.string().trim().min(1).max(100).optional();
/** `GET /api/events/search`: the whole archive searched on the server, one page at a time. */
export const searchQuerySchema = z
  .strictObject({
    /** A part of the plate, the address or the event id. */
    q: part,
    plate: part,
    address: part,
    id: part,
    site: part,
    type: part,
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((q) => !q.since || !q.until || Date.parse(q.since) <= Date.parse(q.until), {
    message: 'the range ends before it starts',
    path: ['until'],
  });

/** A query's errors, each naming its field. */
const issuesText = (issues: readonly z.core.$ZodIssue[]): string =>
  issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');

export interface RouteDeps {
  cfg: CenterConfig;
  store: CenterStore;
  link: BrokerLink;
  feed: Feed;
  forwarders: Forwarders;
  instance: string;
  counters: () => Record<string, number>;
  /** Why the archive is behind (store refusing writes, broker unreachable, gaps being asked for), or null. */
  degraded: () => string | null;
  /** Which boxes the archive is missing messages of, and which it lost for good. */
  archiveGaps: () => ArchiveReport;
}

type Handler = (ctx: WebContext) => Promise<void> | void;

/** The center's pages (one per entry of the page table) and its API; every handler is open to every center role. */
export function centerRoutes(d: RouteDeps): WebRoute[] {
  const { cfg, store } = d;
  const actions: ActionDeps = {
    store,
    link: d.link,
    changed: () => d.feed.kick(),
    commandTimeoutSeconds: cfg.mqtt.commandTimeoutSeconds,
  };
  const get = (path: string, handle: Handler): WebRoute => ({ method: 'GET', path, roles: CENTER_ROLES, handle });
  return [
    ...CENTER_PAGES.map((p) => get(p.path, (ctx) => sendPage(cfg, p.id, ctx))),
    get('/api/events', (ctx) => listEvents(d, ctx)),
    get('/api/events/search', (ctx) => searchEvents(d, ctx)),
    get('/api/events/:id', async (ctx) => {
      const got = await store.getEvent(ctx.params.id, siteOf(ctx));
      if (!got) throw new HttpError(404, `no event ${ctx.params.id}`);
      ctx.json(200, presentEventDetail(got));
    }),
    get('/api/events/:id/thumbnail', (ctx) => sendThumbnail(store, ctx)),
    get('/api/snapshots/:sha', async (ctx) => {
      if (!/^[0-9a-f]{64}$/.test(ctx.params.sha)) throw new HttpError(400, 'expected a SHA-256 (64 hex digits)');
      const snap = await store.getSnapshot(ctx.params.sha);
      if (!snap) throw new HttpError(404, 'this snapshot has not arrived (yet)');
      jpeg(ctx, snap);
    }),
    { method: 'POST', path: '/api/events/:id/actions', roles: CENTER_ROLES, handle: (ctx) => postAction(actions, ctx) },
    get('/api/boxes', async (ctx) => ctx.json(200, { boxes: (await store.listBoxes()).map((b) => presentBox(b)), now: Date.now() })),
    get('/api/forwarders', async (ctx) =>
      ctx.json(200, { forwarders: presentForwarders(cfg, await store.deliveryStats(), ctx.session.role) }),
    ),
    get('/api/streets', async (ctx) => {
      if (!cfg.map.streets) throw new HttpError(404, 'no streets file configured (map.streets)');
      ctx.send(200, 'application/geo+json', await readFile(cfg.map.streets));
    }),
    get('/api/stream', (ctx) => d.feed.attach(ctx.res, ctx.session.user)),
    get('/api/stats', async (ctx) =>
      ctx.json(200, {
        instance: d.instance,
        mqttConnected: d.link.connected(),
        ingest: d.counters(),
        degraded: d.degraded(),
        gaps: d.archiveGaps(),
        // While the store is down the counts are unknown, not an error page.
        archive: await store.counts().catch(() => null),
        storage: store.kind,
      }),
    ),
  ];
}

function sendPage(cfg: CenterConfig, view: PageId, ctx: WebContext): void {
  allowTileServer(ctx, cfg.map.tileUrl);
  ctx.html(
    200,
    pageHtml({
      lang: ctx.lang,
      title: cfg.name,
      csrf: ctx.session.csrf,
      script: 'center',
      styles: ['center', 'maplibre', 'uplot', 'risk'],
      data: centerPageData(cfg, view, ctx.session),
    }),
  );
}

async function listEvents(d: RouteDeps, ctx: WebContext): Promise<void> {
  const q = listQuery.safeParse(Object.fromEntries(ctx.url.searchParams));
  if (!q.success) throw new HttpError(400, issuesText(q.error.issues));
  const filter: EventFilter = {
    ...(q.data.site ? { site: q.data.site } : {}),
    ...(q.data.type ? { type: q.data.type } : {}),
    ...(q.data.state ? { states: q.data.state.split(',') } : {}),
    ...(q.data.open === '1' ? { open: true } : {}),
    ...(q.data.since ? { since: Date.parse(q.data.since) } : {}),
    ...(q.data.until ? { until: Date.parse(q.data.until) } : {}),
    ...(q.data.limit ? { limit: q.data.limit } : {}),
  };
  const rows = await d.store.listEvents(filter);
  ctx.json(200, { events: rows.map((e) => presentEvent(e)) });
}

async function searchEvents(d: RouteDeps, ctx: WebContext): Promise<void> {
  const got = searchQuerySchema.safeParse(Object.fromEntries(ctx.url.searchParams));
  if (!got.success) throw new HttpError(400, issuesText(got.error.issues));
  const { page, pageSize, since, until, q, ...fields } = got.data;
  const { events, total } = await d.store.searchEvents({
    ...fields,
    ...(q ? { text: q } : {}),
    ...(since ? { since: Date.parse(since) } : {}),
    ...(until ? { until: Date.parse(until) } : {}),
    offset: (page - 1) * pageSize,
    limit: pageSize,
  });
  ctx.json(200, { events: events.map((e) => presentEvent(e)), total, page, pageSize });
}

async function sendThumbnail(store: CenterStore, ctx: WebContext): Promise<void> {
  const alert = await store.latestAlert(ctx.params.id, siteOf(ctx));
  const thumb = alert?.evidence.thumbnail;
  if (thumb) return jpeg(ctx, Buffer.from(thumb.base64, 'base64'));
  const snap = alert?.evidence.snapshot ? await store.getSnapshot(alert.evidence.snapshot.sha256) : null;
  if (!snap) throw new HttpError(404, 'no picture for this event yet');
  jpeg(ctx, snap);
}

function jpeg(ctx: WebContext, body: Buffer): void {
  ctx.send(200, 'image/jpeg', body, { 'Cache-Control': 'private, max-age=86400, immutable' });
}

/** An operator's or dispatcher's action: the use case answers, this says it in HTTP (403, 404, 503, 504, 409 or 200). */
async function postAction(deps: ActionDeps, ctx: WebContext): Promise<void> {
  const body = await ctx.body(actionBodySchema, 8 * 1024);
  const site = siteOf(ctx);
  const out = await takeAction(deps, ctx.params.id, { ...body, ...(site ? { site } : {}) }, ctx.session, (a) => ctx.auditDetail({ ...a }));
  switch (out.kind) {
    case 'not-allowed':
      throw new HttpError(403, out.error);
    case 'no-event':
      throw new HttpError(404, out.error);
    case 'not-sent':
      throw new HttpError(503, out.error);
    case 'no-answer':
      return ctx.json(504, { requestId: out.requestId, ok: false, error: out.error } satisfies ActionReply);
    case 'answered': {
      const { requestId, result } = out;
      const reply: ActionReply = { requestId, ok: result.ok, ...(result.error ? { error: result.error } : {}), result };
      ctx.json(result.ok ? 200 : 409, reply);
    }
  }
}
