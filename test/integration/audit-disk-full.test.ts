import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendWithin, listAuditFiles, openAuditLog } from '../../agent/src/audit/audit-log.ts';
import { verifyAuditFiles } from '../../agent/src/audit/verify.ts';
import { silentLogger } from '../../agent/src/core/log.ts';

/** A real full disk: a 256 KiB tmpfs mounted for the test (the suite runs as root, as CI does). */
describe('audit log on a disk that fills up and frees again (real tmpfs)', () => {
  let mount: string;

  beforeAll(() => {
    mount = mkdtempSync(join(tmpdir(), 'jifang-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
  });
  afterAll(() => {
    execFileSync('umount', ['-l', mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it('keeps records while the disk is full, says so, and writes them in chain order once space returns', async () => {
    const dir = join(mount, 'audit');
    mkdirSync(dir);
    const audit = await openAuditLog(dir, silentLogger);
    await audit.append('agent_started', { version: 'test' });
    // Fill the disk to the last byte.
    const filler = join(mount, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(512 * 1024));
    } catch {
      // ENOSPC: the file holds whatever fitted.
    }
    let written = 0;
    const appends = Array.from({ length: 20 }, (_, i) =>
      audit.append('event_decision', { eventId: `e${i}`, note: 'x'.repeat(400) }).then(() => written++),
    );
    const deadline = Date.now() + 10_000;
    while (audit.degraded === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(audit.degraded).toMatch(/^audit log write failed in .*: ENOSPC; \d+ records waiting in memory since /);
    expect(written).toBe(0);

    rmSync(filler);
    await Promise.all(appends);
    expect(written).toBe(20);
    expect(audit.degraded).toBeUndefined();
    await audit.close();

    const files = await listAuditFiles(dir);
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: true });
    const records = readFileSync(files[0], 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; data: Record<string, unknown> });
    expect(records.map((r) => r.kind)).toEqual(['agent_started', ...Array(20).fill('event_decision'), 'audit_recovered']);
    expect(records.filter((r) => r.kind === 'event_decision').map((r) => r.data.eventId)).toEqual(
      Array.from({ length: 20 }, (_, i) => `e${i}`),
    );
    expect(records.at(-1)!.data).toMatchObject({ delayedWrite: { reason: expect.stringMatching(/ENOSPC/) } });
  }, 60_000);

  it("lets an operator's command be answered on a full disk: the answer says the record waits, and it is written later", async () => {
    const dir = join(mount, 'audit-command');
    mkdirSync(dir);
    const audit = await openAuditLog(dir, silentLogger);
    await audit.append('agent_started', { version: 'test' });
    const filler = join(mount, 'filler-command');
    try {
      writeFileSync(filler, Buffer.alloc(512 * 1024));
    } catch {
      // ENOSPC: the file holds whatever fitted.
    }
    // Bigger than the slack left in the audit file's last page, which a nearly full tmpfs still takes.
    const record = { file: 'jifang.yaml', reload: true, note: 'x'.repeat(8000) };
    const answer = await appendWithin(audit, 'config_loaded', record, 1000, silentLogger);
    expect(answer).toMatch(
      /^not yet on disk, kept in memory until the disk takes it \(audit log write failed in .*: ENOSPC; 1 records waiting/,
    );

    rmSync(filler);
    await expect.poll(() => audit.degraded, { timeout: 30_000 }).toBeUndefined();
    await audit.close();
    const lines = readFileSync((await listAuditFiles(dir))[0], 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { kind: string }).kind)).toEqual(['agent_started', 'config_loaded', 'audit_recovered']);
  }, 60_000);

  it('answers at once, saying nothing is missing, when the record reaches the disk', async () => {
    const dir = join(mount, 'audit-command-ok');
    mkdirSync(dir);
    const audit = await openAuditLog(dir, silentLogger);
    expect(await appendWithin(audit, 'config_loaded', { file: 'jifang.yaml', reload: true }, 30_000, silentLogger)).toBeUndefined();
    await audit.close();
    expect(readFileSync((await listAuditFiles(dir))[0], 'utf8')).toContain('"config_loaded"');
  }, 60_000);
});
