import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { wgs84ToGcj02 } from '../geo/gcj02.ts';
import { operatorActionSchema } from '../contract/event-states.ts';
import { HttpError } from '../web/http-error.ts';
import { pageHtml } from '../web/pages.ts';
import type { WebRoute } from '../web/server.ts';
import type { CenterConfig } from './config.ts';
import type { Feed } from './feed.ts';
import type { Forwarders } from './forward.ts';
import type { BrokerLink } from './link.ts';
import { ACTION_ROLES, CENTER_ROLES, mayAct } from './roles.ts';
import type { CenterStore } from './store/types.ts';
import type { BoxRow } from './wire.ts';
import type { EventRow } from './wire.ts';
import type { PresentedBox, PresentedEvent } from './wire.ts';

export const actionBodySchema = z
  .strictObject({
    action: operatorActionSchema,
    unit: z.string().trim().min(1).max(64).optional(),
    note: z.string().max(2000).optional(),
  })
  .refine((b) => b.action !== 'dispatch' || b.unit !== undefined, { message: 'a dispatch names the patrol unit sent', path: ['unit'] });
export type ActionBody = z.infer<typeof actionBodySchema>;

/** An event as the console shows it: the archive row plus where to draw it on the configured tiles. */
export function presentEvent(e: EventRow, cfg: CenterConfig): PresentedEvent {
  return { ...e, map: toMap(e.lon, e.lat, cfg), thumbnail: `/api/events/${encodeURIComponent(e.id)}/thumbnail?rev=${e.rev}` };
}

/** A box as the console shows it: where to draw it on the configured tiles, when its status said where it stands. */
export function presentBox(b: BoxRow, cfg: CenterConfig): PresentedBox {
  return { ...b, map: b.location ? toMap(b.location.lon, b.location.lat, cfg) : null };
}

/** WGS-84 (what boxes report) to the tiles' datum: GCJ-02 for Chinese tile servers, else unchanged. */
function toMap(lon: number, lat: number, cfg: CenterConfig): [number, number] {
  return cfg.map.tileUrl && cfg.map.tileCrs === 'gcj02' ? wgs84ToGcj02(lon, lat) : [lon, lat];
}

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

export interface RouteDeps {
  cfg: CenterConfig;
  store: CenterStore;
  link: BrokerLink;
  feed: Feed;
  forwarders: Forwarders;
  instance: string;
  counters: () => Record<string, number>;
}

const everyone = CENTER_ROLES;

