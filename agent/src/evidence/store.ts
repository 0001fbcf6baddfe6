import { chmod, mkdir, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ensurePrivateDir, PRIVATE_DIR, PRIVATE_FILE, syncPath, writeFileAtomic } from '../core/durable.ts';
import { sha256File, sha256Hex } from '../core/hash.ts';

/**
 * Evidence on disk, one folder per event: `<root>/<YYYY-MM-DD>/<eventId>/` holding content-addressed
 * files (`snapshot-<sha256 prefix>.jpg`, `clip-<…>.mp4`) and `event.json` listing them with their full
 * SHA-256. The day folder (UTC, of the event's first evidence) keeps listings short and makes the
 * oldest evidence the first in name order.
 */
export const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const storedFileSchema = z.strictObject({
  /**
   * `hard_negative`: an unannotated frame an operator marked as a false positive, kept for retraining; `frame`: a
   * snapshot's frame without the drawing, with the event's boxes in its `info`, for a site's own training data.
   */
  kind: z.enum(['snapshot', 'clip', 'hard_negative', 'frame']),
  name: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  storedAt: z.number(),
  /** Free-form facts about the file (size, duration, source stream …). */
  info: z.record(z.string(), z.unknown()).optional(),
});
export type StoredFile = z.infer<typeof storedFileSchema> & { path: string };

const eventMetaSchema = z.strictObject({
  eventId: z.string(),
  camera: z.string(),
  createdAt: z.number(),
  files: z.array(storedFileSchema),
});

export interface EvidenceEntry {
  eventId: string;
  camera: string;
  createdAt: number;
  dir: string;
  files: StoredFile[];
  /** Every byte in the folder, listed or not (a file whose listing a crash prevented still takes space). */
  bytes: number;
}

export interface EvidenceStore {
  readonly root: string;
  /** Stores bytes (snapshots) under the event. */
  put(
    eventId: string,
    camera: string,
    kind: StoredFile['kind'],
    data: Uint8Array,
    ext: string,
    info?: Record<string, unknown>,
  ): Promise<StoredFile>;
  /** Moves a finished file (a clip written by ffmpeg on the same disk) into the event's folder. */
  adopt(
    eventId: string,
    camera: string,
    kind: StoredFile['kind'],
    path: string,
    ext: string,
    info?: Record<string, unknown>,
  ): Promise<StoredFile>;
  get(eventId: string): EvidenceEntry | undefined;
  /** A stored file by its SHA-256 (what alerts reference), for delivery on request. */
  find(sha256: string): StoredFile | undefined;
  /** All events, oldest first. */
  list(): EvidenceEntry[];
  remove(eventId: string): Promise<EvidenceEntry | undefined>;
  totalBytes(): number;
}

export async function openEvidenceStore(root: string, now: () => number = Date.now): Promise<EvidenceStore> {
  await ensurePrivateDir(root);
  return new DiskEvidenceStore(root, await loadEntries(root), now);
}

