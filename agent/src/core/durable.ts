import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Write to a temporary name, fsync, rename, fsync the folder: a power cut leaves the old file or the new one, never half
 * of one, and the rename itself survives.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, data, { flush: true, mode });
  await rename(tmp, path);
  await syncPath(dirname(path));
}

/** The synchronous form, for writers that commit a database row right after (the outbox). */
export function writeFileAtomicSync(path: string, data: Uint8Array, mode?: number): void {
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
