import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.ts';

/** `jifang center units`: the patrol units managed from a shell on the server, in the real SQLite archive. */
describe('jifang center units', () => {
  let dir: string;
  let cfg: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-center-units-'));
    cfg = join(dir, 'center.yaml');
    writeFileSync(
      cfg,
      JSON.stringify({ mqtt: { url: 'mqtt://127.0.0.1:1' }, storage: { kind: 'sqlite', path: 'center.db' }, users: 'users' }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const jifang = (...args: string[]) =>
    spawnSync(process.execPath, [join(projectRoot, 'bin', 'jifang.mjs'), 'center', 'units', cfg, ...args], {
      encoding: 'utf8',
      env: { ...process.env, JIFANG_RUN_FROM: 'source', JIFANG_LOG_LEVEL: 'silent' },
    });

  it('puts a unit from a YAML file, lists it, refuses a bad file naming the field, and deletes it', () => {
    const good = join(dir, 'team-1.yaml');
    writeFileSync(good, 'name: 城管一中队\nmembers: [pat]\narea:\n  - [[121.47, 31.23], [121.48, 31.23], [121.48, 31.24]]\n');
    expect(jifang('put', 'team-1', good)).toMatchObject({ status: 0, stdout: 'unit team-1 created\n' });
    expect(jifang('put', 'team-1', good)).toMatchObject({ status: 0, stdout: 'unit team-1 replaced\n' });
    expect(jifang()).toMatchObject({ status: 0, stdout: 'team-1\tteam\t城管一中队\tmembers: pat\tarea rings: 1\n' });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nkind: squad\n');
    const refused = jifang('put', 'team-2', bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('kind');
    expect(jifang().stdout).not.toContain('team-2');
    expect(jifang('put', 'Bad Id', good).status).toBe(2);
    expect(jifang('delete', 'team-1')).toMatchObject({ status: 0, stdout: 'unit team-1 deleted\n' });
    expect(jifang('delete', 'team-1')).toMatchObject({ status: 1, stdout: 'no unit team-1\n' });
  }, 60_000);
});