/** The store's index of the events on disk, kept in memory; every change to an event's folder goes through its queue. */
class DiskEvidenceStore implements EvidenceStore {
  private readonly entries = new Map<string, EvidenceEntry>();
  /** Per-event queue: two writers of the same event.json must not interleave. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    readonly root: string,
    loaded: readonly EvidenceEntry[],
    private readonly now: () => number,
  ) {
    for (const e of loaded) this.entries.set(e.eventId, e);
  }

  put(
    eventId: string,
    camera: string,
    kind: StoredFile['kind'],
    data: Uint8Array,
    ext: string,
    info?: Record<string, unknown>,
  ): Promise<StoredFile> {
    return this.serial(eventId, async () => {
      const e = await this.entryFor(eventId, camera);
      const sha256 = sha256Hex(data);
      const name = `${kind}-${sha256.slice(0, 16)}.${ext}`;
      const path = join(e.dir, name);
      await writeFileAtomic(path, data);
      return this.record(e, { kind, name, path, sha256, bytes: data.length, storedAt: this.now(), ...(info ? { info } : {}) });
    });
  }

  adopt(
    eventId: string,
    camera: string,
    kind: StoredFile['kind'],
    src: string,
    ext: string,
    info?: Record<string, unknown>,
  ): Promise<StoredFile> {
    return this.serial(eventId, async () => {
      const e = await this.entryFor(eventId, camera);
      const sha256 = await sha256File(src);
      await syncPath(src);
      const name = `${kind}-${sha256.slice(0, 16)}.${ext}`;
      const path = join(e.dir, name);
      // Written by ffmpeg under the process umask: made private as it becomes evidence.
      await chmod(src, PRIVATE_FILE);
      await rename(src, path);
      const { size } = await stat(path);
      return this.record(e, { kind, name, path, sha256, bytes: size, storedAt: this.now(), ...(info ? { info } : {}) });
    });
  }

  get(eventId: string): EvidenceEntry | undefined {
    return this.entries.get(eventId);
  }

  find(sha256: string): StoredFile | undefined {
    for (const e of this.entries.values()) {
      const f = e.files.find((x) => x.sha256 === sha256);
      if (f) return f;
    }
    return undefined;
  }

  list(): EvidenceEntry[] {
    return [...this.entries.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  remove(eventId: string): Promise<EvidenceEntry | undefined> {
    return this.serial(eventId, async () => {
      const e = this.entries.get(eventId);
      if (!e) return undefined;
      await rm(e.dir, { recursive: true, force: true });
      this.entries.delete(eventId);
      // Drop the day folder once its last event is gone.
      await rmdir(join(e.dir, '..')).catch(() => undefined);
      return e;
    });
  }

  totalBytes(): number {
    return [...this.entries.values()].reduce((n, e) => n + e.bytes, 0);
  }

  private serial<T>(eventId: string, job: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(eventId) ?? Promise.resolve()).then(job, job);
    const tail = run.catch(() => undefined);
    this.queues.set(eventId, tail);
    void tail.then(() => this.queues.get(eventId) === tail && this.queues.delete(eventId));
    return run;
  }

  /** The event's entry, its folder created under today's day folder on its first file. */
  private async entryFor(eventId: string, camera: string): Promise<EvidenceEntry> {
    if (!EVENT_ID.test(eventId))
      throw new Error(`evidence: expected an event id of letters, digits, ".", "_" or "-" (max 128), got ${JSON.stringify(eventId)}`);
    let e = this.entries.get(eventId);
    if (!e) {
      const createdAt = this.now();
      const dir = join(this.root, new Date(createdAt).toISOString().slice(0, 10), eventId);
      await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
      e = { eventId, camera, createdAt, dir, files: [], bytes: 0 };
      this.entries.set(eventId, e);
    }
    return e;
  }

  /** Lists the file in the entry and writes its `event.json` again. */
  private async record(e: EvidenceEntry, file: StoredFile): Promise<StoredFile> {
    if (!e.files.some((f) => f.name === file.name)) {
      e.files.push(file);
      e.bytes += file.bytes;
    }
    const meta = { eventId: e.eventId, camera: e.camera, createdAt: e.createdAt, files: e.files.map(({ path: _p, ...f }) => f) };
    await writeFileAtomic(join(e.dir, 'event.json'), Buffer.from(`${JSON.stringify(meta, null, 2)}\n`));
    return file;
  }
}

async function loadEntries(root: string): Promise<EvidenceEntry[]> {
  const out: EvidenceEntry[] = [];
  for (const day of await readdir(root)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    for (const eventId of await readdir(join(root, day))) {
      const dir = join(root, day, eventId);
      const names = await readdir(dir).catch(() => [] as string[]);
      let bytes = 0;
      for (const n of names) bytes += (await stat(join(dir, n)).catch(() => ({ size: 0 }))).size;
      const meta = await readFile(join(dir, 'event.json'), 'utf8')
        .then((t) => eventMetaSchema.parse(JSON.parse(t)))
        .catch(() => undefined);
      const createdAt = meta?.createdAt ?? (await stat(dir)).mtimeMs;
      const files = (meta?.files ?? []).filter((f) => names.includes(f.name)).map((f) => ({ ...f, path: join(dir, f.name) }));
      out.push({ eventId, camera: meta?.camera ?? 'unknown', createdAt, dir, files, bytes });
    }
  }
  return out;
}
