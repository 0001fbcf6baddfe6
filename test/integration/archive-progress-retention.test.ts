import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { retentionSchema } from '../../agent/src/center/config.ts';
import { centerRegistry } from '../../agent/src/center/metrics.ts';
import { startRetention } from '../../agent/src/center/retention.ts';
import { openPostgresStore } from '../../agent/src/center/store/postgres.ts';
import { openSqliteStore } from '../../agent/src/center/store/sqlite.ts';
import type { CenterStore } from '../../agent/src/center/store/types.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T02:00:00Z');

/**
 * The gap check's bookkeeping (one row per numbered alert above a box's contiguous number) under the retention, on a
 * real archive of each engine: what no gap check reads any more goes, what one can still need stays.
 */
describe.each(['sqlite', 'postgres'] as const)('retention of the archive progress on %s', (kind) => {
  let pgs: Postgres | undefined;
  let dir: string;
  let store: CenterStore;
  let rows: () => Promise<{ site: string; number: number }[]>;
  let n = 0;

  beforeAll(async () => {
    if (kind === 'postgres') pgs = await startPostgres();
  }, 60_000);
  afterAll(() => pgs?.remove());

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-progress-retention-'));
    const sql = 'SELECT site, number FROM archived_publications ORDER BY site, number';
    if (kind === 'postgres') {
      const url = pgs!.createDatabase(`progress_${++n}`);
      store = await openPostgresStore({ url, blobDir: join(dir, 'blobs') });
      rows = async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          return (await c.query(sql)).rows.map((r) => ({ site: r.site, number: Number(r.number) }));
        } finally {
          await c.end();
        }
      };
    } else {
      const file = join(dir, 'center.db');
      store = await openSqliteStore(file);
      rows = async () => {
        const db = new Database(file, { readonly: true });
        try {
          return (db.prepare(sql).all() as { site: string; number: number }[]).map((r) => ({ site: r.site, number: Number(r.number) }));
        } finally {
          db.close();
        }
      };
    }
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const archive = async (site: string, numbers: number[], daysAgo: number) => {
    for (const x of numbers) await store.progress.noteArchived(site, x, NOW - daysAgo * DAY);
  };

  it('deletes repeats below the contiguous number and gives up gaps older than gapDays as lost; keeps what a gap check still needs, and counts the deletions', async () => {
    // box-a: all archived, then its alert 2 again (a QoS 1 redelivery, a re-sent copy).
    await archive('box-a', [1, 2, 3], 1);
    // box-b: its 2 never came and the box never answered, 11 days ago: no box keeps it that long.
    await archive('box-b', [1, 3], 11);
    // box-c: the same gap yesterday: the box may still send it.
    await archive('box-c', [1, 3], 1);
    await store.progress.advance(NOW);
    await archive('box-a', [2], 0);
    expect(await rows()).toEqual([
      { site: 'box-a', number: 2 },
      { site: 'box-b', number: 3 },
      { site: 'box-c', number: 3 },
    ]);

    const retention = startRetention(retentionSchema.parse({}), store, silentLogger, { now: () => NOW });
    await retention.runOnce();
    await retention.runOnce();
    await retention.stop();

    expect(await rows()).toEqual([{ site: 'box-c', number: 3 }]);
    const progress = await store.progress.advance(NOW);
    const box = (site: string) => progress.find((b) => b.site === site);
    expect(box('box-a')).toMatchObject({ contiguous: 3, above: [], lost: [] });
    expect(box('box-b')).toMatchObject({ contiguous: 3, above: [], lost: [[2, 2]] });
    expect(box('box-c')).toMatchObject({ contiguous: 1, highest: 3, above: [3], lost: [] });

    expect(retention.counters).toMatchObject({ publications: 2, failures: 0 });
    const metrics = await centerRegistry({
      instance: 'test',
      ingest: {} as never,
      retention: retention.counters,
      feed: { clients: () => 0 },
      brokerConnected: () => true,
      degraded: () => null,
      forwardSkipped: () => 0,
    }).metrics();
    expect(metrics).toMatch(/jifang_center_retention_deleted_total\{what="archived_publication",instance="test"\} 2/);
  });

  it('keeps every number above a gap for as long as gapDays says', async () => {
    await archive('box-b', [1, 3, 4], 11);
    await store.progress.advance(NOW);
    const retention = startRetention(retentionSchema.parse({ gapDays: 30 }), store, silentLogger, { now: () => NOW });
    await retention.runOnce();
    await retention.stop();
    expect(await rows()).toEqual([
      { site: 'box-b', number: 3 },
      { site: 'box-b', number: 4 },
    ]);
    expect(retention.counters.publications).toBe(0);
  });
});
