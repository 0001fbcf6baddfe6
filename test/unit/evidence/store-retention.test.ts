import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAuditFiles, openAuditLog } from '../../../agent/src/audit/audit-log.ts';
import { verifyAuditFiles } from '../../../agent/src/audit/verify.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { planRetention, runRetention } from '../../../agent/src/evidence/retention.ts';
import { openEvidenceStore } from '../../../agent/src/evidence/store.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'jifang-evidence-'));
const DAY = 86_400_000;

describe('evidence store', () => {
  it('stores files by event under content-addressed names and finds them by SHA-256 after a restart', async () => {
    const root = tmp();
    let t = Date.parse('2024-05-01T10:00:00Z');
    const store = await openEvidenceStore(root, () => t);
    const jpeg = Buffer.from('fake jpeg bytes');
    const f = await store.put('cam1-20240501-0001', 'cam1', 'snapshot', jpeg, 'jpg', { width: 1920, height: 1080 });
    const sha = createHash('sha256').update(jpeg).digest('hex');
    expect(f).toMatchObject({ sha256: sha, bytes: jpeg.length, name: `snapshot-${sha.slice(0, 16)}.jpg` });
    expect(f.path).toBe(join(root, '2024-05-01', 'cam1-20240501-0001', f.name));
    expect(readFileSync(f.path)).toEqual(jpeg);
    const clipSrc = join(root, 'tmp-clip.mp4');
    writeFileSync(clipSrc, 'clip bytes');
    t += 1000;
    const c = await store.adopt('cam1-20240501-0001', 'cam1', 'clip', clipSrc, 'mp4');
    expect(existsSync(clipSrc)).toBe(false);

    const reopened = await openEvidenceStore(root);
    expect(reopened.find(sha)?.path).toBe(f.path);
    expect(reopened.find(c.sha256)?.kind).toBe('clip');
    expect(reopened.get('cam1-20240501-0001')).toMatchObject({
      camera: 'cam1',
      createdAt: Date.parse('2024-05-01T10:00:00Z'),
      bytes: jpeg.length + 10 + readFileSync(join(root, '2024-05-01', 'cam1-20240501-0001', 'event.json')).length,
    });
  });

  it('rejects an event id that is not safe as a folder name', async () => {
    const store = await openEvidenceStore(tmp());
    await expect(store.put('../etc', 'c', 'snapshot', Buffer.from('x'), 'jpg')).rejects.toThrow(/expected an event id of letters, digits/);
  });
});

describe('retention plan', () => {
  const items = [
    { eventId: 'c', createdAt: 3 * DAY, bytes: 100 },
    { eventId: 'a', createdAt: 1 * DAY, bytes: 100 },
    { eventId: 'b', createdAt: 2 * DAY, bytes: 100 },
    { eventId: 'd', createdAt: 4 * DAY, bytes: 100 },
  ];

  it('deletes everything past the age limit, oldest first', () => {
    const plan = planRetention(items, { maxAgeMs: 2.5 * DAY, maxDiskUsedPercent: 99 }, 5 * DAY, { total: 1000, used: 0 });
    expect(plan).toEqual([
      { eventId: 'a', reason: 'age', bytes: 100 },
      { eventId: 'b', reason: 'age', bytes: 100 },
    ]);
  });

  it('under a disk threshold deletes the oldest until the disk is back under it, and no more', () => {
    // 10000 bytes usable, 90 % allowed, 9150 used: two events of 100 must go.
    const plan = planRetention(items, { maxAgeMs: 30 * DAY, maxDiskUsedPercent: 90 }, 5 * DAY, { total: 10_000, used: 9_150 });
    expect(plan.map((p) => [p.eventId, p.reason])).toEqual([
      ['a', 'disk'],
      ['b', 'disk'],
    ]);
  });

  it('honours a cap on the store size', () => {
    const plan = planRetention(items, { maxAgeMs: 30 * DAY, maxDiskUsedPercent: 99, maxStoreBytes: 250 }, 5 * DAY, { total: 1e9, used: 0 });
    expect(plan.map((p) => [p.eventId, p.reason])).toEqual([
      ['a', 'quota'],
      ['b', 'quota'],
    ]);
  });
});

describe('retention run', () => {
  it('deletes the oldest events under a disk threshold (disk usage simulated from the store size), audits each deletion and counts them', async () => {
    const root = tmp();
    let t = Date.parse('2024-05-01T00:00:00Z');
    const store = await openEvidenceStore(join(root, 'evidence'), () => t);
    for (const id of ['ev-1', 'ev-2', 'ev-3', 'ev-4']) {
      await store.put(id, 'cam1', 'snapshot', Buffer.alloc(10_000, id.charCodeAt(3)), 'jpg');
      t += 3_600_000;
    }
    const audit = await openAuditLog(join(root, 'audit'), silentLogger, { now: () => t });
    // A disk whose usage is the store's own ~40 800 bytes plus 50 000, allowed up to 75 000: two events must go.
    const disk = async () => ({ total: 100_000, used: 50_000 + store.totalBytes() });
    const r = await runRetention(store, { maxAgeMs: 30 * DAY, maxDiskUsedPercent: 75 }, { log: silentLogger, audit, now: t, disk });
    await audit.close();
    expect(r).toMatchObject({ deleted: 2, byReason: { disk: 2, age: 0, quota: 0 } });
    expect(store.list().map((e) => e.eventId)).toEqual(['ev-3', 'ev-4']);
    expect(existsSync(join(root, 'evidence', '2024-05-01', 'ev-1'))).toBe(false);
    expect(existsSync(join(root, 'evidence', '2024-05-01', 'ev-3'))).toBe(true);
    const files = await listAuditFiles(join(root, 'audit'));
    const records = readFileSync(files[0], 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((x) => [x.kind, x.data.eventId, x.data.reason])).toEqual([
      ['evidence_deleted', 'ev-1', 'disk'],
      ['evidence_deleted', 'ev-2', 'disk'],
    ]);
    expect(records[0].data.files[0].sha256).toBe(
      createHash('sha256')
        .update(Buffer.alloc(10_000, '1'.charCodeAt(0)))
        .digest('hex'),
    );
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: true });
  });

  it('deletes by age with the real disk figures and leaves recent evidence', async () => {
    const root = tmp();
    let t = Date.parse('2024-05-01T00:00:00Z');
    const store = await openEvidenceStore(root, () => t);
    await store.put('old', 'cam1', 'snapshot', Buffer.from('o'), 'jpg');
    t += 10 * DAY;
    await store.put('new', 'cam1', 'snapshot', Buffer.from('n'), 'jpg');
    const r = await runRetention(store, { maxAgeMs: 7 * DAY, maxDiskUsedPercent: 99 }, { log: silentLogger, now: t });
    expect(r).toMatchObject({ deleted: 1, byReason: { age: 1 } });
    expect(store.list().map((e) => e.eventId)).toEqual(['new']);
    expect(existsSync(join(root, '2024-05-01'))).toBe(false);
  });
});
