import type { Logger } from '../core/log.ts';
import { countRanges } from '../core/ranges.ts';
import type { RetentionConfig } from './config.ts';
import type { BlobStore } from './store/blob-store.ts';
import type { CenterStore } from './store/types.ts';

export interface RetentionCounters {
  /** Events deleted (with their messages, actions and deliveries) because they ended long enough ago. */
  events: number;
  /** Snapshots deleted for their age, and for their box's quota. */
  snapshotsByAge: number;
  snapshotsByQuota: number;
  snapshotBytes: number;
  deadLetters: number;
  deadLetterBytes: number;
  /** Officers' photos deleted because their order was closed long enough ago. */
  patrolPhotos: number;
  patrolPhotoBytes: number;
  /** Publication numbers the gap check no longer reads (a repeat below the contiguous one, a gap given up as lost). */
  publications: number;
  /** Runs that failed (the store down): the next run deletes what this one could not. */
  failures: number;
}

export interface Retention {
  counters: RetentionCounters;
  /** One pass now (also a minute after start and every `everyMinutes`); a pass already running is waited for, not doubled. */
  runOnce(): Promise<void>;
  /** Keeps to these limits from the next pass on (an admin's edit); a new interval counts from now. */
  update(cfg: RetentionConfig): void;
  stop(): Promise<void>;
}

const MB = 1024 * 1024;
const DAY_MS = 86_400_000;
const FIRST_PASS_MS = 60_000;
/** Photos looked at per query: a first pass over years of orders goes in steps. */
const PHOTO_BATCH = 500;

export interface RetentionOptions {
  now?: () => number;
  /** The officers' photos (patrol.photosDir); without it they are not looked at. */
  photos?: BlobStore;
}

/**
 * The archive's own deletions, on a schedule: events ended long enough ago, snapshots past their age or beyond their box's quota, dead letters
 * beyond theirs, officers' photos of orders closed long enough ago, the gap check's numbers it no longer needs. Every instance runs it; what another deleted is
 * not counted here.
 */
export function startRetention(initial: RetentionConfig, store: CenterStore, log: Logger, opts: RetentionOptions = {}): Retention {
  const now = opts.now ?? Date.now;
  let cfg = initial;
  const counters: RetentionCounters = {
    events: 0,
    snapshotsByAge: 0,
    snapshotsByQuota: 0,
    snapshotBytes: 0,
    deadLetters: 0,
    deadLetterBytes: 0,
    patrolPhotos: 0,
    patrolPhotoBytes: 0,
    publications: 0,
    failures: 0,
  };
  let running: Promise<void> | null = null;

  const pass = async () => {
    try {
      const snaps = await store.pruneSnapshots({
        before: now() - cfg.snapshotDays * DAY_MS,
        perSiteBytes: cfg.snapshotMegabytesPerBox * MB,
      });
      const events = await store.pruneEvents(now() - cfg.eventDays * DAY_MS);
      const letters = await store.pruneDeadLetters(cfg.deadLetterMegabytes * MB);
      const photos = opts.photos
        ? await prunePhotos(store, opts.photos, now() - cfg.patrolPhotoDays * DAY_MS, now)
        : { count: 0, bytes: 0 };
      const publications = await prunePublications(store, now() - cfg.gapDays * DAY_MS, now(), log);
      tally(counters, { events, snaps, letters, photos, publications }, log);
    } catch (err) {
      counters.failures++;
      log.warn({ err }, 'retention could not run: tried again at the next interval');
    }
  };
  const runOnce = () => {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  };
  let timer = setInterval(() => void runOnce(), cfg.everyMinutes * 60_000);
  // The first pass a minute after start, not during it: a start is when the broker hands over its backlog, and on
  // SQLite every query of a pass holds the event loop.
  const first = setTimeout(() => void runOnce(), Math.min(FIRST_PASS_MS, cfg.everyMinutes * 60_000));
  timer.unref();
  first.unref();
  return {
    counters,
    runOnce,
    update: (next) => {
      cfg = next;
      clearInterval(timer);
      timer = setInterval(() => void runOnce(), cfg.everyMinutes * 60_000);
      timer.unref();
    },
    stop: async () => {
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}

type Deleted = { count: number; bytes: number };
/** What one pass deleted. */
interface Pass {
  events: number;
  snaps: { byAge: Deleted; byQuota: Deleted };
  letters: Deleted;
  photos: Deleted;
  publications: number;
}

/** Adds a pass to the counters the metrics read, and logs it when it deleted anything. */
function tally(counters: RetentionCounters, p: Pass, log: Logger): void {
  const { events, snaps, letters, photos, publications } = p;
  counters.events += events;
  counters.snapshotsByAge += snaps.byAge.count;
  counters.snapshotsByQuota += snaps.byQuota.count;
  counters.snapshotBytes += snaps.byAge.bytes + snaps.byQuota.bytes;
  counters.deadLetters += letters.count;
  counters.deadLetterBytes += letters.bytes;
  counters.patrolPhotos += photos.count;
  counters.patrolPhotoBytes += photos.bytes;
  counters.publications += publications;
  if (events + snaps.byAge.count + snaps.byQuota.count + letters.count + photos.count + publications)
    log.info(
      { events, snapshotsByAge: snaps.byAge, snapshotsByQuota: snaps.byQuota, deadLetters: letters, patrolPhotos: photos, publications },
      'retention deleted from the archive',
    );
}

/** The gap check's bookkeeping it no longer reads; a gap no box can fill any more is logged as lost (and reported). */
async function prunePublications(store: CenterStore, archivedBefore: number, at: number, log: Logger): Promise<number> {
  const { deleted, lost } = await store.progress.prune(archivedBefore, at);
  for (const { site, ranges } of lost)
    log.error(
      { site, lost: ranges, publications: countRanges(ranges) },
      'a gap in the alerts archived is older than any box keeps them: given up as lost, and reported',
    );
  return deleted;
}

/**
 * Deletes the photos of orders closed before `closedBefore`: the file first, then the row is marked, so a pass cut
 * short leaves at worst a row to mark again (its file already gone, not counted twice).
 */
async function prunePhotos(
  store: CenterStore,
  blobs: BlobStore,
  closedBefore: number,
  now: () => number,
): Promise<{ count: number; bytes: number }> {
  const deleted = { count: 0, bytes: 0 };
  for (;;) {
    const batch = await store.patrol.photosToPrune(closedBefore, PHOTO_BATCH);
    for (const p of batch)
      if (await blobs.delete(p.sha256)) {
        deleted.count++;
        deleted.bytes += p.bytes;
      }
    await store.patrol.markPhotosPruned(batch, now());
    if (batch.length < PHOTO_BATCH) return deleted;
  }
}
