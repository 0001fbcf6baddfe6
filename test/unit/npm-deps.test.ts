import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.ts';

/**
 * The set-up's npm step (scripts/npm-deps.sh) in a checkout of its own, with a fake `npm` first on PATH: it records
 * each call and installs nothing but npm's own mark of a complete install, or stops half-way when told to fail.
 */
const FAKE_NPM = `#!/bin/sh
echo "$*" >> "$NPM_CALLS"
rm -rf node_modules && mkdir -p node_modules/some-package
[ -n "$NPM_FAIL" ] && exit 1
echo '{}' > node_modules/.package-lock.json
`;

let root: string;
let repo: string;

function checkout(dir: string, lock: string): void {
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  copyFileSync(join(projectRoot, 'scripts', 'npm-deps.sh'), join(dir, 'scripts', 'npm-deps.sh'));
  writeFileSync(join(dir, 'package-lock.json'), lock);
}

function npmDeps(dir = repo, env: Record<string, string> = {}) {
  const r = spawnSync('bash', [join(dir, 'scripts', 'npm-deps.sh'), '--quiet'], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(root, 'bin')}:${process.env.PATH}`, NPM_CALLS: join(root, 'calls'), ...env },
  });
  return { status: r.status, stderr: r.stderr };
}
const npmCalls = () => (existsSync(join(root, 'calls')) ? readFileSync(join(root, 'calls'), 'utf8').trim().split('\n') : []);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'jifang-npm-deps-'));
  mkdirSync(join(root, 'bin'));
  writeFileSync(join(root, 'bin', 'npm'), FAKE_NPM, { mode: 0o755 });
  repo = join(root, 'repo');
  checkout(repo, '{"lockfileVersion": 3}\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the set-up installs npm dependencies only when node_modules is not a complete install of the lock (fake npm)', () => {
  it('installs on a clean clone, once, and keeps its stamp outside node_modules', () => {
    expect(npmDeps().status).toBe(0);
    expect(npmDeps().status).toBe(0);
    expect(npmCalls()).toEqual(['ci --no-audit --no-fund --loglevel=error']);
    expect(existsSync(join(repo, 'var', 'npm-installed'))).toBe(true);
    expect(existsSync(join(repo, 'node_modules', '.jifang-setup'))).toBe(false);
  });

  it('installs again after node_modules is removed, and after the lock changes', () => {
    npmDeps();
    rmSync(join(repo, 'node_modules'), { recursive: true });
    npmDeps();
    writeFileSync(join(repo, 'package-lock.json'), '{"lockfileVersion": 3, "changed": true}\n');
    npmDeps();
    npmDeps();
    expect(npmCalls()).toHaveLength(3);
  });

  it('an install that stopped half-way is done again at the next set-up', () => {
    npmDeps();
    writeFileSync(join(repo, 'package-lock.json'), '{"lockfileVersion": 3, "changed": true}\n');
    expect(npmDeps(repo, { NPM_FAIL: '1' }).status).not.toBe(0);
    // Even were npm's mark of a complete install left behind, the stamp removed before the install says otherwise.
    writeFileSync(join(repo, 'node_modules', '.package-lock.json'), '{}');
    expect(npmDeps().status).toBe(0);
    expect(npmCalls()).toHaveLength(3);
  });

  it('takes over the stamp an earlier set-up kept in node_modules instead of installing again', () => {
    mkdirSync(join(repo, 'node_modules'));
    writeFileSync(join(repo, 'node_modules', '.package-lock.json'), '{}');
    const hash = spawnSync('sha256sum', [join(repo, 'package-lock.json')], { encoding: 'utf8' }).stdout.split(' ')[0];
    writeFileSync(join(repo, 'node_modules', '.jifang-setup'), `${hash}\n`);
    expect(npmDeps().status).toBe(0);
    expect(npmCalls()).toEqual([]);
    expect(readFileSync(join(repo, 'var', 'npm-installed'), 'utf8').trim()).toBe(hash);
  });

  it('never installs into a node_modules linked from another checkout, and says when that one is incomplete or of another lock', () => {
    const main = join(root, 'main');
    checkout(main, '{"lockfileVersion": 3, "main": true}\n');
    mkdirSync(join(main, 'node_modules'));
    rmSync(join(repo, 'node_modules'), { recursive: true, force: true });
    symlinkSync(join(main, 'node_modules'), join(repo, 'node_modules'));

    const incomplete = npmDeps();
    expect(incomplete.status).toBe(1);
    expect(incomplete.stderr).toContain(`run scripts/setup.sh in ${main}`);

    writeFileSync(join(main, 'node_modules', '.package-lock.json'), '{}');
    const otherLock = npmDeps();
    expect(otherLock.status).toBe(0);
    expect(otherLock.stderr).toContain(`package-lock.json differs from the one of ${main}`);

    copyFileSync(join(main, 'package-lock.json'), join(repo, 'package-lock.json'));
    expect(npmDeps()).toEqual({ status: 0, stderr: '' });
    expect(npmCalls()).toEqual([]);
  });
});
