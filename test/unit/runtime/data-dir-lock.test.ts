import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLock, LOCK_FILE } from '../../../agent/src/runtime/data-dir-lock.ts';

let dir: string;
let other: ChildProcess | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-lock-'));
});
afterEach(() => {
  other?.kill('SIGKILL');
  other = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Another live process on this machine, and its start time as the kernel records it. */
function liveProcess(): { pid: number; startTicks: number } {
  other = spawn('sleep', ['60'], { stdio: 'ignore' });
  const stat = readFileSync(`/proc/${other.pid}/stat`, 'utf8');
  return { pid: other.pid!, startTicks: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]) };
}

const lockFile = () => join(dir, LOCK_FILE);
const holder = (over: object) => JSON.stringify({ host: hostname(), since: '2026-12-02T01:00:00.000Z', ...over });

describe('one agent per data folder', () => {
  it('takes a free folder and frees it on release', async () => {
    const lock = await DataDirLock.take(dir);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('refuses a folder a live agent holds, naming it, and leaves its lock alone', async () => {
    const live = liveProcess();
    const text = holder(live);
    writeFileSync(lockFile(), text);
    await expect(DataDirLock.take(dir)).rejects.toThrow(
      `${dir}: this data folder is in use by another jifang agent (pid ${live.pid}, running since 2026-12-02T01:00:00.000Z)`,
    );
    expect(readFileSync(lockFile(), 'utf8')).toBe(text);
  });

  it('takes over a lock whose holder is gone: a pid now used by another process, a dead one, a torn file', async () => {
    const live = liveProcess();
    for (const stale of [holder({ ...live, startTicks: live.startTicks - 1 }), holder({ pid: 2 ** 22 + 17 }), '{"pid": 12']) {
      writeFileSync(lockFile(), stale);
      const lock = await DataDirLock.take(dir);
      expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(process.pid);
      await lock.release();
    }
  });

  it('a release does not remove a lock another agent has taken since', async () => {
    const lock = await DataDirLock.take(dir);
    const live = liveProcess();
    writeFileSync(lockFile(), holder(live));
    await lock.release();
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(live.pid);
  });
});
