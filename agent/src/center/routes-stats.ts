import { z } from 'zod';
import { HttpError } from '../web/http-error.ts';
import type { Role } from '../web/passwords.ts';
import type { WebContext, WebRoute } from '../web/server.ts';
import type { CenterConfig } from './config.ts';
import { PATROL_API_ROLES } from './patrol/access.ts';
import { offsetMinutesOf, type Planner } from './planner.ts';
import { CENTER_ROLES } from './roles.ts';
import { computeStats, localMidnight, querySpan, type StatsQuery, statsCsv } from './stats.ts';
import type { CenterStore } from './store/types.ts';

/* The bureau's statistics and the patrol plan, in the API: `/api/stats/*`, `/api/plan*`, `/api/patrol/slots`. */

const date = z.string().regex(/^\d{4}-\d\d-\d\d$/, { error: 'expected a date YYYY-MM-DD' });

const statsQuery = z.strictObject({
  from: date.optional(),
  to: date.optional(),
  category: z
    .string()
    .regex(/^[\w.,-]*$/, { error: 'expected category codes or event types separated by commas' })
    .optional(),
});

const planQuery = z.strictObject({
  from: date.optional(),
  days: z.coerce.number().int().min(1).max(14).default(1),
  budget: z.coerce.number().int().min(0).max(2000).optional(),
  area: z.string().min(1).max(64).optional(),
});

const slotsQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(7).default(1) });

function parsed<T extends z.ZodType>(schema: T, ctx: WebContext): z.infer<T> {
  const q = schema.safeParse(Object.fromEntries(ctx.url.searchParams));
  if (!q.success) throw new HttpError(400, q.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
  return q.data;
}

const DAY = 86_400_000;
const localToday = (offset: number, at = Date.now()) => new Date(at + offset * 60_000).toISOString().slice(0, 10);

export interface StatsRouteDeps {
  cfg: CenterConfig;
  store: CenterStore;
  planner: Planner;
}

/** Why an officer's phone gets no slots, for a reader of the API (the phone says it in its own words from `reason`). */
const SLOTS_NOTES = {
  'no-unit': 'you are in no patrol unit with a responsibility area',
  'no-plan': 'no plan yet: the plan is made from the recorded incidents, and none are recorded yet',
} as const;

export function statsRoutes(d: StatsRouteDeps): WebRoute[] {
  const offset = offsetMinutesOf(d.cfg.risk.utcOffset);
  const get = (path: string, handle: (ctx: WebContext) => Promise<void>, roles: readonly Role[] = CENTER_ROLES): WebRoute => ({
    method: 'GET',
    path,
    roles,
    handle,
  });
  const report = async (ctx: WebContext) => {
    const q = parsed(statsQuery, ctx);
    const to = q.to ?? localToday(offset);
    const toStart = localMidnight(to, offset);
    if (toStart === undefined) throw new HttpError(400, `to: expected a date YYYY-MM-DD, got ${to}`);
    const query: StatsQuery = {
      from: q.from ?? localToday(offset, toStart - 27 * DAY),
      to,
      categories: q.category ? q.category.split(',').filter(Boolean) : [],
      offsetMinutes: offset,
    };
    let span: { since: number; until: number };
    try {
      span = querySpan(query);
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
    if (span.until - span.since > 400 * DAY) throw new HttpError(400, 'from, to: at most 400 days at a time');
    return computeStats(await d.store.stats.statsEvents(span), query, await d.store.stats.statsOrders(span));
  };
  return [
    get('/api/stats/summary', async (ctx) => ctx.json(200, await report(ctx))),
    get('/api/stats/summary.csv', async (ctx) => {
      const r = await report(ctx);
      ctx.send(200, 'text/csv; charset=utf-8', statsCsv(r), {
        'Content-Disposition': `attachment; filename="jifang-stats-${r.from}-${r.to}.csv"`,
      });
    }),
    get('/api/plan', async (ctx) => {
      const q = parsed(planQuery, ctx);
      const from = localMidnight(q.from ?? localToday(offset), offset);
      if (from === undefined) throw new HttpError(400, `from: expected a date YYYY-MM-DD, got ${q.from}`);
      const plan = await d.planner
        .plan({ from, days: q.days, budget: q.budget ?? d.cfg.risk.dailyBudget * q.days, ...(q.area ? { area: q.area } : {}) })
        .catch((err: Error) => {
          throw err.message.startsWith('no unit') ? new HttpError(404, err.message) : err;
        });
      if (!plan) throw new HttpError(404, 'no incidents yet: import incident logs or wait for the archive to fill');
      ctx.json(200, plan);
    }),
    get('/api/plan/discovery', async (ctx) => ctx.json(200, await d.planner.discovery())),
    // The officer's phone page shows the slots of his unit: today's, and tomorrow's with `days=2`.
    get(
      '/api/patrol/slots',
      async (ctx) => {
        const q = parsed(slotsQuery, ctx);
        const plan = await d.planner.slotsOf(ctx.session.user, Date.now(), q.days);
        ctx.json(200, typeof plan === 'string' ? { slots: [], reason: plan, note: SLOTS_NOTES[plan] } : plan);
      },
      PATROL_API_ROLES,
    ),
  ];
}
