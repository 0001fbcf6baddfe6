import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { chmod, mkdir, open, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Evidence (faces, plates), the audit log and health are for the agent's user alone: files 600 in folders 700,
 * whatever the umask.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Creates `path` (and missing parents) as 700, and tightens it to 700 if an older version left it open. */
export async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR });
  await chmod(path, PRIVATE_DIR);
}

/**
 * Write to a temporary name, fsync, rename, fsync the folder: a power cut leaves the old file or the new one, never half
 * of one, and the rename itself survives.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number = PRIVATE_FILE): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, data, { flush: true, mode });
  await rename(tmp, path);
  await syncPath(dirname(path));
}

/** The synchronous form, for writers that commit a database row right after (the outbox). */
export function writeFileAtomicSync(path: string, data: Uint8Array, mode: number = PRIVATE_FILE): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** fsync an existing file or folder (after a rename or an append the caller made). */
export async function syncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
