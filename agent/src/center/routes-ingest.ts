import { HttpError } from '../web/http-error.ts';
import type { WebRoute } from '../web/server.ts';
import type { Ingest } from './ingest.ts';
import type { CenterStore } from './store/types.ts';

const admin = ['admin'] as const;

const letterId = (raw: string | undefined): number => {
  if (!raw || !/^[1-9][0-9]{0,15}$/.test(raw)) throw new HttpError(400, 'expected a dead letter id (a positive whole number)');
  return Number(raw);
};

/**
 * The dead letters, for admins: messages the archive refused for what they are (kept whole, with the store's reason),
 * to read and to replay once the cause is fixed.
 */
export function deadLetterRoutes(d: { store: CenterStore; ingest: Ingest }): WebRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/dead-letters',
      roles: admin,
      handle: async (ctx) =>
        ctx.json(200, { deadLetters: await d.store.listDeadLetters(Number(ctx.url.searchParams.get('limit') ?? 200) || 200) }),
    },
    {
      method: 'GET',
      path: '/api/dead-letters/:id/payload',
      roles: admin,
      handle: async (ctx) => {
        const letter = await d.store.getDeadLetter(letterId(ctx.params.id));
        if (!letter) throw new HttpError(404, `no dead letter ${ctx.params.id}`);
        ctx.send(200, 'application/octet-stream', letter.payload, {
          'Content-Disposition': `attachment; filename="dead-letter-${letter.id}"`,
        });
      },
    },
    {
      method: 'POST',
      path: '/api/dead-letters/:id/replay',
      roles: admin,
      handle: async (ctx) => {
        const id = letterId(ctx.params.id);
        const out = await d.ingest.replay(id);
        ctx.auditDetail({ deadLetter: id, ok: out.ok });
        ctx.json(out.ok ? 200 : 409, { id, ...out });
      },
    },
  ];
}
