import { idSchema } from '../../core/schema.ts';
import { readRawBody } from '../../web/body.ts';
import { HttpError } from '../../web/http-error.ts';
import type { Role } from '../../web/passwords.ts';
import type { WebContext, WebRoute } from '../../web/server.ts';
import { CENTER_ROLES } from '../roles.ts';
import type { CenterStore } from '../store/types.ts';
import { OPEN_ROLES, PATROL_API_ROLES, UNIT_ADMIN_ROLES } from './access.ts';
import type { PatrolLive } from './live.ts';
import {
  createOrderBodySchema,
  dutyBodySchema,
  MAX_PHOTO_BYTES,
  orderIdSchema,
  orderListQuerySchema,
  photoIdSchema,
  positionBodySchema,
  shopContactPutBodySchema,
  transitionBodySchema,
  unitIdSchema,
  unitPutBodySchema,
} from './schema.ts';
import { PatrolError, type PatrolService } from './service.ts';
import { patrolStats } from './stats.ts';

export interface PatrolRouteDeps {
  service: PatrolService;
  live: PatrolLive;
  store: CenterStore;
}

type Handler = (ctx: WebContext) => Promise<void>;

/** The patrol API (issue 24): thin routes over the service; a refusal of the service becomes its HTTP status. */
export function patrolRoutes(d: PatrolRouteDeps): WebRoute[] {
  return [...unitRoutes(d.service), ...contactRoutes(d.service), ...officerRoutes(d), ...orderRoutes(d.service)];
}

/** One route whose handler answers a refusal of the service with its status (see `answer`). */
function route(method: WebRoute['method'], path: string, roles: readonly Role[], handle: Handler): WebRoute {
  return { method, path, roles, handle: (ctx) => answer(handle, ctx) };
}

/** The unit list, and the unit admin's create, replace and delete. */
function unitRoutes(service: PatrolService): WebRoute[] {
  return [
    route('GET', '/api/units', PATROL_API_ROLES, async (ctx) =>
      ctx.json(200, { units: await service.units(), now: new Date().toISOString() }),
    ),
    route('PUT', '/api/units/:id', UNIT_ADMIN_ROLES, async (ctx) => {
      const id = param(ctx, 'id', unitIdSchema);
      const body = await ctx.body(unitPutBodySchema, 512 * 1024);
      const r = await service.putUnit(id, body);
      ctx.auditDetail({ unit: id, outcome: r });
      ctx.json(r === 'created' ? 201 : 200, { unit: (await service.units()).find((u) => u.id === id) });
    }),
    route('DELETE', '/api/units/:id', UNIT_ADMIN_ROLES, async (ctx) => {
      const id = param(ctx, 'id', unitIdSchema);
      await service.deleteUnit(id);
      ctx.auditDetail({ unit: id });
      ctx.json(200, { ok: true });
    }),
  ];
}

/** The shop contacts who get the warnings: the desk reads them, an admin registers and deletes them. */
function contactRoutes(service: PatrolService): WebRoute[] {
  return [
    route('GET', '/api/shop-contacts', OPEN_ROLES, async (ctx) => ctx.json(200, { contacts: await service.shopContacts() })),
    route('PUT', '/api/shop-contacts/:id', UNIT_ADMIN_ROLES, async (ctx) => {
      const id = param(ctx, 'id', idSchema);
      const r = await service.putShopContact(id, await ctx.body(shopContactPutBodySchema, 256 * 1024));
      ctx.auditDetail({ shopContact: id, outcome: r });
      ctx.json(r === 'created' ? 201 : 200, { contact: (await service.shopContacts()).find((c) => c.id === id) });
    }),
    route('DELETE', '/api/shop-contacts/:id', UNIT_ADMIN_ROLES, async (ctx) => {
      const id = param(ctx, 'id', idSchema);
      await service.deleteShopContact(id);
      ctx.auditDetail({ shopContact: id });
      ctx.json(200, { ok: true });
    }),
  ];
}

