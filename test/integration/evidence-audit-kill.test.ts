import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAuditFiles, openAuditLog } from '../../agent/src/audit/audit-log.ts';
import { verifyAuditFiles } from '../../agent/src/audit/verify.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { projectRoot } from '../helpers/paths.ts';

/** A real agent-like process appending bursts of records and printing each acknowledged seq. */
const WRITER = `
import { openAuditLog } from ${JSON.stringify(join(projectRoot, 'agent/src/audit/audit-log.ts'))};
import { silentLogger } from ${JSON.stringify(join(projectRoot, 'agent/src/core/log.ts'))};
const audit = await openAuditLog(process.argv[1], silentLogger);
for (let n = 0; ; n += 5) {
  await Promise.all(Array.from({ length: 5 }, (_, k) =>
    audit.append('delivery', { n: n + k }).then(() => process.stdout.write('acked ' + (n + k) + '\\n'))));
}
`;

describe('audit log durability', () => {
  it('keeps every acknowledged record across kill -9, and the chain continues after restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifang-audit-kill-'));
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WRITER, dir], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        for (const m of d.toString().matchAll(/acked (\d+)/g)) acked.push(Number(m[1]));
        if (acked.length >= 23) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
    });
    await new Promise((r) => child.once('exit', r));

    const files = await listAuditFiles(dir);
    const written = new Set(
      readFileSync(files[0], 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).data.n),
    );
    expect(acked.filter((n) => !written.has(n))).toEqual([]);

    const audit = await openAuditLog(dir, silentLogger);
    await audit.append('agent_started', { after: 'kill -9' });
    await audit.close();
    const r = await verifyAuditFiles(await listAuditFiles(dir));
    expect(r).toMatchObject({ ok: true, first: { seq: 0 } });
    expect(r.ok && r.records).toBeGreaterThanOrEqual(acked.length + 1);
  });
});
