import { sha256Hex } from '../../core/hash.ts';
import type { Db } from './db.ts';
import type { CenterStore } from './types.ts';

/** Operators' actions on events and the boxes' answers to the commands they became. */
export function actionStore(db: Db): Pick<CenterStore, 'saveCommandResult' | 'recordAction' | 'finishAction'> {
  return {
    saveCommandResult: async (site, r, json, receivedAt) => {
      const digest = sha256Hex(json);
      const answered: { site: string; id: string }[] = [];
      const n = await db.run(
        'INSERT INTO command_results (digest, site, request_id, command, ok, error, result_json, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (digest) DO NOTHING',
        [digest, site, r.requestId ?? null, r.command, r.ok ? 1 : 0, r.error ?? null, json, receivedAt],
      );
      if (n > 0 && r.requestId) {
        // An answer after the operator stopped waiting (a box back from an outage, refusing the command as expired):
        // the event changes, so its page shows the answer.
        const rows = await db.all(
          "UPDATE actions SET result = $2, error = $3, answered_at = $4 WHERE request_id = $1 AND site = $5 AND result IN ('pending', 'timeout') RETURNING event_id",
          [r.requestId, r.ok ? 'ok' : 'refused', r.error ?? null, receivedAt, site],
        );
        for (const a of rows) {
          await db.run('UPDATE events SET rev = rev + 1, changed_at = $2 WHERE id = $1 AND site = $3', [a.event_id, receivedAt, site]);
          answered.push({ site, id: String(a.event_id) });
        }
      }
      return { inserted: n > 0, answered };
    },

    recordAction: async (a) => {
      await db.tx(async (t) => {
        await t.run(
          'INSERT INTO actions (request_id, event_id, site, action, by_user, role, unit, note, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
          [a.requestId, a.eventId, a.site, a.action, a.by, a.role, a.unit, a.note, a.requestedAt],
        );
        await t.run('UPDATE events SET rev = rev + 1, changed_at = $2 WHERE id = $1 AND site = $3', [a.eventId, a.requestedAt, a.site]);
      });
    },

    finishAction: async (requestId, result, error, at) => {
      await db.tx(async (t) => {
        // The box's answer may already be in (it came through the shared subscription first): a timeout never overwrites it.
        const rows = await t.all(
          `UPDATE actions SET result = $2, error = $3, answered_at = $4 WHERE request_id = $1 AND (result = 'pending' OR $2 <> 'timeout') RETURNING event_id, site`,
          [requestId, result, error, at],
        );
        for (const r of rows)
          await t.run('UPDATE events SET rev = rev + 1, changed_at = $2 WHERE id = $1 AND site = $3', [r.event_id, at, r.site]);
      });
    },
  };
}
