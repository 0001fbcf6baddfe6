import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type Alert, alertSchema } from '../contract/alert.ts';
import { ensurePrivateDir, writeFileAtomic } from '../core/durable.ts';
import type { Logger } from '../core/log.ts';
import { type PlateReadText, plateReadTextSchema } from '../plate/vote.ts';
import { type EventRestoreConfig, type SavedEvent, savedEventSchema } from '../rules/restore.ts';

/**
 * One open event with the evidence its alerts carry (snapshot, thumbnail and clip references) and the plate reads of
 * its objects so far, by their track ids in `event.objects` (files of older versions have none).
 */
export interface OpenEventEntry {
  event: SavedEvent;
  evidence?: Alert['evidence'];
  plates?: readonly SavedPlateReads[];
}

export interface SavedPlateReads {
  trackId: number;
  reads: readonly PlateReadText[];
}

const savedPlateReadsSchema = z.strictObject({ trackId: z.number(), reads: z.array(plateReadTextSchema) });

const fileSchema = z.strictObject({
  schema: z.literal('jifang.open-events/1'),
  savedAt: z.number(),
  cameras: z.record(
    z.string(),
    z.array(
      z.strictObject({
        event: savedEventSchema,
        evidence: alertSchema.shape.evidence.optional(),
        plates: z.array(savedPlateReadsSchema).optional(),
      }),
    ),
  ),
});

const FILE = 'open-events.json';
/** After an alert, the file follows within this: a kill right after a message must not reuse its seq. */
const SOON_MS = 200;

/**
 * The open events of every camera on disk (`{dataDir}/events/open-events.json`, 600, written atomically): every
 * `stateIntervalSeconds`, shortly after every alert and at shutdown, so that the next start continues them. A file
 * that cannot be read is moved aside and reported; the agent then starts without it.
 */
export class OpenEventsFile {
  private readonly path: string;
  private pending: Map<string, OpenEventEntry[]>;
  private timer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastWritten = '';
  private collect: () => Map<string, OpenEventEntry[]> = () => new Map();

  private constructor(
    dir: string,
    readonly config: EventRestoreConfig,
    private readonly log: Logger,
    loaded: Map<string, OpenEventEntry[]>,
  ) {
    this.path = join(dir, FILE);
    this.pending = loaded;
  }

  static async open(dir: string, config: EventRestoreConfig, log: Logger): Promise<OpenEventsFile> {
    const logger = log.child({ stage: 'rules' });
    await ensurePrivateDir(dir);
    const path = join(dir, FILE);
    const loaded = new Map<string, OpenEventEntry[]>();
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== undefined) {
      const parsed = safeJson(text);
      const file = parsed.ok ? fileSchema.safeParse(parsed.value) : undefined;
      if (file?.success) {
        for (const [camera, entries] of Object.entries(file.data.cameras)) if (entries.length > 0) loaded.set(camera, entries);
        const events = [...loaded.values()].reduce((n, e) => n + e.length, 0);
        if (events > 0)
          logger.info({ events, savedAt: new Date(file.data.savedAt).toISOString() }, 'open events of the previous run found');
      } else {
        const aside = `${path}.unreadable-${Date.now()}`;
        await rename(path, aside);
        logger.error(
          {
            file: path,
            movedTo: aside,
            problem: parsed.ok ? file?.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : parsed.error,
          },
          'open events file unreadable: moved aside; the events it held will not be continued',
        );
      }
    }
    return new OpenEventsFile(dir, config, logger, loaded);
  }

  /**
   * Checks the saved events against what was already sent (`sentOf`: the outbox): the file is written shortly after
   * each alert, so a kill in between leaves it one message behind. An event whose alert already ended or cleared it
   * is not continued (it must not end twice); one whose alerts went past the saved `seq` continues after the last.
   */
  reconcile(sentOf: (eventId: string) => { seq: number; closed: boolean } | undefined): void {
    for (const [camera, entries] of this.pending) {
      const kept = entries.flatMap((e) => {
        const sent = sentOf(e.event.eventId);
        if (!sent || (!sent.closed && sent.seq < e.event.nextSeq)) return [e];
        const log = { camera, eventId: e.event.eventId, savedNextSeq: e.event.nextSeq, sentSeq: sent.seq };
        if (sent.closed) {
          this.log.info(log, 'open event of the previous run had already ended: not continued');
          return [];
        }
        this.log.info(log, 'open event of the previous run sent more than was saved: continued after its last seq');
        return [{ ...e, event: { ...e.event, nextSeq: sent.seq + 1 } }];
      });
      if (kept.length > 0) this.pending.set(camera, kept);
      else this.pending.delete(camera);
    }
  }

  /** Takes the saved events of `camera` (and forgets them here: from now on the camera's rules hold them). */
  take(camera: string): OpenEventEntry[] {
    const entries = this.pending.get(camera) ?? [];
    this.pending.delete(camera);
    return entries;
  }

  /** A camera being removed or restarted leaves its open events here, for the same camera's next pipeline. */
  park(camera: string, entries: OpenEventEntry[]): void {
    if (entries.length > 0) this.pending.set(camera, entries);
  }

  /** Events no camera took (a camera gone from the config): dropped, with a warning naming them. */
  dropUnclaimed(): void {
    for (const [camera, entries] of this.pending) {
      this.log.warn(
        { camera, events: entries.map((e) => e.event.eventId) },
        'open events of a camera no longer configured: not continued (their last alert stands)',
      );
    }
    this.pending.clear();
  }

  /** Starts the periodic writes of what `collect` returns (the running cameras' open events). */
  start(collect: () => Map<string, OpenEventEntry[]>): void {
    this.collect = collect;
    this.timer = setInterval(() => void this.write(), this.config.stateIntervalSeconds * 1000);
    this.timer.unref();
  }

  /** An alert went out: the file follows shortly (several alerts at once make one write). */
  soon(): void {
    if (this.soonTimer) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      void this.write();
    }, SOON_MS);
    this.soonTimer.unref();
  }

  /** The last write, after the cameras stopped (their events parked here). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soonTimer);
    this.soonTimer = undefined;
    await this.write();
  }

  /** Writes are serialised and skipped when nothing changed; a failure (a full disk) is logged and retried next time. */
  write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const all = new Map([...this.pending, ...this.collect()]);
      const cameras = Object.fromEntries([...all].filter(([, e]) => e.length > 0));
      const body = JSON.stringify(cameras);
      if (body === this.lastWritten) return;
      try {
        await writeFileAtomic(this.path, JSON.stringify({ schema: 'jifang.open-events/1', savedAt: Date.now(), cameras }));
        this.lastWritten = body;
      } catch (err) {
        this.log.warn({ file: this.path, err }, 'open events not saved; retried at the next interval');
      }
    });
    return this.writing;
  }
}

function safeJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
