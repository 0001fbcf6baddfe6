import { randomUUID } from 'node:crypto';
import type { Alert } from '../contract/alert.ts';
import { type CommandResult, type ResendCommand, resendDetailSchema } from '../contract/commands.ts';
import type { Logger } from '../core/log.ts';
import { absentRanges, countRanges, type Range, subtractRanges } from '../core/ranges.ts';
import type { BoxProgress, ProgressStore } from './store/progress-store.ts';

/**
 * The archive, not the broker, is the end of the line: every box numbers its alert messages (`publication`), the
 * archive records which it has, and what is missing is asked for again over the command channel (`cmd/resend`) — when a
 * gap has stood a moment, and after every (re)connection for anything after the last number archived. What the box no
 * longer keeps is recorded as lost and reported, not waited for.
 */
export interface ArchiveGaps {
  /** Ingest's hook: a numbered alert message is in the archive (new or a repeat). Never throws. */
  archived(alert: Alert): Promise<void>;
  /** The link is (again) subscribed: every known box is asked for anything after the highest number the archive knows. */
  connected(): void;
  report(): ArchiveReport;
  close(): void;
}

export interface ArchiveReport {
  /** Boxes with a gap older than the grace period, and how many of their messages the archive is missing. */
  behind: { site: string; missing: number; since: number }[];
  /** Boxes with messages the box no longer keeps: the archive will never have them. */
  lost: { site: string; publications: number; ranges: Range[] }[];
}

export type SendResend = (site: string, cmd: ResendCommand & { requestId: string }) => Promise<CommandResult | { timeout: true }>;

export interface ArchiveGapsDeps {
  progress: ProgressStore;
  resend: SendResend;
  log: Logger;
  now?: () => number;
  timing?: Partial<typeof TIMING>;
}

/** Rate limits: one request in flight per box, at least `retryMinMs` between two, doubling to `retryMaxMs` without an answer. */
export const TIMING = {
  /** A gap younger than this is not asked about: a burst arrives out of order across instances. */
  graceMs: 5_000,
  checkMs: 2_000,
  retryMinMs: 5_000,
  retryMaxMs: 120_000,
  /** Requests in flight at once over all boxes: a reconnection asks a city of boxes in waves, not all at once. */
  maxAsking: 50,
};

/** The publications of a box the archive is still waiting for: between its contiguous and highest, not arrived, not lost. */
export function missingRanges(box: Pick<BoxProgress, 'contiguous' | 'highest' | 'above' | 'lost'>): Range[] {
  return subtractRanges(absentRanges(box.contiguous + 1, box.highest, box.above), box.lost);
}

interface BoxState {
  gapSince: number | null;
  gapFirst: number;
  asking: boolean;
  nextAt: number;
  delay: number;
  /** After a (re)connection: ask for everything from this number on. */
  after: number | null;
}

export function createArchiveGaps(deps: ArchiveGapsDeps): ArchiveGaps {
  const { progress } = deps;
  const log = deps.log.child({ stage: 'center-gaps' });
  const now = deps.now ?? Date.now;
  const timing = { ...TIMING, ...deps.timing };
  const boxes = new Map<string, BoxState>();
  let latest: BoxProgress[] = [];
  let checking = false;
  let askAllAfter = false;
  let asking = 0;

  const state = (site: string): BoxState => {
    let s = boxes.get(site);
    if (!s) {
      s = { gapSince: null, gapFirst: 0, asking: false, nextAt: 0, delay: timing.retryMinMs, after: null };
      boxes.set(site, s);
    }
    return s;
  };

  const ask = async (site: string, s: BoxState, range: { from: number; to?: number }): Promise<void> => {
    s.asking = true;
    asking++;
    const requestId = `resend-${randomUUID()}`;
    log.info({ site, ...range, requestId }, 'asking the box to re-send alerts the archive has not got');
    try {
      const answer = await deps.resend(site, { ...range, requestId });
      s.nextAt = now() + (await recordAnswer({ progress, log, now, timing }, site, s, range, answer));
    } catch (err) {
      log.warn({ site, err }, 'could not ask the box to re-send');
      s.delay = Math.min(s.delay * 2, timing.retryMaxMs);
      s.nextAt = now() + s.delay;
    } finally {
      s.asking = false;
      asking--;
    }
  };

  const consider = (box: BoxProgress, t: number): void => {
    const s = state(box.site);
    // After the highest number known: the holes below it are gaps, asked for by their exact ranges.
    if (askAllAfter) s.after = box.highest + 1;
    const missing = missingRanges(box);
    trackGap(s, missing, t);
    if (s.asking || t < s.nextAt || asking >= timing.maxAsking) return;
    if (s.after !== null) void ask(box.site, s, { from: s.after });
    else if (missing.length && s.gapSince !== null && t - s.gapSince >= timing.graceMs)
      void ask(box.site, s, { from: missing[0][0], to: missing[0][1] });
  };

  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const t = now();
      latest = await progress.advance(t);
      for (const box of latest) consider(box, t);
      askAllAfter = false;
    } catch (err) {
      log.warn({ err }, 'archive progress not checked: tried again shortly');
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), timing.checkMs);
  timer.unref();

  return {
    archived: recordArchived(progress, log, now),
    connected: () => {
      askAllAfter = true;
      void check();
    },
    report: () => report(latest, boxes, now(), timing.graceMs),
    close: () => clearInterval(timer),
  };
}

