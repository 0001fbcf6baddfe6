import type { WebContext } from '../web/server.ts';
import { evidenceLinks } from './evidence-files.ts';
import type { EventFeed } from './live.ts';

/** GET /api/events: the latest events, each with links to its stored evidence. */
export const eventList = (events: EventFeed, evidenceRoot: string) => async (c: WebContext) => {
  c.json(200, {
    events: await Promise.all(events.list().map(async (e) => ({ ...e, evidence: await evidenceLinks(evidenceRoot, e.eventId) }))),
  });
};

/** GET /evidence/*: one stored evidence file (read-only). */
export const evidenceFile = (evidenceRoot: string) => (c: WebContext) => c.file(evidenceRoot, c.params['*'], 'private, max-age=3600');
