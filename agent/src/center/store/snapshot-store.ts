import type { BlobStore } from './blob-store.ts';
import { type Db, num } from './db.ts';
import { deleteKeys, oldestBeyond, PRUNE_BATCH, sumBytes } from './prune.ts';
import type { CenterStore } from './types.ts';

/**
 * Snapshots: the JPEG in the blob store (a file named by its SHA-256, fsynced before the row is committed, and the
 * row before the message is acknowledged), the row with its size, where it came from and its event. Rows written
 * before version 6 hold their bytes themselves (`jpeg` not empty) and are served from there.
 */
export function snapshotStore(db: Db, blobs: BlobStore): Pick<CenterStore, 'saveSnapshot' | 'getSnapshot' | 'pruneSnapshots'> {
  /** Deletes the rows, then the files no row names any more (a snapshot sent again meanwhile keeps its file). */
  const remove = async (shas: readonly unknown[]): Promise<{ count: number; bytes: number }> => {
    const gone = await deleteKeys(db, 'snapshots', 'sha256', shas);
    for (const r of gone) {
      const sha = String(r.k);
      if (!(await db.all('SELECT 1 FROM snapshots WHERE sha256 = $1', [sha])).length) await blobs.delete(sha);
    }
    return { count: gone.length, bytes: sumBytes(gone) };
  };

  return {
    saveSnapshot: async (s) => {
      const { sha256, bytes } = await blobs.put(s.jpeg);
      // `jpeg` empty: the bytes are the blob's (the column is NOT NULL since version 1, and SQLite cannot relax it in place).
      const n = await db.run(
        'INSERT INTO snapshots (sha256, jpeg, bytes, topic, received_at, site, camera, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (sha256) DO NOTHING',
        [sha256, Buffer.alloc(0), bytes, s.topic, s.receivedAt, s.site, s.camera, s.eventId],
      );
      return { inserted: n > 0, sha256 };
    },

    getSnapshot: async (sha256) => {
      const [row] = await db.all('SELECT jpeg FROM snapshots WHERE sha256 = $1', [sha256]);
      if (!row) return null;
      const inRow = Buffer.from(row.jpeg as Uint8Array);
      return inRow.length ? inRow : blobs.get(sha256);
    },

    pruneSnapshots: async ({ before, perSiteBytes }) => {
      const byAge = { count: 0, bytes: 0 };
      for (;;) {
        const old = await db.all('SELECT sha256 FROM snapshots WHERE received_at < $1 ORDER BY received_at LIMIT $2', [
          before,
          PRUNE_BATCH,
        ]);
        const r = await remove(old.map((o) => o.sha256));
        byAge.count += r.count;
        byAge.bytes += r.bytes;
        if (old.length < PRUNE_BATCH) break;
      }
      const byQuota = { count: 0, bytes: 0 };
      const over = await db.all(
        'SELECT site, SUM(bytes) AS total FROM snapshots WHERE site IS NOT NULL GROUP BY site HAVING SUM(bytes) > $1',
        [perSiteBytes],
      );
      for (const o of over) {
        const shas = await oldestBeyond(
          db,
          'SELECT sha256 AS k, bytes FROM snapshots WHERE site = $1 ORDER BY received_at, sha256',
          [o.site],
          num(o.total) - perSiteBytes,
        );
        const r = await remove(shas);
        byQuota.count += r.count;
        byQuota.bytes += r.bytes;
      }
      return { byAge, byQuota };
    },
  };
}
