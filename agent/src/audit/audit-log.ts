import type { KeyObject } from 'node:crypto';
import { type FileHandle, open, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE } from '../core/durable.ts';
import { sha256Hex } from '../core/hash.ts';
import type { Logger } from '../core/log.ts';
import { type AuditKind, formatRecord, GENESIS_HASH, parseRecordLine } from './record.ts';
import { writeSeal } from './sign.ts';

export interface AuditLog {
  /**
   * Appends a record. The chain position is taken synchronously (records are ordered by call),
   * the promise resolves once the line is on disk (fdatasync): an acknowledged record survives
   * `kill -9` and power loss. Concurrent appends share one write and one sync.
   */
  append(kind: AuditKind, data: Record<string, unknown>): Promise<void>;
  /** Hash of the newest record (the chain head). */
  readonly head: { seq: number; hash: string };
  /** Waits for pending writes, seals the current day when a key is configured, closes the file. */
  close(): Promise<void>;
  /**
   * Why records are waiting in memory instead of being on disk (a full disk), with how many; undefined when
   * writing works. Writing resumes by itself when the disk accepts it again.
   */
  readonly degraded: string | undefined;
}

export interface AuditLogOptions {
  /** Daily files follow the site's calendar day (IANA zone); default UTC. */
  timezone?: string;
  /** Ed25519 key: each day's final hash is signed into `<file>.sig` when the day rolls over and on close. */
  signingKey?: KeyObject;
  now?: () => number;
}

export const AUDIT_FILE = /^audit-(\d{4}-\d{2}-\d{2})\.jsonl$/;

export function auditFileName(day: string): string {
  return `audit-${day}.jsonl`;
}

/** The calendar day (YYYY-MM-DD) of `ms` in `timezone`. */
export function dayOf(ms: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** Daily audit files under `dir`, oldest first. */
export async function listAuditFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  return names
    .filter((n) => AUDIT_FILE.test(n))
    .sort()
    .map((n) => join(dir, n));
}

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;
/** Records held in memory while the disk refuses them (a few MB). */
const MAX_WAITING = 20_000;

