import { randomUUID } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, syncPath } from '../../core/durable.ts';
import { sha256Hex } from '../../core/hash.ts';

/**
 * Bytes kept by the center beside its relational archive (snapshots, officers' photos), each named by its SHA-256.
 * A put resolves only once the file and its name are on disk (fsynced): the caller may then acknowledge the message
 * or commit the row that references it, and a power cut loses neither.
 */
export interface BlobStore {
  readonly dir: string;
  /** Stores `data` under its digest; storing the same bytes again changes nothing (`inserted` false). */
  put(data: Uint8Array): Promise<PutBlob>;
  /** Stores several at once: the files written and synced side by side, each folder they went into synced once. */
  putAll(data: readonly Uint8Array[]): Promise<PutBlob[]>;
  get(sha256: string): Promise<Buffer | null>;
  exists(sha256: string): Promise<boolean>;
  /** Removes a blob (retention, quotas); false when there was none. */
  delete(sha256: string): Promise<boolean>;
}

export interface PutBlob {
  sha256: string;
  bytes: number;
  inserted: boolean;
}

const SHA256 = /^[0-9a-f]{64}$/;
/** A temporary file older than this is a write a crash interrupted; younger ones may be another instance's. */
const STALE_TMP_MS = 3_600_000;

/**
 * Files under `dir/{first two hex digits}/{digest}` (256 folders, so a folder stays small with millions of blobs);
 * written under `dir/tmp/` and renamed into place, so a reader never sees half a file. Files 600, folders 700: the
 * pictures show people and plates.
 */
export async function openBlobStore(dir: string, now: () => number = Date.now): Promise<BlobStore> {
  const tmpDir = join(dir, 'tmp');
  await ensurePrivateDir(tmpDir);
  await syncPath(dir);
  await removeStaleTmp(tmpDir, now());
  const ready = new Set<string>();

  const shardOf = async (sha: string): Promise<string> => {
    const shard = join(dir, sha.slice(0, 2));
    if (!ready.has(shard)) {
      await ensurePrivateDir(shard);
      // The new folder's own name must survive a power cut, or the blob renamed into it is lost with it.
      await syncPath(dir);
      ready.add(shard);
    }
    return shard;
  };
  const pathOf = (sha: string) => join(dir, checked(sha).slice(0, 2), sha);

  /** The file in its place (not yet its folder's entry synced), or `inserted` false when it was there already. */
  const place = async (data: Uint8Array): Promise<PutBlob & { shard?: string }> => {
    const sha256 = sha256Hex(data);
    const bytes = data.length;
    const target = pathOf(sha256);
    if ((await sizeOf(target)) === bytes) return { sha256, bytes, inserted: false };
    const shard = await shardOf(sha256);
    const tmp = join(tmpDir, `${sha256}.${randomUUID()}`);
    await writeSynced(tmp, data);
    // Two writers of the same bytes rename the same content over each other: either result is the blob.
    await rename(tmp, target);
    return { sha256, bytes, inserted: true, shard };
  };
  const putAll = async (data: readonly Uint8Array[]): Promise<PutBlob[]> => {
    const placed = await Promise.all(data.map(place));
    const shards = new Set(placed.flatMap((p) => (p.shard ? [p.shard] : [])));
    await Promise.all([...shards].map((d) => syncPath(d)));
    return placed.map(({ sha256, bytes, inserted }) => ({ sha256, bytes, inserted }));
  };

  return {
    dir,
    put: async (data) => (await putAll([data]))[0] as PutBlob,
    putAll,
    get: async (sha) => {
      try {
        return await readFile(pathOf(sha));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    exists: async (sha) => (await sizeOf(pathOf(sha))) !== null,
    async delete(sha) {
      const p = pathOf(sha);
      if ((await sizeOf(p)) === null) return false;
      await rm(p, { force: true });
      return true;
    },
  };
}

function checked(sha: string): string {
  if (!SHA256.test(sha)) throw new Error(`not a SHA-256 digest: expected 64 lower-case hex digits, got "${sha.slice(0, 80)}"`);
  return sha;
}

async function writeSynced(path: string, data: Uint8Array): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function removeStaleTmp(tmpDir: string, at: number): Promise<void> {
  for (const name of await readdir(tmpDir)) {
    const p = join(tmpDir, name);
    const s = await stat(p).catch(() => null);
    if (s && at - s.mtimeMs > STALE_TMP_MS) await rm(p, { force: true });
  }
}
