import { appendFileSync, mkdtempSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAuditFiles, openAuditLog } from '../../../agent/src/audit/audit-log.ts';
import { verifyAuditFiles } from '../../../agent/src/audit/verify.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'jifang-audit-'));

async function writeLog(dir: string, n: number, now?: () => number) {
  const audit = await openAuditLog(dir, silentLogger, { now });
  for (let i = 0; i < n; i++) await audit.append('event_decision', { eventId: `e${i}`, rule: { id: 'r1', dwellSeconds: 180 } });
  await audit.close();
  return listAuditFiles(dir);
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

function rewrite(file: string, ls: string[]) {
  writeFileSync(file, ls.map((l) => `${l}\n`).join(''));
}

describe('audit log', () => {
  it('a clean log verifies, complete from seq 0', async () => {
    const files = await writeLog(tmp(), 6);
    const r = await verifyAuditFiles(files);
    expect(r).toMatchObject({ ok: true, records: 6, first: { seq: 0, prev: '0'.repeat(64) }, head: { seq: 5 } });
  });

  it('continues the chain across a restart', async () => {
    const dir = tmp();
    await writeLog(dir, 2);
    const files = await writeLog(dir, 3);
    expect(files).toHaveLength(1);
    const seqs = lines(files[0]).map((l) => JSON.parse(l).seq);
    expect(seqs).toEqual([0, 1, 2, 3, 4]);
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: true, records: 5 });
  });

  it('keeps concurrent appends in call order', async () => {
    const dir = tmp();
    const audit = await openAuditLog(dir, silentLogger);
    await Promise.all(Array.from({ length: 40 }, (_, i) => audit.append('delivery', { i })));
    await audit.close();
    const files = await listAuditFiles(dir);
    expect(lines(files[0]).map((l) => JSON.parse(l).data.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: true, records: 40 });
  });

  it('writes one file per day of the site time zone and chains across them', async () => {
    const dir = tmp();
    // 23:59:58 and then 00:00:01 in Shanghai (UTC+8).
    let t = Date.parse('2024-05-01T15:59:58Z');
    const audit = await openAuditLog(dir, silentLogger, { timezone: 'Asia/Shanghai', now: () => t });
    await audit.append('model_loaded', { name: 'm', sha256: 'a'.repeat(64) });
    await audit.append('config_loaded', { sha256: 'b'.repeat(64) });
    t += 3000;
    await audit.append('event_decision', { eventId: 'x' });
    await audit.close();
    const files = await listAuditFiles(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['audit-2024-05-01.jsonl', 'audit-2024-05-02.jsonl']);
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: true, records: 3, files: 2 });
    // Removing the last record of the first day breaks the link at the second file's first line.
    rewrite(files[0], lines(files[0]).slice(0, 1));
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: false, file: files[1], line: 1 });
  });

  it('detects an edited record at that line', async () => {
    const [file] = await writeLog(tmp(), 6);
    const ls = lines(file);
    ls[3] = ls[3].replace('"dwellSeconds":180', '"dwellSeconds":60');
    rewrite(file, ls);
    expect(await verifyAuditFiles([file])).toMatchObject({ ok: false, line: 4, reason: expect.stringContaining('edited') });
  });

  it('detects a deleted record at its position', async () => {
    const [file] = await writeLog(tmp(), 6);
    const ls = lines(file);
    ls.splice(2, 1);
    rewrite(file, ls);
    expect(await verifyAuditFiles([file])).toMatchObject({ ok: false, line: 3, reason: expect.stringContaining('prev does not match') });
  });

  it('detects two swapped records at the first of them', async () => {
    const [file] = await writeLog(tmp(), 6);
    const ls = lines(file);
    [ls[1], ls[2]] = [ls[2], ls[1]];
    rewrite(file, ls);
    expect(await verifyAuditFiles([file])).toMatchObject({ ok: false, line: 2 });
  });

  it('detects a removed last line only by its absence: the head moves back', async () => {
    const [file] = await writeLog(tmp(), 6);
    rewrite(file, lines(file).slice(0, 5));
    // A cut tail is indistinguishable from a shorter log without a seal; the head seq shows how far it goes.
    expect(await verifyAuditFiles([file])).toMatchObject({ ok: true, head: { seq: 4 } });
  });

  it('moves a torn last line aside, records the cut and keeps a verifiable chain', async () => {
    const dir = tmp();
    const [file] = await writeLog(dir, 3);
    appendFileSync(file, '{"seq":3,"at":"2024-');
    const audit = await openAuditLog(dir, silentLogger);
    await audit.append('agent_started', {});
    await audit.close();
    const ls = lines(file);
    expect(ls.map((l) => JSON.parse(l).kind)).toEqual([
      'event_decision',
      'event_decision',
      'event_decision',
      'audit_recovered',
      'agent_started',
    ]);
    expect(JSON.parse(ls[3]).data).toMatchObject({ bytes: 20 });
    expect(readdirSync(dir).some((n) => n.includes('.torn-'))).toBe(true);
    expect(await verifyAuditFiles([file])).toMatchObject({ ok: true, records: 5 });
  });

  it('reports a torn last line when verifying a log that was cut mid-write', async () => {
    const [file] = await writeLog(tmp(), 2);
    appendFileSync(file, '{"seq":2,"at"');
    expect(await verifyAuditFiles([file])).toMatchObject({ ok: false, line: 3, reason: expect.stringContaining('torn') });
  });

  it('refuses to continue a chain whose last record was altered', async () => {
    const dir = tmp();
    const [file] = await writeLog(dir, 2);
    const ls = lines(file);
    ls[1] = ls[1].replace('"e1"', '"e9"');
    rewrite(file, ls);
    await expect(openAuditLog(dir, silentLogger)).rejects.toThrow(/line 2: content does not match its hash/);
  });

  it('rejects unknown kinds and data that is not a JSON object', async () => {
    const dir = tmp();
    const audit = await openAuditLog(dir, silentLogger);
    await expect(audit.append('nonsense' as never, {})).rejects.toThrow(/unknown record kind "nonsense"/);
    await expect(audit.append('delivery', [] as never)).rejects.toThrow(/expected the data to be a JSON object/);
    await expect(audit.append('delivery', { n: 1n } as never)).rejects.toThrow(/cannot be written as JSON/);
    await audit.append('delivery', { ok: true });
    await audit.close();
    // The rejected calls took no place in the chain.
    expect(await verifyAuditFiles(await listAuditFiles(dir))).toMatchObject({ ok: true, records: 1, head: { seq: 0 } });
  });

  it("detects a whole day removed from the middle at the next day's first line", async () => {
    const dir = tmp();
    let t = Date.parse('2024-05-01T12:00:00Z');
    const next = () => (t += 86_400_000);
    await writeLog(dir, 2, () => t);
    next();
    await writeLog(dir, 2, () => t);
    next();
    const files = await writeLog(dir, 2, () => t);
    expect(files).toHaveLength(3);
    unlinkSync(files[1]);
    expect(await verifyAuditFiles([files[0], files[2]])).toMatchObject({ ok: false, file: files[2], line: 1 });
  });
});
