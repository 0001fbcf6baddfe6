import { absentRanges, advanceContiguous, mergeRanges, type Range, subtractRanges } from '../../core/ranges.ts';
import { type Db, num } from './db.ts';

/** How far the archive has got with one box's publications. */
export interface BoxProgress {
  site: string;
  /** Every publication up to this one is archived (or given up as lost). */
  contiguous: number;
  /** The highest publication the archive knows of (archived, or the box said it has). */
  highest: number;
  /** Publications above `contiguous` already archived, ascending. */
  above: number[];
  /** Publications the box said it no longer keeps: the archive will never have them. */
  lost: Range[];
}

/**
 * Per box (by site), which of its numbered alert messages the archive has: shared by every instance on the store, so
 * a gap one instance sees is not just the share another instance took.
 */
export interface ProgressStore {
  /** A numbered alert message is archived. A box seen for the first time is followed from this number on. */
  noteArchived(site: string, publication: number, at: number): Promise<void>;
  /** The box said it has published up to `latest`: anything between is missing until it arrives. */
  noteLatest(site: string, latest: number, at: number): Promise<void>;
  /**
   * The box no longer keeps these: those the archive has not got are recorded, so they are reported and no longer
   * waited for (the box answers for what it keeps, which may be older than what the archive already has). Returns them.
   */
  markLost(site: string, ranges: readonly Range[], at: number): Promise<Range[]>;
  /** Moves every box's `contiguous` over what has arrived since, and says where each stands. */
  advance(at: number): Promise<BoxProgress[]>;
  /**
   * Retention: deletes the numbers no gap check reads any more and returns how many. A number at or below its box's
   * contiguous one (a repeat archived again) is never read. A number archived before `archivedBefore` is past the
   * window in which its box could still send what is missing below it: that gap is recorded as lost (reported, as
   * when the box says so) and the contiguous number moves over it.
   */
  prune(archivedBefore: number, at: number): Promise<{ deleted: number; lost: { site: string; ranges: Range[] }[] }>;
}

/** The most numbers above the contiguous one read per box and pass: the rest waits for the next pass. */
const ABOVE_LIMIT = 10_000;

const raiseHighest = `ON CONFLICT (site) DO UPDATE SET highest = excluded.highest, changed_at = excluded.changed_at
  WHERE archive_progress.highest < excluded.highest`;

export function progressStore(db: Db): ProgressStore {
  return {
    noteArchived: (site, n, at) =>
      db.tx(async (t) => {
        await t.run(`INSERT INTO archive_progress (site, contiguous, highest, changed_at) VALUES ($1, $2, $3, $4) ${raiseHighest}`, [
          site,
          n - 1,
          n,
          at,
        ]);
        await t.run('INSERT INTO archived_publications (site, number, archived_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
          site,
          n,
          at,
        ]);
        await unlose(t, site, n);
      }),
    noteLatest: async (site, latest, at) => {
      await db.run(`UPDATE archive_progress SET highest = $2, changed_at = $3 WHERE site = $1 AND highest < $2`, [site, latest, at]);
    },
    markLost: (site, ranges, at) => db.tx((t) => recordLost(t, site, ranges, at)),
    advance: async (at) => {
      // Given up as lost by one instance while the other was committing it: archived after all.
      const late = await db.all(
        'SELECT l.site, a.number FROM lost_publications l JOIN archived_publications a ON a.site = l.site AND a.number BETWEEN l.first AND l.last',
      );
      for (const r of late) await db.tx((t) => unlose(t, String(r.site), num(r.number)));
      const lost = new Map<string, Range[]>();
      for (const r of await db.all('SELECT site, first, last FROM lost_publications ORDER BY site, first')) {
        const list = lost.get(String(r.site)) ?? [];
        list.push([num(r.first), num(r.last)]);
        lost.set(String(r.site), list);
      }
      const out: BoxProgress[] = [];
      for (const r of await db.all('SELECT site, contiguous, highest FROM archive_progress ORDER BY site')) {
        const site = String(r.site);
        // Two instances may have recorded overlapping answers: each number counts once.
        const box = {
          site,
          contiguous: num(r.contiguous),
          highest: num(r.highest),
          above: [] as number[],
          lost: mergeRanges(lost.get(site) ?? []),
        };
        if (box.highest > box.contiguous) await advanceBox(db, box, at);
        out.push(box);
      }
      return out;
    },
    prune: async (archivedBefore, at) => {
      let deleted = await db.run(
        `DELETE FROM archived_publications WHERE EXISTS (
           SELECT 1 FROM archive_progress p WHERE p.site = archived_publications.site AND p.contiguous >= archived_publications.number)`,
      );
      const lost: { site: string; ranges: Range[] }[] = [];
      const stale = await db.all('SELECT site, MAX(number) AS through FROM archived_publications WHERE archived_at < $1 GROUP BY site', [
        archivedBefore,
      ]);
      for (const r of stale) {
        const site = String(r.site);
        const through = num(r.through);
        const gone = await db.tx(async (t) => {
          const ranges = await recordLost(t, site, [[1, through]], at);
          await t.run('UPDATE archive_progress SET contiguous = $2, changed_at = $3 WHERE site = $1 AND contiguous < $2', [
            site,
            through,
            at,
          ]);
          return { ranges, rows: await t.run('DELETE FROM archived_publications WHERE site = $1 AND number <= $2', [site, through]) };
        });
        deleted += gone.rows;
        if (gone.ranges.length) lost.push({ site, ranges: gone.ranges });
      }
      return { deleted, lost };
    },
  };
}