/** Since when the box's first gap stands: a gap that starts elsewhere is a new one. */
function trackGap(s: BoxState, missing: readonly Range[], t: number): void {
  if (missing.length === 0) s.gapSince = null;
  else if (s.gapSince === null || s.gapFirst !== missing[0][0]) {
    s.gapSince = t;
    s.gapFirst = missing[0][0];
  }
}

/** Ingest's hook: the alert's number recorded; a failure is logged, never thrown (the alert itself is stored). */
function recordArchived(progress: ProgressStore, log: Logger, now: () => number): ArchiveGaps['archived'] {
  return async (alert) => {
    if (alert.publication === undefined) return;
    try {
      await progress.noteArchived(alert.site, alert.publication, now());
    } catch (err) {
      // Unrecorded, its number looks missing, is asked for, and recorded with the copy.
      log.warn({ site: alert.site, eventId: alert.id, publication: alert.publication, err }, 'publication number not recorded');
    }
  };
}

interface AnswerContext {
  progress: ProgressStore;
  log: Logger;
  now: () => number;
  timing: typeof TIMING;
}

/** Records what the box answered (its latest number, what it no longer keeps); returns how long to wait before asking again. */
async function recordAnswer(
  ctx: AnswerContext,
  site: string,
  s: BoxState,
  range: { from: number; to?: number },
  answer: CommandResult | { timeout: true },
): Promise<number> {
  const { log, timing } = ctx;
  if ('timeout' in answer) {
    log.warn({ site, ...range, retryInMs: s.delay }, 'the box did not answer the re-send request: asking again later');
    s.delay = Math.min(s.delay * 2, timing.retryMaxMs);
    return s.delay;
  }
  const detail = resendDetailSchema.safeParse(answer.detail);
  if (!detail.success) {
    // An older box without cmd/resend: its gaps are reported, and it is asked again only rarely.
    log.warn({ site, error: answer.error }, 'the box cannot re-send alerts');
    s.after = null;
    s.delay = timing.retryMaxMs;
    return s.delay;
  }
  const d = detail.data;
  const at = ctx.now();
  await ctx.progress.noteLatest(site, d.latest, at);
  const lost = d.notKept.length ? await ctx.progress.markLost(site, d.notKept, at) : [];
  if (lost.length)
    log.error(
      { site, lost, publications: countRanges(lost) },
      'the box no longer keeps alerts the archive has not got: they are lost, and reported',
    );
  if (s.after !== null) s.after = d.more ? d.through + 1 : null;
  s.delay = timing.retryMinMs;
  return d.more ? 0 : timing.retryMinMs;
}

function report(latest: readonly BoxProgress[], boxes: ReadonlyMap<string, BoxState>, t: number, graceMs: number): ArchiveReport {
  const behind: ArchiveReport['behind'] = [];
  const lost: ArchiveReport['lost'] = [];
  for (const box of latest) {
    const since = boxes.get(box.site)?.gapSince;
    const missing = countRanges(missingRanges(box));
    if (missing > 0 && since != null && t - since >= graceMs) behind.push({ site: box.site, missing, since });
    if (box.lost.length) lost.push({ site: box.site, publications: countRanges(box.lost), ranges: box.lost });
  }
  return { behind, lost };
}