/** The officer's own duty switch, position and live feed, and the center's patrol statistics. */
function officerRoutes(d: PatrolRouteDeps): WebRoute[] {
  const { service } = d;
  const patrol = ['patrol'] as const;
  return [
    route('POST', '/api/patrol/duty', patrol, async (ctx) => {
      const body = await ctx.body(dutyBodySchema, 1024);
      ctx.json(200, { unit: await service.setDuty(ctx.session, body.onDuty) });
    }),
    route('POST', '/api/patrol/position', patrol, async (ctx) => {
      await service.setPosition(ctx.session, await ctx.body(positionBodySchema, 4 * 1024));
      ctx.json(200, { ok: true });
    }),
    route('GET', '/api/patrol/feed', patrol, async (ctx) => {
      const unit = await service.unitOf(ctx.session.user);
      if (!unit) throw new HttpError(403, `refused: ${ctx.session.user} is a member of no patrol unit`);
      d.live.attachOfficer(ctx.res, ctx.session.user, unit.id);
    }),
    route('GET', '/api/patrol/stats', CENTER_ROLES, async (ctx) => ctx.json(200, await patrolStats(d.store.patrol, Date.now()))),
  ];
}

/** Work orders: list, open, read, propose and step; an order's photos and the evidence picture of its first alert. */
function orderRoutes(service: PatrolService): WebRoute[] {
  const api = PATROL_API_ROLES;
  return [
    route('GET', '/api/orders', api, async (ctx) => {
      const q = orderListQuerySchema.safeParse(Object.fromEntries(ctx.url.searchParams));
      if (!q.success) throw new HttpError(400, q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      ctx.json(200, { orders: await service.listOrders(ctx.session, q.data), now: new Date().toISOString() });
    }),
    route('POST', '/api/orders', OPEN_ROLES, async (ctx) => {
      const r = await service.openOrder(ctx.session, await ctx.body(createOrderBodySchema, 64 * 1024));
      ctx.auditDetail({ orderId: r.order.id, opened: r.opened });
      ctx.json(r.opened ? 201 : 200, r);
    }),
    route('GET', '/api/orders/:id', api, async (ctx) =>
      ctx.json(200, await service.getOrder(ctx.session, param(ctx, 'id', orderIdSchema))),
    ),
    route('GET', '/api/orders/:id/proposals', api, async (ctx) =>
      ctx.json(200, { proposals: await service.proposals(ctx.session, param(ctx, 'id', orderIdSchema)) }),
    ),
    route('POST', '/api/orders/:id/transition', api, async (ctx) => {
      const id = param(ctx, 'id', orderIdSchema);
      const body = await ctx.body(transitionBodySchema, 16 * 1024);
      ctx.auditDetail({ orderId: id, action: body.action, clientId: body.clientId, ...(body.unitId ? { unit: body.unitId } : {}) });
      ctx.json(200, await service.transition(ctx.session, id, body));
    }),
    route('POST', '/api/orders/:id/photos', api, async (ctx) => {
      const id = param(ctx, 'id', orderIdSchema);
      const clientId = ctx.req.headers['x-client-id'];
      const jpeg = await readRawBody(ctx.req, 'image/jpeg', MAX_PHOTO_BYTES);
      const photoId = await service.addPhoto(
        ctx.session,
        id,
        jpeg,
        typeof clientId === 'string' && clientId ? clientId.slice(0, 64) : null,
      );
      ctx.auditDetail({ orderId: id, photoId });
      ctx.json(200, { photoId });
    }),
    route('GET', '/api/orders/:id/photos/:photoId', api, async (ctx) => {
      const data = await service.photo(ctx.session, param(ctx, 'id', orderIdSchema), param(ctx, 'photoId', photoIdSchema));
      ctx.send(200, 'image/jpeg', data, { 'Cache-Control': 'private, max-age=86400, immutable' });
    }),
    route('GET', '/api/orders/:id/evidence', api, async (ctx) => {
      const data = await service.evidence(ctx.session, param(ctx, 'id', orderIdSchema));
      ctx.send(200, 'image/jpeg', data, { 'Cache-Control': 'private, max-age=3600' });
    }),
  ];
}

function param<T>(ctx: WebContext, name: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T {
  const r = schema.safeParse(ctx.params[name]);
  if (!r.success) throw new HttpError(400, `${name}: not a valid ${name} ("${String(ctx.params[name]).slice(0, 80)}")`);
  return r.data;
}

async function answer(handle: Handler, ctx: WebContext): Promise<void> {
  try {
    await handle(ctx);
  } catch (err) {
    if (!(err instanceof PatrolError)) throw err;
    if (err.body) return ctx.json(err.status, err.body);
    throw new HttpError(err.status, err.message);
  }
}