/** Of these ranges, the numbers above the box's contiguous one the archive has not got, recorded as lost; returns them. */
async function recordLost(t: Db, site: string, ranges: readonly Range[], at: number): Promise<Range[]> {
  const row = (await t.all('SELECT contiguous FROM archive_progress WHERE site = $1', [site]))[0];
  const contiguous = row ? num(row.contiguous) : 0;
  const have = (
    await t.all('SELECT number FROM archived_publications WHERE site = $1 AND number > $2 ORDER BY number', [site, contiguous])
  ).map((r) => num(r.number));
  const known = (await t.all('SELECT first, last FROM lost_publications WHERE site = $1', [site])).map(
    (r): Range => [num(r.first), num(r.last)],
  );
  const lost = subtractRanges(
    ranges.flatMap(([a, b]) => absentRanges(Math.max(a, contiguous + 1), b, have)),
    mergeRanges(known),
  );
  for (const [first, last] of lost)
    await t.run('INSERT INTO lost_publications (site, first, last, reported_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      site,
      first,
      last,
      at,
    ]);
  return lost;
}

/**
 * A publication given up as lost arrived after all (the other instance of a shared subscription stored it after this
 * one asked the box, which no longer had it): it is no longer counted lost.
 */
async function unlose(t: Pick<Db, 'all' | 'run'>, site: string, n: number): Promise<void> {
  const rows = await t.all('SELECT first, last, reported_at FROM lost_publications WHERE site = $1 AND first <= $2 AND last >= $2', [
    site,
    n,
  ]);
  for (const r of rows) {
    const [first, last, at] = [num(r.first), num(r.last), num(r.reported_at)];
    await t.run('DELETE FROM lost_publications WHERE site = $1 AND first = $2', [site, first]);
    for (const [a, b] of [
      [first, n - 1],
      [n + 1, last],
    ])
      if (a <= b)
        await t.run('INSERT INTO lost_publications (site, first, last, reported_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
          site,
          a,
          b,
          at,
        ]);
  }
}

/** Reads what arrived above the box's contiguous number and moves it as far as it is gap-free (in place). */
async function advanceBox(db: Db, box: BoxProgress, at: number): Promise<void> {
  const rows = await db.all('SELECT number FROM archived_publications WHERE site = $1 AND number > $2 ORDER BY number LIMIT $3', [
    box.site,
    box.contiguous,
    ABOVE_LIMIT,
  ]);
  const above = rows.map((x) => num(x.number));
  const next = advanceContiguous(box.contiguous, above, box.lost);
  if (next > box.contiguous) {
    await db.tx(async (t) => {
      // Another instance may have moved it further meanwhile: never back.
      await t.run('UPDATE archive_progress SET contiguous = $2, changed_at = $3 WHERE site = $1 AND contiguous < $2', [box.site, next, at]);
      await t.run('DELETE FROM archived_publications WHERE site = $1 AND number <= $2', [box.site, next]);
    });
  }
  box.contiguous = Math.max(box.contiguous, next);
  box.highest = Math.max(box.highest, box.contiguous);
  box.above = above.filter((n) => n > box.contiguous);
}