export function centerRoutes(d: RouteDeps): WebRoute[] {
  const { cfg, store } = d;
  const page = (view: string): WebRoute => ({
    method: 'GET',
    path: view === 'queue' ? '/' : `/${view}`,
    roles: everyone,
    handle: (ctx) => {
      // The city's tile server is the one other origin a page may load from (images only).
      if (cfg.map.tileUrl)
        ctx.res.setHeader(
          'Content-Security-Policy',
          String(ctx.res.getHeader('Content-Security-Policy')).replace(
            "img-src 'self'",
            `img-src 'self' ${new URL(cfg.map.tileUrl.replace(/[{}]/g, '')).origin}`,
          ),
        );
      ctx.html(
        200,
        pageHtml({
          lang: ctx.lang,
          title: cfg.name,
          csrf: ctx.session.csrf,
          script: 'center',
          styles: ['center'],
          data: {
            view,
            name: cfg.name,
            user: ctx.session.user,
            role: ctx.session.role,
            actionRoles: ACTION_ROLES,
            units: cfg.units,
            reminderMinutes: cfg.dispatchReminderMinutes,
            map: {
              tileUrl: cfg.map.tileUrl ?? null,
              tileCrs: cfg.map.tileCrs,
              attribution: cfg.map.attribution ?? null,
              center: cfg.map.center ?? null,
              streets: Boolean(cfg.map.streets),
            },
          },
        }),
      );
    },
  });
  const jpeg = (ctx: Parameters<WebRoute['handle']>[0], body: Buffer) =>
    ctx.send(200, 'image/jpeg', body, { 'Cache-Control': 'private, max-age=86400, immutable' });

  return [
    page('queue'),
    page('map'),
    page('dispatch'),
    page('boxes'),
    page('forwarders'),
    {
      method: 'GET',
      path: '/api/events',
      roles: everyone,
      handle: async (ctx) => {
        const q = listQuery.safeParse(Object.fromEntries(ctx.url.searchParams));
        if (!q.success) throw new HttpError(400, q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        const rows = await store.listEvents({
          ...(q.data.site ? { site: q.data.site } : {}),
          ...(q.data.type ? { type: q.data.type } : {}),
          ...(q.data.state ? { states: q.data.state.split(',') } : {}),
          ...(q.data.open === '1' ? { open: true } : {}),
          ...(q.data.since ? { since: Date.parse(q.data.since) } : {}),
          ...(q.data.until ? { until: Date.parse(q.data.until) } : {}),
          ...(q.data.limit ? { limit: q.data.limit } : {}),
        });
        ctx.json(200, { events: rows.map((e) => presentEvent(e, cfg)) });
      },
    },
    {
      method: 'GET',
      path: '/api/events/:id',
      roles: everyone,
      handle: async (ctx) => {
        const got = await store.getEvent(ctx.params.id);
        if (!got) throw new HttpError(404, `no event ${ctx.params.id}`);
        const latest = got.messages.at(-1)?.alert;
        ctx.json(200, {
          event: presentEvent(got.event, cfg),
          alert: latest ?? null,
          messages: got.messages.map((m) => ({
            seq: m.seq,
            state: m.state,
            snapshot: m.snapshotSha,
            receivedAt: m.receivedAt,
            observedAt: m.alert.observedAt,
            dwellSeconds: m.alert.dwellSeconds,
            operator: m.alert.operator ?? null,
            reason: m.alert.reason ?? null,
          })),
          actions: got.actions,
          deliveries: got.deliveries,
        });
      },
    },
    {
      method: 'GET',
      path: '/api/events/:id/thumbnail',
      roles: everyone,
      handle: async (ctx) => {
        const alert = await store.latestAlert(ctx.params.id);
        const thumb = alert?.evidence.thumbnail;
        if (thumb) return jpeg(ctx, Buffer.from(thumb.base64, 'base64'));
        const snap = alert?.evidence.snapshot ? await store.getSnapshot(alert.evidence.snapshot.sha256) : null;
        if (!snap) throw new HttpError(404, 'no picture for this event yet');
        jpeg(ctx, snap);
      },
    },
    {
      method: 'GET',
      path: '/api/snapshots/:sha',
      roles: everyone,
      handle: async (ctx) => {
        if (!/^[0-9a-f]{64}$/.test(ctx.params.sha)) throw new HttpError(400, 'expected a SHA-256 (64 hex digits)');
        const snap = await store.getSnapshot(ctx.params.sha);
        if (!snap) throw new HttpError(404, 'this snapshot has not arrived (yet)');
        jpeg(ctx, snap);
      },
    },
    {
      method: 'POST',
      path: '/api/events/:id/actions',
      roles: everyone,
      handle: async (ctx) => {
        const body = await ctx.body(actionBodySchema, 8 * 1024);
        if (!mayAct(ctx.session.role, body.action)) {
          throw new HttpError(
            403,
            `refused: ${body.action} needs the role ${ACTION_ROLES[body.action].join(' or ')}; you are ${ctx.session.role}`,
          );
        }
        const alert = await store.latestAlert(ctx.params.id);
        if (!alert) throw new HttpError(404, `no event ${ctx.params.id}`);
        const requestId = `center-${randomUUID()}`;
        const requestedAt = Date.now();
        await store.recordAction({
          requestId,
          eventId: alert.id,
          site: alert.site,
          action: body.action,
          by: ctx.session.user,
          role: ctx.session.role,
          unit: body.unit ?? null,
          note: body.note ?? null,
          requestedAt,
        });
        ctx.auditDetail({ eventId: alert.id, action: body.action, requestId, ...(body.unit ? { unit: body.unit } : {}) });
        d.feed.kick();
        const cmd = {
          eventId: alert.id,
          action: body.action,
          by: ctx.session.user,
          requestId,
          ...(body.unit ? { unit: body.unit } : {}),
          ...(body.note ? { note: body.note } : {}),
        };
        const result = await d.link.sendEventCommand(alert.site, cmd);
        if ('timeout' in result) {
          await store.finishAction(
            requestId,
            'timeout',
            `no answer from box ${alert.site} within ${cfg.mqtt.commandTimeoutSeconds} s (it may be offline; the broker keeps the command for it)`,
            Date.now(),
          );
          d.feed.kick();
          return ctx.json(504, { requestId, ok: false, error: `no answer from the box within ${cfg.mqtt.commandTimeoutSeconds} s` });
        }
        await store.finishAction(requestId, result.ok ? 'ok' : 'refused', result.error ?? null, Date.now());
        d.feed.kick();
        ctx.json(result.ok ? 200 : 409, { requestId, ok: result.ok, ...(result.error ? { error: result.error } : {}), result });
      },
    },
    {
      method: 'GET',
      path: '/api/boxes',
      roles: everyone,
      handle: async (ctx) => ctx.json(200, { boxes: (await store.listBoxes()).map((b) => presentBox(b, cfg)), now: Date.now() }),
    },
    {
      method: 'GET',
      path: '/api/forwarders',
      roles: everyone,
      handle: async (ctx) => {
        const stats = new Map((await store.deliveryStats()).map((s) => [s.forwarder, s]));
        ctx.json(200, {
          forwarders: cfg.forwarders.map((f) => ({
            id: f.id,
            name: f.name ?? f.id,
            url: f.url.replace(/\/\/[^@/]*@/, '//***@'),
            states: f.states,
            stats: stats.get(f.id) ?? { forwarder: f.id, pending: 0, delivered: 0, failed: 0, lastError: null, lastDeliveredAt: null },
          })),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/streets',
      roles: everyone,
      handle: async (ctx) => {
        if (!cfg.map.streets) throw new HttpError(404, 'no streets file configured (map.streets)');
        ctx.send(200, 'application/geo+json', await readFile(cfg.map.streets));
      },
    },
    {
      method: 'GET',
      path: '/api/stream',
      roles: everyone,
      handle: (ctx) => d.feed.attach(ctx.res),
    },
    {
      method: 'GET',
      path: '/api/stats',
      roles: everyone,
      handle: async (ctx) =>
        ctx.json(200, {
          instance: d.instance,
          mqttConnected: d.link.connected(),
          ingest: d.counters(),
          archive: await store.counts(),
          storage: store.kind,
        }),
    },
  ];
}
