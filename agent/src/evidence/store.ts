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
  const entries = new Map<string, EvidenceEntry>();
  for (const e of await loadEntries(root)) entries.set(e.eventId, e);
  // Per-event queue: two writers of the same event.json must not interleave.
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(eventId: string, job: () => Promise<T>): Promise<T> => {
    const run = (queues.get(eventId) ?? Promise.resolve()).then(job, job);
    const tail = run.catch(() => undefined);
    queues.set(eventId, tail);
    void tail.then(() => queues.get(eventId) === tail && queues.delete(eventId));
    return run;
  };

  const entryFor = async (eventId: string, camera: string): Promise<EvidenceEntry> => {
    if (!EVENT_ID.test(eventId))
      throw new Error(`evidence: expected an event id of letters, digits, ".", "_" or "-" (max 128), got ${JSON.stringify(eventId)}`);
    let e = entries.get(eventId);
    if (!e) {
      const createdAt = now();
      const dir = join(root, new Date(createdAt).toISOString().slice(0, 10), eventId);
      await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
      e = { eventId, camera, createdAt, dir, files: [], bytes: 0 };
      entries.set(eventId, e);
    }
    return e;
  };

  const record = async (e: EvidenceEntry, file: StoredFile): Promise<StoredFile> => {
    if (!e.files.some((f) => f.name === file.name)) {
      e.files.push(file);
      e.bytes += file.bytes;
    }
    const meta = { eventId: e.eventId, camera: e.camera, createdAt: e.createdAt, files: e.files.map(({ path: _p, ...f }) => f) };
    await writeFileAtomic(join(e.dir, 'event.json'), Buffer.from(`${JSON.stringify(meta, null, 2)}\n`));
    return file;
  };

  return {
    root,
    put(eventId, camera, kind, data, ext, info) {
      return serial(eventId, async () => {
        const e = await entryFor(eventId, camera);
        const sha256 = sha256Hex(data);
        const name = `${kind}-${sha256.slice(0, 16)}.${ext}`;
        const path = join(e.dir, name);
        await writeFileAtomic(path, data);
        return record(e, { kind, name, path, sha256, bytes: data.length, storedAt: now(), ...(info ? { info } : {}) });
      });
    },
    adopt(eventId, camera, kind, src, ext, info) {
      return serial(eventId, async () => {
        const e = await entryFor(eventId, camera);
        const sha256 = await sha256File(src);
        await syncPath(src);
        const name = `${kind}-${sha256.slice(0, 16)}.${ext}`;
        const path = join(e.dir, name);
        // Written by ffmpeg under the process umask: made private as it becomes evidence.
        await chmod(src, PRIVATE_FILE);
        await rename(src, path);
        const { size } = await stat(path);
        return record(e, { kind, name, path, sha256, bytes: size, storedAt: now(), ...(info ? { info } : {}) });
      });
    },
    get: (eventId) => entries.get(eventId),
    find(sha256) {
      for (const e of entries.values()) {
        const f = e.files.find((x) => x.sha256 === sha256);
        if (f) return f;
      }
      return undefined;
    },
    list: () => [...entries.values()].sort((a, b) => a.createdAt - b.createdAt),
    remove(eventId) {
      return serial(eventId, async () => {
        const e = entries.get(eventId);
        if (!e) return undefined;
        await rm(e.dir, { recursive: true, force: true });
        entries.delete(eventId);
        // Drop the day folder once its last event is gone.
        await rmdir(join(e.dir, '..')).catch(() => undefined);
        return e;
      });
    },
    totalBytes: () => [...entries.values()].reduce((n, e) => n + e.bytes, 0),
  };
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
