import { type Db, num } from './db.ts';
import { deleteKeys, oldestBeyond, sumBytes } from './prune.ts';
import { DEAD_LETTER_COLUMNS, deadLetterRow } from './rows.ts';
import type { CenterStore } from './types.ts';

/** Messages ingest could not read, kept with their bytes for a replay. */
export function deadLetterStore(
  db: Db,
): Pick<CenterStore, 'saveDeadLetter' | 'listDeadLetters' | 'getDeadLetter' | 'finishReplay' | 'pruneDeadLetters'> {
  return {
    saveDeadLetter: async (d) => {
      const [row] = await db.all(
        'INSERT INTO dead_letters (topic, payload, bytes, error, code, received_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [d.topic, d.payload, d.payload.length, d.error, d.code, d.receivedAt],
      );
      return num(row?.id);
    },

    listDeadLetters: async (limit) =>
      (await db.all(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters ORDER BY id DESC LIMIT $1`, [Math.min(Math.max(1, limit), 1000)])).map(
        deadLetterRow,
      ),

    getDeadLetter: async (id) => {
      const [row] = await db.all(`SELECT ${DEAD_LETTER_COLUMNS}, payload FROM dead_letters WHERE id = $1`, [id]);
      return row ? { ...deadLetterRow(row), payload: Buffer.from(row.payload as Uint8Array) } : null;
    },

    finishReplay: async (id, at, error) => {
      await db.run('UPDATE dead_letters SET replayed_at = $2, replay_error = $3 WHERE id = $1', [id, error === null ? at : null, error]);
    },

    pruneDeadLetters: async (maxBytes) => {
      const [t] = await db.all('SELECT COALESCE(SUM(bytes), 0) AS total FROM dead_letters');
      const excess = num(t?.total ?? 0) - maxBytes;
      if (excess <= 0) return { count: 0, bytes: 0 };
      const gone = await deleteKeys(
        db,
        'dead_letters',
        'id',
        await oldestBeyond(db, 'SELECT id AS k, bytes FROM dead_letters ORDER BY id', [], excess),
      );
      return { count: gone.length, bytes: sumBytes(gone) };
    },
  };
}
