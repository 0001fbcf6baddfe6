import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../../agent/src/audit/audit-log.ts';
import { ensurePrivateDir } from '../../../agent/src/core/durable.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { openEvidenceStore } from '../../../agent/src/evidence/store.ts';
import { writeHealthFile } from '../../../agent/src/runtime/health-file.ts';

const mode = (p: string) => statSync(p).mode & 0o777;

/** Every file and folder under `dir`, with its permission bits. */
function walk(dir: string): { path: string; dir: boolean; mode: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    return d.isDirectory() ? [{ path, dir: true, mode: mode(path) }, ...walk(path)] : [{ path, dir: false, mode: mode(path) }];
  });
}

describe('evidence, audit and health are readable by the agent’s user only', () => {
  let oldMask: number;
  let dataDir: string;
  beforeAll(() => {
    // The usual umask, which alone would leave everything 644 in 755 folders.
    oldMask = process.umask(0o022);
    dataDir = join(mkdtempSync(join(tmpdir(), 'jifang-modes-')), 'data');
  });
  afterAll(() => {
    process.umask(oldMask);
  });

  it('creates files 600 in folders 700', async () => {
    await ensurePrivateDir(dataDir);
    const store = await openEvidenceStore(join(dataDir, 'evidence'));
    await store.put('evt-1', 'cam-1', 'snapshot', Buffer.from('jpeg bytes'), 'jpg');
    // A clip as ffmpeg leaves it (umask 022: 644), adopted into the store.
    const clip = join(dataDir, 'clip.mp4');
    writeFileSync(clip, 'mp4 bytes');
    expect(mode(clip)).toBe(0o644);
    await store.adopt('evt-1', 'cam-1', 'clip', clip, 'mp4');
    const audit = await openAuditLog(join(dataDir, 'audit'), silentLogger);
    await audit.append('config_loaded', { file: 'config.yaml', sha256: 'a'.repeat(64) });
    await audit.close();
    await writeHealthFile(join(dataDir, 'health.json'), { at: new Date().toISOString(), pid: process.pid, connected: true, cameras: [] });

    const all = [{ path: dataDir, dir: true, mode: mode(dataDir) }, ...walk(dataDir)];
    expect(
      all
        .filter((e) => !e.dir)
        .map((e) => e.path.slice(dataDir.length))
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        '/health.json',
        expect.stringMatching(/^\/audit\/audit-.*\.jsonl$/),
        expect.stringMatching(/^\/evidence\/.*\/evt-1\/snapshot-.*\.jpg$/),
        expect.stringMatching(/\/evt-1\/clip-.*\.mp4$/),
        expect.stringMatching(/\/evt-1\/event\.json$/),
      ]),
    );
    expect(all.filter((e) => (e.dir ? e.mode !== 0o700 : e.mode !== 0o600))).toEqual([]);
  });

  it('tightens a data folder an older version left open', async () => {
    const old = join(dataDir, 'old-audit');
    mkdirSync(old);
    chmodSync(old, 0o755);
    await openAuditLog(old, silentLogger).then((a) => a.close());
    expect(mode(old)).toBe(0o700);
  });
});
