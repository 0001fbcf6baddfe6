import type { Db } from './db.ts';
import { PRUNE_BATCH } from './prune.ts';
import type { CenterStore } from './types.ts';

/** What an event takes with it: its messages, the operators' actions on it, its forwarders' deliveries. */
const EVENT_TABLES = ['event_messages', 'actions', 'deliveries'] as const;

/**
 * Events that ended before the cut-off, with what hangs on them. An event a work order not yet closed names stays:
 * the dispatcher and the officer still look at it. Batch by batch, each in one transaction, so an event never loses
 * its messages without going itself.
 */
export function eventPruneStore(db: Db): Pick<CenterStore, 'pruneEvents'> {
  return {
    pruneEvents: async (endedBefore) => {
      let count = 0;
      for (;;) {
        const old = await db.all(
          `SELECT e.site, e.id FROM events e
            WHERE e.ended_at IS NOT NULL AND e.ended_at < $1
              AND NOT EXISTS (SELECT 1 FROM work_order_events w JOIN work_orders o ON o.id = w.order_id
                               WHERE w.site = e.site AND w.event_id = e.id AND o.state <> 'closed')
            ORDER BY e.ended_at LIMIT ${PRUNE_BATCH}`,
          [endedBefore],
        );
        count += await db.tx(async (t) => {
          let n = 0;
          for (const { site, id } of old) {
            for (const table of EVENT_TABLES) await t.run(`DELETE FROM ${table} WHERE site = $1 AND event_id = $2`, [site, id]);
            n += await t.run('DELETE FROM events WHERE site = $1 AND id = $2', [site, id]);
          }
          return n;
        });
        if (old.length < PRUNE_BATCH) return count;
      }
    },
  };
}
