import { copyFile, open, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIT_FILE } from './audit-log.ts';

export interface BackupResult {
  /** Files copied (new, or grown since the last backup). */
  copied: string[];
  /**
   * Files whose backup is not a prefix of the original any more (the original was edited or cut): the backup is
   * kept as it is and the file is named here, because the backup is the evidence of what was there.
   */
  diverged: string[];
}

const SEAL = /^audit-\d{4}-\d{2}-\d{2}\.jsonl\.sig$/;

/**
 * Copies the audit log (daily files and their seals) to `backupDir`, e.g. a second disk. The log is append-only, so
 * a backup is brought up to date only when the original has grown and still starts with the backed-up bytes; a
 * backup never overwrites history that the original no longer has.
 */
export async function backupAuditLog(auditDir: string, backupDir: string): Promise<BackupResult> {
  const names = (await readdir(auditDir)).filter((n) => AUDIT_FILE.test(n) || SEAL.test(n)).sort();
  const result: BackupResult = { copied: [], diverged: [] };
  for (const name of names) {
    const src = join(auditDir, name);
    const dst = join(backupDir, name);
    const have = await stat(dst).catch(() => undefined);
    const size = (await stat(src)).size;
    if (have && have.size === size && !SEAL.test(name) && (await samePrefix(src, dst, size))) continue;
    if (have && !SEAL.test(name) && !(have.size <= size && (await samePrefix(src, dst, have.size)))) {
      result.diverged.push(name);
      continue;
    }
    const tmp = `${dst}.tmp`;
    await copyFile(src, tmp);
    await rename(tmp, dst);
    result.copied.push(name);
  }
  return result;
}

async function samePrefix(a: string, b: string, length: number): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  try {
    const chunk = 1 << 16;
    const ba = Buffer.alloc(chunk);
    const bb = Buffer.alloc(chunk);
    for (let pos = 0; pos < length; pos += chunk) {
      const n = Math.min(chunk, length - pos);
      await Promise.all([fa.read(ba, 0, n, pos), fb.read(bb, 0, n, pos)]);
      if (!ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}
