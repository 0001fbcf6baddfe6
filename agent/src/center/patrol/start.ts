import type { Logger } from '../../core/log.ts';
import { takeAction } from '../actions.ts';
import type { CenterConfig } from '../config.ts';
import type { Feed } from '../feed.ts';
import type { BrokerLink } from '../link.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { CenterStore } from '../store/types.ts';
import { streamLimits } from '../streams.ts';
import { type Patrol, startPatrol } from './automation.ts';
import { type PatrolLive, startPatrolLive } from './live.ts';
import { presentOrder } from './orders.ts';
import { patrolRoutes } from './routes.ts';

export interface PatrolParts {
  patrol: Patrol;
  live: PatrolLive;
  routes: () => ReturnType<typeof patrolRoutes>;
  close(): void;
}

/**
 * The patrol wing of `jifang center`: the service and its automation, the live channels
 * (the officer's stream and `order`/`unit`/`escalation` on the desktop feed), the config's units and shop contacts put on
 * start.
 */
export async function startPatrolParts(
  { cfg, store, link, feed, photos: blobs }: { cfg: CenterConfig; store: CenterStore; link: BrokerLink; feed: Feed; photos: BlobStore },
  log: Logger,
): Promise<PatrolParts> {
  const plog = log.child({ stage: 'center-patrol' });
  const actions = { store, link, changed: () => feed.kick(), commandTimeoutSeconds: cfg.mqtt.commandTimeoutSeconds };
  let kick = () => {};
  const patrol = startPatrol({
    store,
    cfg: cfg.patrol,
    blobs,
    forwarders: cfg.forwarders,
    log: plog,
    changed: () => kick(),
    escalated: (e) => feed.broadcast('escalation', e),
    dispatchAlert: async (ref, unit, actor) => {
      const out = await takeAction(actions, ref.id, { action: 'dispatch', unit, site: ref.site }, actor);
      if (out.kind !== 'answered' || !out.result.ok)
        plog.warn({ eventId: ref.id, site: ref.site, out }, 'the box did not take the dispatch');
    },
  });
  const live = startPatrolLive({
    store: store.patrol,
    present: async (orders) => {
      const at = Date.now();
      return { orders: orders.map((o) => presentOrder(o, at)), units: await patrol.service.units() };
    },
    desktop: (type, data) => feed.broadcast(type, data),
    desktopClients: () => feed.clients(),
    log: plog,
    limits: streamLimits(cfg.http.streams),
  });
  kick = () => live.kick();
  for (const u of cfg.patrol.units) {
    const { id, ...spec } = u;
    await patrol.service.putUnit(id, spec);
  }
  for (const { id, ...spec } of cfg.patrol.shopContacts) await patrol.service.putShopContact(id, spec);
  return {
    patrol,
    live,
    routes: () => patrolRoutes({ service: patrol.service, live, store }),
    close() {
      patrol.stop();
      live.close();
    },
  };
}