interface Pending {
  day: string;
  line: string;
  seq: number;
  hash: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Opens (or creates) the hash-chained audit log in `dir` and continues the chain of its newest file.
 * A torn last line (a write cut by power loss, never acknowledged) is moved aside to
 * `<file>.torn-<ms>` and the cut is itself recorded as `audit_recovered`.
 */
/**
 * Appends a record for an answer that must not wait on the disk (an operator's command): resolves once the record is
 * on disk, or after `waitMs` at the latest with why it is not (a full disk keeps it in memory and writes it later, a
 * refused record is lost and logged). Undefined means on disk.
 */
export async function appendWithin(
  audit: AuditLog,
  kind: AuditKind,
  data: Record<string, unknown>,
  waitMs: number,
  log: Logger,
): Promise<string | undefined> {
  const written = audit.append(kind, data).then(
    () => undefined,
    (err: unknown) => {
      log.error({ stage: 'audit', kind, err }, 'audit record not written');
      return `not recorded: ${(err as Error).message}`;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`not yet on disk, kept in memory until the disk takes it (${audit.degraded ?? 'still being written'})`),
      waitMs,
    );
  });
  try {
    return await Promise.race([written, late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function openAuditLog(dir: string, log: Logger, opts: AuditLogOptions = {}): Promise<AuditLog> {
  const logger = log.child({ stage: 'audit' });
  const now = opts.now ?? Date.now;
  await ensurePrivateDir(dir);
  const files = await listAuditFiles(dir);
  const resumed = await resume(files, now);
  const audit = new ChainedAuditLog(dir, resumed, { timezone: opts.timezone ?? 'UTC', signingKey: opts.signingKey, now }, logger);
  if (resumed.torn) {
    logger.warn({ file: resumed.torn.file, bytes: resumed.torn.bytes }, 'audit log ended in a torn (unacknowledged) line; moved aside');
    await audit.append('audit_recovered', resumed.torn);
  }
  await audit.resealNewestDay();
  logger.info({ dir, seq: audit.head.seq, files: files.length }, 'audit log open');
  return audit;
}

/** Runs of consecutive records of the same day, in order: each run goes to its day's file. */
function splitByDay<T extends { day: string }>(batch: readonly T[]): T[][] {
  const runs: T[][] = [];
  for (const p of batch) {
    const last = runs.at(-1);
    if (last && last[0].day === p.day) last.push(p);
    else runs.push([p]);
  }
  return runs;
}

/**
 * The audit log's writer: records take their chain position when appended and wait in `pending` until one write
 * and one sync put them on disk; while the disk refuses them they stay in memory and writing is retried.
 */
class ChainedAuditLog implements AuditLog {
  private seq: number;
  private hash: string;
  private fileDay: string | undefined;
  private fh: FileHandle | undefined;
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  /** Bytes of the open file known to be on disk: a write cut short by a full disk is truncated back to here. */
  private goodSize = 0;
  private trouble: { since: number; reason: string } | undefined;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Chain head per day, so a rollover can seal the day it leaves. */
  private dayHead: { seq: number; hash: string };

  constructor(
    private readonly dir: string,
    resumed: Resumed,
    private readonly opts: { timezone: string; signingKey: KeyObject | undefined; now: () => number },
    private readonly logger: Logger,
  ) {
    this.seq = resumed.seq;
    this.hash = resumed.hash;
    this.fileDay = resumed.day;
    this.dayHead = { seq: this.seq, hash: this.hash };
  }

  get head(): { seq: number; hash: string } {
    return { seq: this.seq, hash: this.hash };
  }

  get degraded(): string | undefined {
    const t = this.trouble;
    return t ? `${t.reason}; ${this.pending.length} records waiting in memory since ${new Date(t.since).toISOString()}` : undefined;
  }

  append(kind: AuditKind, data: Record<string, unknown>): Promise<void> {
    if (this.closed) return Promise.reject(new Error('audit log is closed'));
    if (this.pending.length >= MAX_WAITING)
      return Promise.reject(
        new Error(
          `audit log: ${this.pending.length} records already wait for the disk (${this.trouble?.reason ?? 'writing'}); this one is refused`,
        ),
      );
    let rec: { line: string; hash: string };
    const at = this.opts.now();
    try {
      rec = formatRecord(this.seq + 1, at, kind, data, this.hash);
    } catch (err) {
      return Promise.reject(err);
    }
    this.seq += 1;
    this.hash = rec.hash;
    const seq = this.seq;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ day: dayOf(at, this.opts.timezone), line: rec.line, seq, hash: rec.hash, resolve, reject });
      this.schedule();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) this.schedule();
    while (this.flushing) await this.flushing;
    clearTimeout(this.retryTimer);
    if (this.pending.length > 0) {
      const lost = new Error(`audit log closed with ${this.pending.length} records not written (${this.trouble?.reason})`);
      this.logger.error({ records: this.pending.length }, lost.message);
      this.pending.splice(0).forEach((p) => p.reject(lost));
    }
    await this.fh?.close();
    this.fh = undefined;
    if (this.fileDay !== undefined && !this.trouble) await this.seal(this.fileDay, this.dayHead.seq, this.dayHead.hash);
  }

  /** A crash skips the seal on close: the newest day is sealed again at open so its signature covers its real end. */
  async resealNewestDay(): Promise<void> {
    if (this.fileDay !== undefined && this.seq >= 0) await this.seal(this.fileDay, this.seq, this.hash);
  }

  private async seal(day: string, lastSeq: number, lastHash: string): Promise<void> {
    if (!this.opts.signingKey || lastSeq < 0) return;
    await writeSeal(join(this.dir, auditFileName(day)), lastSeq, lastHash, this.opts.signingKey, this.opts.now());
    this.logger.debug({ day, seq: lastSeq }, 'audit day sealed');
  }

  private schedule(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0 && !this.retryTimer) this.schedule();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        for (const run of splitByDay(batch)) await this.writeRun(run);
      } catch (err) {
        await this.writeFailed(batch, err as NodeJS.ErrnoException);
        return;
      }
      batch.forEach((p) => p.resolve());
      if (this.trouble) this.caughtUp();
    }
  }

  /** Writes one day's records to its file (opening it, and sealing the day left, on a change of day), then syncs. */
  private async writeRun(run: readonly Pending[]): Promise<void> {
    const day = run[0].day;
    if (day !== this.fileDay || !this.fh) await this.openDay(day);
    const fh = this.fh!;
    const bytes = Buffer.from(run.map((p) => `${p.line}\n`).join(''));
    // A nearly full disk takes part of a write without an error: write the rest until it all fits or one fails.
    for (let off = 0; off < bytes.length; ) off += (await fh.write(bytes, off)).bytesWritten;
    await fh.datasync();
    this.goodSize += bytes.length;
    const last = run[run.length - 1];
    this.dayHead = { seq: last.seq, hash: last.hash };
  }

  private async openDay(day: string): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
    if (this.fileDay !== undefined && day !== this.fileDay) await this.seal(this.fileDay, this.dayHead.seq, this.dayHead.hash);
    const path = join(this.dir, auditFileName(day));
    const created = !(await exists(path));
    this.fh = await open(path, 'a', PRIVATE_FILE);
    this.goodSize = (await this.fh.stat()).size;
    // A new file's directory entry must be durable too, or a power cut can lose the whole day.
    if (created) await syncDir(this.dir);
    this.fileDay = day;
  }

  /**
   * The records stay in memory, in chain order, and are written when the disk takes them again; a line cut short is
   * truncated away so the file never holds half a record.
   */
  private async writeFailed(batch: Pending[], err: NodeJS.ErrnoException): Promise<void> {
    this.pending = [...batch, ...this.pending];
    await this.fh?.truncate(this.goodSize).catch(() => undefined);
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
    const reason = `audit log write failed in ${this.dir}: ${err.code ?? err.message}`;
    if (!this.trouble)
      this.logger.error({ err }, 'audit log write failed; records are kept in memory and written when the disk accepts them');
    this.trouble = { since: this.trouble?.since ?? this.opts.now(), reason };
    this.retryTimer = setTimeout(() => this.schedule(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  /** The disk took the records kept in memory: said in the log, and recorded, since the gap is part of the record. */
  private caughtUp(): void {
    const t = this.trouble!;
    const caughtUp = { since: new Date(t.since).toISOString(), reason: t.reason };
    this.trouble = undefined;
    this.retryMs = RETRY_MIN_MS;
    this.logger.warn(caughtUp, 'audit log writing again: the records kept in memory are on disk');
    void this.append('audit_recovered', { delayedWrite: caughtUp }).catch(() => undefined);
  }
}

interface Resumed {
  seq: number;
  hash: string;
  /** Day of the newest file holding a record. */
  day: string | undefined;
  torn: { file: string; bytes: number; sha256: string; movedTo: string } | undefined;
}

/** The chain head from the newest file with a complete record; a torn tail of the newest file is cut first. */
async function resume(files: readonly string[], now: () => number): Promise<Resumed> {
  let torn: Resumed['torn'];
  for (let f = files.length - 1; f >= 0; f--) {
    const file = files[f];
    const buf = await readFile(file);
    let end = buf.length;
    if (f === files.length - 1 && end > 0 && buf[end - 1] !== 0x0a) {
      const cut = buf.lastIndexOf(0x0a) + 1;
      const fragment = buf.subarray(cut);
      const movedTo = `${file}.torn-${now()}`;
      await writeFile(movedTo, fragment, { flush: true, mode: PRIVATE_FILE });
      await truncate(file, cut);
      torn = { file, bytes: fragment.length, sha256: sha256Hex(fragment), movedTo };
      end = cut;
    }
    const lines = buf.subarray(0, end).toString('utf8').split('\n');
    let n = lines.length;
    while (n > 0 && lines[n - 1].length === 0) n--;
    if (n === 0) continue;
    const last = parseRecordLine(lines[n - 1]);
    if (!last.ok) {
      throw new Error(
        `audit log ${file} line ${n}: ${last.reason}. The chain cannot be continued: check it with "jifang audit verify ${file}", then restore the file from a backup or move it aside`,
      );
    }
    return { seq: last.record.seq, hash: last.record.hash, day: AUDIT_FILE.exec(basename(file))![1], torn };
  }
  return { seq: -1, hash: GENESIS_HASH, day: undefined, torn };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
