import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAuditFiles, openAuditLog } from '../../../agent/src/audit/audit-log.ts';
import { backupAuditLog } from '../../../agent/src/audit/backup.ts';
import { verifyAuditFiles } from '../../../agent/src/audit/verify.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'jifang-audit-backup-'));

async function append(dir: string, n: number) {
  const audit = await openAuditLog(dir, silentLogger);
  for (let i = 0; i < n; i++) await audit.append('operator_command', { command: 'event', ok: true, i });
  await audit.close();
}

describe('audit log backup', () => {
  it('keeps a verifiable copy that follows the log as it grows', async () => {
    const [src, dst] = [tmp(), tmp()];
    await append(src, 3);
    expect((await backupAuditLog(src, dst)).copied).toHaveLength(1);
    await append(src, 2);
    const r = await backupAuditLog(src, dst);
    expect(r).toEqual({ copied: [readdirSync(src)[0]], diverged: [] });
    expect(await verifyAuditFiles(await listAuditFiles(dst))).toMatchObject({ ok: true, records: 5 });
    expect(await backupAuditLog(src, dst)).toEqual({ copied: [], diverged: [] });
  });

  it('never overwrites the backup with an edited or cut log, and names the file', async () => {
    const [src, dst] = [tmp(), tmp()];
    await append(src, 4);
    await backupAuditLog(src, dst);
    const [file] = readdirSync(src);
    const backedUp = readFileSync(join(dst, file), 'utf8');
    writeFileSync(join(src, file), backedUp.replace('"ok":true,"i":1', '"ok":false,"i":1'));
    expect(await backupAuditLog(src, dst)).toEqual({ copied: [], diverged: [file] });
    expect(readFileSync(join(dst, file), 'utf8')).toBe(backedUp);
    writeFileSync(join(src, file), `${backedUp.split('\n').slice(0, 2).join('\n')}\n`);
    expect((await backupAuditLog(src, dst)).diverged).toEqual([file]);
    expect(readFileSync(join(dst, file), 'utf8')).toBe(backedUp);
  });
});
