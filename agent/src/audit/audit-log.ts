import { open, readdir, readFile, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { ensurePrivateDir, PRIVATE_FILE } from '../core/durable.ts';
import { basename, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Logger } from '../core/log.ts';
import { formatRecord, GENESIS_HASH, parseRecordLine, type AuditKind } from './record.ts';
import { sha256Hex } from '../core/hash.ts';
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
export async function openAuditLog(dir: string, log: Logger, opts: AuditLogOptions = {}): Promise<AuditLog> {
  const timezone = opts.timezone ?? 'UTC';
  const now = opts.now ?? Date.now;
  const logger = log.child({ stage: 'audit' });
  await ensurePrivateDir(dir);
  const files = await listAuditFiles(dir);
  const resumed = await resume(files, now);
  let seq = resumed.seq;
  let hash = resumed.hash;
  let fileDay = resumed.day;
  let fh: FileHandle | undefined;
  let pending: Pending[] = [];
  let flushing: Promise<void> | undefined;
  let closed = false;
  /** Bytes of the open file known to be on disk: a write cut short by a full disk is truncated back to here. */
  let goodSize = 0;
  let degraded: { since: number; reason: string } | undefined;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;

  const seal = async (day: string, lastSeq: number, lastHash: string) => {
    if (!opts.signingKey || lastSeq < 0) return;
    await writeSeal(join(dir, auditFileName(day)), lastSeq, lastHash, opts.signingKey, now());
    logger.debug({ day, seq: lastSeq }, 'audit day sealed');
  };

  // Chain head per day, so a rollover can seal the day it leaves.
  let dayHead = { seq, hash };

  const writeBatch = async (batch: Pending[]) => {
    for (let i = 0; i < batch.length; ) {
      const day = batch[i].day;
      let j = i;
      while (j < batch.length && batch[j].day === day) j++;
      if (day !== fileDay || !fh) {
        await fh?.close();
        fh = undefined;
        if (fileDay !== undefined && day !== fileDay) await seal(fileDay, dayHead.seq, dayHead.hash);
        const path = join(dir, auditFileName(day));
        const created = !(await exists(path));
        fh = await open(path, 'a', PRIVATE_FILE);
        goodSize = (await fh.stat()).size;
        // A new file's directory entry must be durable too, or a power cut can lose the whole day.
        if (created) await syncDir(dir);
        fileDay = day;
      }
      const bytes = Buffer.from(
        batch
          .slice(i, j)
          .map((p) => `${p.line}\n`)
          .join(''),
      );
      // A nearly full disk takes part of a write without an error: write the rest until it all fits or one fails.
      for (let off = 0; off < bytes.length; ) off += (await fh.write(bytes, off)).bytesWritten;
      await fh.datasync();
      goodSize += bytes.length;
      dayHead = { seq: batch[j - 1].seq, hash: batch[j - 1].hash };
      i = j;
    }
  };

  const flush = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await writeBatch(batch);
      } catch (err) {
        // The records stay in memory, in chain order, and are written when the disk takes them again; a line cut
        // short is truncated away so the file never holds half a record.
        pending = [...batch, ...pending];
        await fh?.truncate(goodSize).catch(() => undefined);
        await fh?.close().catch(() => undefined);
        fh = undefined;
        const reason = `audit log write failed in ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
        if (!degraded)
          logger.error(
            { err: (err as Error).message },
            'audit log write failed; records are kept in memory and written when the disk accepts them',
          );
        degraded = { since: degraded?.since ?? now(), reason };
        retryTimer = setTimeout(schedule, retryMs);
        retryTimer.unref();
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
        return;
      }
      batch.forEach((p) => p.resolve());
      if (degraded) {
        const caughtUp = { since: new Date(degraded.since).toISOString(), reason: degraded.reason };
        degraded = undefined;
        retryMs = RETRY_MIN_MS;
        logger.warn(caughtUp, 'audit log writing again: the records kept in memory are on disk');
        // The gap is part of the record: when, and why, records were late to disk.
        void audit.append('audit_recovered', { delayedWrite: caughtUp }).catch(() => undefined);
      }
    }
  };

  const schedule = () => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    flushing ??= flush().finally(() => {
      flushing = undefined;
      if (pending.length > 0 && !retryTimer) schedule();
    });
  };

  const audit: AuditLog = {
    get head() {
      return { seq, hash };
    },
    get degraded() {
      return degraded
        ? `${degraded.reason}; ${pending.length} records waiting in memory since ${new Date(degraded.since).toISOString()}`
        : undefined;
    },
    append(kind, data) {
      if (closed) return Promise.reject(new Error('audit log is closed'));
      if (pending.length >= MAX_WAITING)
        return Promise.reject(
          new Error(
            `audit log: ${pending.length} records already wait for the disk (${degraded?.reason ?? 'writing'}); this one is refused`,
          ),
        );
      let rec: { line: string; hash: string };
      const at = now();
      try {
        rec = formatRecord(seq + 1, at, kind, data, hash);
      } catch (err) {
        return Promise.reject(err);
      }
      seq += 1;
      hash = rec.hash;
      return new Promise<void>((resolve, reject) => {
        pending.push({ day: dayOf(at, timezone), line: rec.line, seq, hash: rec.hash, resolve, reject });
        schedule();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (retryTimer) schedule();
      while (flushing) await flushing;
      clearTimeout(retryTimer);
      if (pending.length > 0) {
        const lost = new Error(`audit log closed with ${pending.length} records not written (${degraded?.reason})`);
        logger.error({ records: pending.length }, lost.message);
        pending.splice(0).forEach((p) => p.reject(lost));
      }
      await fh?.close();
      fh = undefined;
      if (fileDay !== undefined && !degraded) await seal(fileDay, dayHead.seq, dayHead.hash);
    },
  };

  if (resumed.torn) {
    logger.warn({ file: resumed.torn.file, bytes: resumed.torn.bytes }, 'audit log ended in a torn (unacknowledged) line; moved aside');
    await audit.append('audit_recovered', resumed.torn);
  }
  // A crash skips the seal on close: re-seal the newest day so its signature covers its real end.
  if (fileDay !== undefined && seq >= 0) await seal(fileDay, seq, hash);
  logger.info({ dir, seq, files: files.length }, 'audit log open');
  return audit;
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
