import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { scrapedCounter, scrapedGauge, single } from '../core/metrics.ts';
import type { WebRoute } from '../web/server.ts';
import type { Feed } from './feed.ts';
import type { IngestCounters } from './ingest.ts';
import type { RetentionCounters } from './retention.ts';

/** What the center's `/metrics` reads at each scrape: the owners' own counters, nothing kept twice. */
export interface MetricsSources {
  instance: string;
  ingest: IngestCounters;
  retention: RetentionCounters;
  feed: Pick<Feed, 'clients'>;
  brokerConnected: () => boolean;
  degraded: () => string | null;
  forwardSkipped: () => number;
}

export function centerRegistry(s: MetricsSources): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ instance: s.instance });
  collectDefaultMetrics({ register: registry });
  scrapedCounter(
    registry,
    { name: 'jifang_center_messages_total', help: 'Messages from the boxes by what became of them', labelNames: ['outcome'] as const },
    () => Object.entries(s.ingest).map(([outcome, n]) => [{ outcome }, n] as const),
  );
  scrapedGauge(registry, { name: 'jifang_center_degraded', help: '1 while the archive refuses writes (messages wait at the broker)' }, () =>
    single(s.degraded() === null ? 0 : 1),
  );
  scrapedGauge(registry, { name: 'jifang_center_broker_connected', help: '1 while the city broker is connected' }, () =>
    single(s.brokerConnected() ? 1 : 0),
  );
  scrapedGauge(registry, { name: 'jifang_center_feed_clients', help: 'Console pages on the live feed' }, () => single(s.feed.clients()));
  scrapedCounter(
    registry,
    { name: 'jifang_center_forward_skipped_total', help: 'Archived rows a forwarder could not read and skipped' },
    () => single(s.forwardSkipped()),
  );
  scrapedCounter(
    registry,
    { name: 'jifang_center_retention_deleted_total', help: 'Rows the retention deleted, by reason', labelNames: ['what'] as const },
    () => [
      [{ what: 'event_age' }, s.retention.events],
      [{ what: 'snapshot_age' }, s.retention.snapshotsByAge],
      [{ what: 'snapshot_quota' }, s.retention.snapshotsByQuota],
      [{ what: 'dead_letter_quota' }, s.retention.deadLetters],
      [{ what: 'patrol_photo_age' }, s.retention.patrolPhotos],
      [{ what: 'archived_publication' }, s.retention.publications],
    ],
  );
  scrapedCounter(
    registry,
    { name: 'jifang_center_retention_deleted_bytes_total', help: 'Bytes the retention deleted', labelNames: ['what'] as const },
    () => [
      [{ what: 'snapshot' }, s.retention.snapshotBytes],
      [{ what: 'dead_letter' }, s.retention.deadLetterBytes],
      [{ what: 'patrol_photo' }, s.retention.patrolPhotoBytes],
    ],
  );
  scrapedCounter(registry, { name: 'jifang_center_retention_failures_total', help: 'Retention runs that failed' }, () =>
    single(s.retention.failures),
  );
  return registry;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * `/metrics`, never open: with `Authorization: Bearer TOKEN` (the configured `http.metricsToken`, for Prometheus), or
 * by an admin's console session (the route). A wrong or unconfigured token is a 401, not a fall-back to the session.
 */
export function metricsAccess(registry: Registry, token: string | null) {
  const send = async (res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
    res.end(await registry.metrics());
  };
  const open = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const auth = req.headers.authorization;
    if (req.url !== '/metrics' || req.method !== 'GET' || auth === undefined) return false;
    const given = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    if (token !== null && given !== undefined && timingSafeEqual(digest(given), digest(token))) await send(res);
    else {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer realm="jifang-center"' });
      res.end(token === null ? 'no metrics token is configured (http.metricsToken): sign in as an admin instead\n' : 'wrong token\n');
    }
    return true;
  };
  const route: WebRoute = { method: 'GET', path: '/metrics', roles: ['admin'], handle: (ctx) => send(ctx.res) };
  return { open, route };
}
