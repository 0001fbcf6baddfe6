import { type Db, num, numOrNull, strOrNull } from './db.ts';
import { deliveryRow } from './rows.ts';
import type { CenterStore, ClaimedDelivery, DeliveryStat } from './types.ts';

/** The forwarders' queue: one row per forwarder and message, claimed, sent and finished. */
export function deliveryStore(db: Db): Pick<CenterStore, 'claimDeliveries' | 'finishDelivery' | 'deliveryStats'> {
  return {
    claimDeliveries: (now, limit, leaseMs) =>
      db.tx(async (t) => {
        // The outer conditions are checked again on the row after a concurrent claim commits, so two instances never both win.
        const due = "state = 'pending' AND next_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)";
        const rows = await t.all(
          `UPDATE deliveries SET claimed_until = $2 WHERE (forwarder, site, event_id, seq) IN (SELECT forwarder, site, event_id, seq FROM deliveries WHERE ${due} ORDER BY next_at LIMIT $3) AND ${due}
           RETURNING forwarder, site, event_id, seq, state, attempts, next_at, last_error, last_status, delivered_at, created_at`,
          [now, now + leaseMs, limit],
        );
        const out: ClaimedDelivery[] = [];
        for (const r of rows) {
          const [m] = await t.all('SELECT alert_json FROM event_messages WHERE site = $1 AND event_id = $2 AND seq = $3', [
            r.site,
            r.event_id,
            r.seq,
          ]);
          if (m) out.push({ ...deliveryRow(r), site: String(r.site), alertJson: String(m.alert_json) });
        }
        return out;
      }),

    finishDelivery: async (d, o) => {
      if (o.ok) {
        await db.run(
          "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, last_status = $4, delivered_at = $5, last_error = NULL, claimed_until = NULL WHERE forwarder = $1 AND event_id = $2 AND seq = $3 AND site = $6",
          [d.forwarder, d.eventId, d.seq, o.status, o.at, d.site],
        );
      } else {
        await db.run(
          'UPDATE deliveries SET state = $4, attempts = attempts + 1, last_status = $5, last_error = $6, next_at = COALESCE($7, next_at), claimed_until = NULL WHERE forwarder = $1 AND event_id = $2 AND seq = $3 AND site = $8',
          [d.forwarder, d.eventId, d.seq, o.nextAt === null ? 'failed' : 'pending', o.status, o.error, o.nextAt, d.site],
        );
      }
    },

    deliveryStats: async () => {
      const rows = await db.all(
        `SELECT forwarder, SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END) AS pending, SUM(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END) AS delivered,
           SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS failed, MAX(delivered_at) AS last_delivered FROM deliveries GROUP BY forwarder ORDER BY forwarder`,
      );
      const out: DeliveryStat[] = [];
      for (const r of rows) {
        const [e] = await db.all(
          'SELECT last_error FROM deliveries WHERE forwarder = $1 AND last_error IS NOT NULL ORDER BY next_at DESC LIMIT 1',
          [r.forwarder],
        );
        out.push({
          forwarder: String(r.forwarder),
          pending: num(r.pending),
          delivered: num(r.delivered),
          failed: num(r.failed),
          lastError: strOrNull(e?.last_error),
          lastDeliveredAt: numOrNull(r.last_delivered),
        });
      }
      return out;
    },
  };
}
